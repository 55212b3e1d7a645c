import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createArgoApplicationAction } from './actions/createApplication';
import { readEnvironments } from './environments';

export const scaffolderModuleArgocd = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'argocd',
  register(env) {
    env.registerInit({
      deps: {
        actions: scaffolderActionsExtensionPoint,
        auth: coreServices.auth,
        config: coreServices.rootConfig,
        discovery: coreServices.discovery,
      },
      async init({ actions, auth, config, discovery }) {
        actions.addActions(
          createArgoApplicationAction({
            auth,
            discovery,
            environments: readEnvironments(config),
          }),
        );
      },
    });
  },
});
