import {
  createRouteRef,
  createSubRouteRef,
} from '@backstage/frontend-plugin-api';

/** The Scorecards page, `/scorecards` by default: the organisation's overview. */
export const rootRouteRef = createRouteRef();

/** The campaigns: targets set for the organisation and how far each has come. */
export const campaignsRouteRef = createSubRouteRef({
  parent: rootRouteRef,
  path: '/campaigns',
});

/** One campaign: its progress, the teams behind and the checks blocking them. */
export const campaignRouteRef = createSubRouteRef({
  parent: rootRouteRef,
  path: '/campaigns/:id',
});
