import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createCheckServiceAction } from './actions/checkService';
import { createLocateRepositoryAction } from './actions/locateRepository';
import { createWaitForEntityAction } from './actions/waitForEntity';
import { readRepositoryDestination } from './destination';

export const scaffolderModuleGoldenPaths = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'golden-paths',
  register(env) {
    env.registerInit({
      deps: {
        actions: scaffolderActionsExtensionPoint,
        catalog: catalogServiceRef,
        config: coreServices.rootConfig,
      },
      async init({ actions, catalog, config }) {
        const integrations = ScmIntegrations.fromConfig(config);
        const destination = readRepositoryDestination(config);
        actions.addActions(
          createCheckServiceAction({
            catalog,
            integrations,
            credentialsProvider:
              DefaultGithubCredentialsProvider.fromIntegrations(integrations),
            destination,
            environments: (
              config.getOptionalConfigArray('paved.goldenPaths.environments') ??
              []
            ).map(e => e.getString('name')),
          }),
          createWaitForEntityAction({ catalog }),
          createLocateRepositoryAction({ catalog, integrations, destination }),
        );
      },
    });
  },
});
