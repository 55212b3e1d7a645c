import { Entity } from '@backstage/catalog-model';
import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import StorageIcon from '@material-ui/icons/Storage';
import { crossplaneApiRef, CrossplaneClient } from './api';
import { rootRouteRef } from './routes';

/** Kinds infrastructure is requested for: what teams deploy, and the systems grouping it. */
const REQUESTING_KINDS = ['component', 'system'];

/** Whether infrastructure can be requested for the entity, and so whether it has the tab. */
export function isInfrastructureRequestable(entity: Entity): boolean {
  return REQUESTING_KINDS.includes(entity.kind.toLocaleLowerCase('en-US'));
}

/** The {@link CrossplaneClient}, talking to the `crossplane` backend with the user's token. */
export const crossplaneApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: crossplaneApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new CrossplaneClient({ discoveryApi, fetchApi }),
    }),
});

/**
 * Page `page:crossplane` at `/infrastructure`, titled "Infrastructure": offerings, requests,
 * request forms and the approvals inbox.
 */
export const crossplanePage = PageBlueprint.make({
  params: {
    path: '/infrastructure',
    title: 'Infrastructure',
    icon: <StorageIcon />,
    routeRef: rootRouteRef,
    loader: () =>
      import('./components/InfrastructurePage').then(m => (
        <m.InfrastructurePage />
      )),
  },
});

/** Tab `entity-content:crossplane/infrastructure` at `infrastructure` on components and systems. */
export const crossplaneInfrastructureContent = EntityContentBlueprint.make({
  name: 'infrastructure',
  params: {
    path: 'infrastructure',
    title: 'Infrastructure',
    filter: isInfrastructureRequestable,
    loader: () =>
      import('./components/EntityInfrastructureContent').then(m => (
        <m.EntityInfrastructureContent />
      )),
  },
});

/** Request infrastructure from Crossplane offerings, follow each request, approve them. */
export const crossplanePlugin = createFrontendPlugin({
  pluginId: 'crossplane',
  title: 'Infrastructure',
  icon: <StorageIcon />,
  info: { packageJson: () => import('../package.json') },
  routes: { root: rootRouteRef },
  extensions: [crossplaneApi, crossplanePage, crossplaneInfrastructureContent],
});
