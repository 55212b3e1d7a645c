import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { crossplanePermissions } from '@paved/plugin-crossplane-common';
import { createRouter } from './router';
import { kubernetesClustersServiceRef } from '@paved/plugin-kubernetes-clusters-node';
import { OfferingCache } from './service/OfferingCache';
import { OfferingService } from './service/OfferingService';

/**
 * Crossplane self-service: the infrastructure offered to teams (CompositeResourceDefinitions a
 * platform team marks as offered) with the request form of each, read live from every cluster.
 */
export const crossplanePlugin = createBackendPlugin({
  pluginId: 'crossplane',
  register(env) {
    env.registerInit({
      deps: {
        clusters: kubernetesClustersServiceRef,
        config: coreServices.rootConfig,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        lifecycle: coreServices.lifecycle,
        logger: coreServices.logger,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
      },
      async init({
        clusters,
        config,
        httpAuth,
        httpRouter,
        lifecycle,
        logger,
        permissions,
        permissionsRegistry,
      }) {
        if (clusters.list().length === 0) {
          logger.warn(
            'No clusters: configure them under kubernetes.clusterLocatorMethods (type config)',
          );
        }
        const cache = new OfferingCache(clusters.list(), {
          allow:
            config.getOptionalStringArray('crossplane.offerings.allow') ?? [],
          logger,
        });
        cache.start();
        lifecycle.addShutdownHook(() => cache.stop());

        permissionsRegistry.addPermissions(crossplanePermissions);
        httpRouter.use(
          await createRouter({
            httpAuth,
            offerings: new OfferingService(cache, permissions),
          }),
        );
      },
    });
  },
});
