import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import Router from 'express-promise-router';
import { PavedPermissionPolicy } from './PavedPermissionPolicy';
import { readRegisteredPermissions } from './registeredPermissions';
import { readRoleConfig } from './roles';

/**
 * Installs Paved's permission policy in the permission plugin, and serves
 * `GET /api/permission/policy/permissions`: every permission the installed plugins register.
 */
export const permissionModulePavedPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'paved-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        config: coreServices.rootConfig,
        userInfo: coreServices.userInfo,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        instanceMetadata: coreServices.rootInstanceMetadata,
        logger: coreServices.logger,
      },
      async init({ policy, config, userInfo, httpAuth, httpRouter, ...deps }) {
        policy.setPolicy(
          new PavedPermissionPolicy(readRoleConfig(config), userInfo),
        );

        const router = Router();
        router.get('/policy/permissions', async (req, res) => {
          await httpAuth.credentials(req, { allow: ['user'] });
          res.json({ plugins: await readRegisteredPermissions(deps) });
        });
        httpRouter.use(router);
      },
    });
  },
});
