import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { createConditionAuthorizer } from '@backstage/plugin-permission-node';
import { argocdPermissions } from '@paved/plugin-argocd-common';
import { commitStoreFor } from './database/CommitStore';
import { createRouter } from './router';
import {
  ApplicationChangeSignaller,
  DEFAULT_SIGNAL_INTERVAL_MS,
} from './service/ApplicationChangeSignaller';
import { ArgoApplicationCache } from './service/ArgoApplicationCache';
import {
  ProjectRoleGroups,
  applicationResourceRef,
  argocdApplicationResourceRef,
  createHasProjectRoleRule,
} from './service/ApplicationPermissions';
import { ArgoApplicationService } from './service/ArgoApplicationService';
import { ApplicationCreator } from './service/ApplicationCreator';
import { readArgoInstances } from './service/ArgoInstances';
import { CommitLookup } from './service/CommitLookup';
import { kubernetesClustersServiceRef } from '@paved/plugin-kubernetes-clusters-node';

/**
 * Argo CD deployment status and history per catalog entity, read from Application resources
 * through the Kubernetes API of each configured cluster.
 */
export const argocdPlugin = createBackendPlugin({
  pluginId: 'argocd',
  register(env) {
    env.registerInit({
      deps: {
        auditor: coreServices.auditor,
        catalog: catalogServiceRef,
        clusters: kubernetesClustersServiceRef,
        config: coreServices.rootConfig,
        database: coreServices.database,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        lifecycle: coreServices.lifecycle,
        logger: coreServices.logger,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        signals: signalsServiceRef,
      },
      async init({
        auditor,
        catalog,
        clusters,
        config,
        database,
        httpAuth,
        httpRouter,
        lifecycle,
        logger,
        permissions,
        permissionsRegistry,
        signals,
      }) {
        const instances = readArgoInstances(config, clusters);
        if (instances.length === 0) {
          logger.warn(
            'No Argo CD instances: configure clusters under kubernetes.clusterLocatorMethods (type config) or argocd.instances',
          );
        }
        const signaller = new ApplicationChangeSignaller(
          signals,
          logger,
          config.getOptionalNumber('argocd.signalIntervalMs') ??
            DEFAULT_SIGNAL_INTERVAL_MS,
        );
        const cache = new ArgoApplicationCache(instances, logger, instance =>
          signaller.add(instance),
        );
        cache.start();

        const projectRoleGroups = ProjectRoleGroups.fromConfig(config);
        if (!projectRoleGroups) {
          logger.warn(
            'argocd.projectRoleGroups is not configured: no Argo CD project role maps to a catalog Group, so only callers the permission policy allows outright see Applications',
          );
        }
        permissionsRegistry.addResourceType({
          resourceRef: argocdApplicationResourceRef,
          permissions: argocdPermissions,
          rules: [
            createHasProjectRoleRule({ cache, groups: projectRoleGroups }),
          ],
          async getResources(refs) {
            return refs.map(ref => {
              const [instance, namespace, name] = ref.split('/');
              const app = cache.getApplication(instance, namespace, name);
              return app && applicationResourceRef(app) === ref
                ? app
                : undefined;
            });
          },
        });
        const isAllowed = createConditionAuthorizer(
          permissionsRegistry.getPermissionRuleset(
            argocdApplicationResourceRef,
          ),
        );
        lifecycle.addShutdownHook(() => {
          cache.stop();
          signaller.stop();
        });

        const integrations = ScmIntegrations.fromConfig(config);
        const commits = new CommitLookup({
          integrations,
          credentialsProvider:
            DefaultGithubCredentialsProvider.fromIntegrations(integrations),
          store: await commitStoreFor(database),
          logger,
        });
        const service = new ArgoApplicationService({
          catalog,
          permissions,
          cache,
          integrations,
          commits,
          isAllowed,
        });
        const creator = new ApplicationCreator({
          cache,
          permissions,
          isAllowed,
          auditor,
        });
        httpRouter.use(
          await createRouter({ auditor, httpAuth, service, creator }),
        );
      },
    });
  },
});
