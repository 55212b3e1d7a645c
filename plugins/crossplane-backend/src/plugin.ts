import {
  coreServices,
  createBackendPlugin,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { createConditionAuthorizer } from '@backstage/plugin-permission-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { crossplanePermissions } from '@paved/plugin-crossplane-common';
import { kubernetesClustersServiceRef } from '@paved/plugin-kubernetes-clusters-node';
import { requestStoreFor } from './database/RequestStore';
import { createRouter } from './router';
import { EntityResources } from './service/EntityResources';
import { readRequestConfig } from './service/guardrails';
import { OfferingCache } from './service/OfferingCache';
import { OfferingService } from './service/OfferingService';
import {
  crossplaneRequestResourceRef,
  isRequestOwnerRule,
} from './service/requestPermissions';
import { RequestService } from './service/RequestService';
import { ResourceTracker } from './service/ResourceTracker';
import { ResourceWriter } from './service/ResourceWriter';

/**
 * Crossplane self-service: the infrastructure offered to teams (CompositeResourceDefinitions a
 * platform team marks as offered) with the request form of each, read live from every cluster;
 * requests checked against guardrails and the permission policy, approved where the environment
 * requires it, created on the cluster and followed until their credentials are available.
 */
export const crossplanePlugin = createBackendPlugin({
  pluginId: 'crossplane',
  register(env) {
    env.registerInit({
      deps: {
        auditor: coreServices.auditor,
        catalog: catalogServiceRef,
        clusters: kubernetesClustersServiceRef,
        config: coreServices.rootConfig,
        database: coreServices.database,
        events: eventsServiceRef,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        lifecycle: coreServices.lifecycle,
        logger: coreServices.logger,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        scheduler: coreServices.scheduler,
        signals: signalsServiceRef,
        userInfo: coreServices.userInfo,
      },
      async init({
        auditor,
        catalog,
        clusters,
        config,
        database,
        events,
        httpAuth,
        httpRouter,
        lifecycle,
        logger,
        permissions,
        permissionsRegistry,
        scheduler,
        signals,
        userInfo,
      }) {
        if (clusters.list().length === 0) {
          logger.warn(
            'No clusters: configure them under kubernetes.clusterLocatorMethods (type config)',
          );
        }
        const requestConfig = readRequestConfig(
          config,
          clusters.list().map(c => c.name),
        );
        const tracker = new ResourceTracker({
          clusters: clusters.list(),
          logger,
        });
        const cache = new OfferingCache(clusters.list(), {
          allow:
            config.getOptionalStringArray('crossplane.offerings.allow') ?? [],
          logger,
          onChange: () => tracker.follow(cache.offerings()),
        });

        const store = await requestStoreFor(database);
        permissionsRegistry.addResourceType({
          resourceRef: crossplaneRequestResourceRef,
          permissions: crossplanePermissions,
          rules: [isRequestOwnerRule],
          getResources: ids => Promise.all(ids.map(id => store.get(id))),
        });
        const isAllowed = createConditionAuthorizer(
          permissionsRegistry.getPermissionRuleset(
            crossplaneRequestResourceRef,
          ),
        );
        const offerings = new OfferingService(cache, permissions);
        const service = new RequestService({
          store,
          offerings,
          tracker,
          writer: new ResourceWriter(clusters),
          config: requestConfig,
          catalog,
          permissions,
          isAllowed,
          userInfo,
          auditor,
          signals,
          events,
          logger,
        });
        // Each new version of a resource Paved created moves its request along.
        tracker.onResource(resource =>
          service.observe(resource).catch(error =>
            logger.error('Could not follow a requested resource', {
              resource: `${resource.kind} ${resource.namespace ?? ''}/${
                resource.name
              }`,
              error: String(error),
            }),
          ),
        );
        cache.start();
        lifecycle.addShutdownHook(() => {
          cache.stop();
          tracker.stop();
        });

        // Queued requests whose cluster was unreachable, and any a restart interrupted, are
        // delivered by whichever replica holds the task's lock.
        const schedule = config.has('crossplane.delivery.schedule')
          ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
              config.getConfig('crossplane.delivery.schedule'),
            )
          : {
              frequency: { seconds: 15 },
              timeout: { minutes: 2 },
              initialDelay: { seconds: 5 },
            };
        await scheduler.scheduleTask({
          id: 'crossplane-request-delivery',
          ...schedule,
          fn: () => service.catchUp(),
        });

        const entityResources = new EntityResources({
          tracker,
          cache,
          offerings,
          config: requestConfig,
          catalog,
          permissions,
          isAllowed,
        });
        httpRouter.use(
          await createRouter({
            httpAuth,
            offerings,
            requests: service,
            entityResources,
          }),
        );
      },
    });
  },
});
