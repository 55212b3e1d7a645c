import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { techInsightsFactRetrieversExtensionPoint } from '@backstage-community/plugin-tech-insights-node';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { techInsightsEntityRefreshExtensionPoint } from '@paved/plugin-tech-insights-backend-module-entity-refresh';
import { ArgocdFactStore } from './ArgocdFactStore';
import {
  ARGOCD_FACT_RETRIEVER_ID,
  createArgocdFactRetriever,
  readProductionInstances,
} from './argocdFactRetriever';

/**
 * Adds Paved's Argo CD fact retriever to Tech Insights, also as one that can re-collect a single
 * entity. It runs on the cadence set under
 * `techInsights.factRetrievers.argocdDeploymentFactRetriever`.
 */
export const techInsightsModuleArgocdFacts = createBackendModule({
  pluginId: 'tech-insights',
  moduleId: 'paved-argocd-facts',
  register(env) {
    env.registerInit({
      deps: {
        catalog: catalogServiceRef,
        config: coreServices.rootConfig,
        database: coreServices.database,
        entityRefresh: techInsightsEntityRefreshExtensionPoint,
        factRetrievers: techInsightsFactRetrieversExtensionPoint,
        logger: coreServices.logger,
      },
      async init({
        catalog,
        config,
        database,
        entityRefresh,
        factRetrievers,
        logger,
      }) {
        const retriever = createArgocdFactRetriever({
          catalog,
          store: await ArgocdFactStore.create(database),
          productionInstances: readProductionInstances(config),
          logger,
        });
        factRetrievers.addFactRetrievers({
          [ARGOCD_FACT_RETRIEVER_ID]: retriever,
        });
        entityRefresh.addRefreshableFactRetrievers({
          [ARGOCD_FACT_RETRIEVER_ID]: retriever,
        });
      },
    });
  },
});
