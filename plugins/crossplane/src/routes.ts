import {
  createRouteRef,
  createSubRouteRef,
} from '@backstage/frontend-plugin-api';

/** The Infrastructure page, `/infrastructure` by default: offerings and the team's requests. */
export const rootRouteRef = createRouteRef();

/** The request form of one offering; `?entity=` and `?environment=` preselect those fields. */
export const requestFormRouteRef = createSubRouteRef({
  parent: rootRouteRef,
  path: '/request/:offering',
});

/** One request: its timeline, resource and approval. */
export const requestRouteRef = createSubRouteRef({
  parent: rootRouteRef,
  path: '/requests/:id',
});

/** The approvers' inbox of requests awaiting approval. */
export const approvalsRouteRef = createSubRouteRef({
  parent: rootRouteRef,
  path: '/approvals',
});
