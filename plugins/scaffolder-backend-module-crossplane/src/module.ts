import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createCrossplaneRequestAction } from './actions/crossplaneRequest';

/** Adds `crossplane:request` to the scaffolder. */
export const scaffolderModuleCrossplane = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'crossplane',
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
          createCrossplaneRequestAction({
            auth,
            discovery,
            appBaseUrl: config.getString('app.baseUrl'),
          }),
        );
      },
    });
  },
});
