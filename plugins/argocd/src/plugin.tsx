import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { isArgocdAvailable } from '@paved/plugin-argocd-common';
import { argoCdApiRef, ArgoCdClient } from './api';

/** The {@link ArgoCdClient}, talking to the `argocd` backend with the user's token. */
export const argoCdApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: argoCdApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new ArgoCdClient({ discoveryApi, fetchApi }),
    }),
});

/** Overview card `entity-card:argocd/deployments`, on entities with an Argo CD name or selector. */
export const argoCdDeploymentsCard = EntityCardBlueprint.make({
  name: 'deployments',
  params: {
    filter: isArgocdAvailable,
    loader: () =>
      import('./components/DeploymentsCard').then(m => <m.DeploymentsCard />),
  },
});

/** Tab `entity-content:argocd/deployments` at `argocd`, on the same entities as the card. */
export const argoCdDeploymentsContent = EntityContentBlueprint.make({
  name: 'deployments',
  params: {
    path: 'argocd',
    title: 'Deployments',
    filter: isArgocdAvailable,
    loader: () =>
      import('./components/DeploymentsContent').then(m => (
        <m.DeploymentsContent />
      )),
  },
});

/** Argo CD deployment status and history on catalog entities. */
export const argoCdPlugin = createFrontendPlugin({
  pluginId: 'argocd',
  title: 'Argo CD',
  info: { packageJson: () => import('../package.json') },
  extensions: [argoCdApi, argoCdDeploymentsCard, argoCdDeploymentsContent],
});
