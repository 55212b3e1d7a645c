import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { techInsightsFactRetrieversExtensionPoint } from '@backstage-community/plugin-tech-insights-node';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { techInsightsEntityRefreshExtensionPoint } from '@paved/plugin-tech-insights-backend-module-entity-refresh';
import {
  CROSSPLANE_FACT_RETRIEVER_ID,
  createCrossplaneFactRetriever,
  readProductionEnvironments,
} from './crossplaneFactRetriever';

/**
 * Adds Paved's Crossplane fact retriever to Tech Insights, also as one that can re-collect a
 * single entity. It runs on the cadence set under
 * `techInsights.factRetrievers.crossplaneInfrastructureFactRetriever`.
 */
export const techInsightsModuleCrossplaneFacts = createBackendModule({
  pluginId: 'tech-insights',
  moduleId: 'paved-crossplane-facts',
  register(env) {
    env.registerInit({
      deps: {
        catalog: catalogServiceRef,
        config: coreServices.rootConfig,
        entityRefresh: techInsightsEntityRefreshExtensionPoint,
        factRetrievers: techInsightsFactRetrieversExtensionPoint,
        logger: coreServices.logger,
      },
      async init({ catalog, config, entityRefresh, factRetrievers, logger }) {
        const retriever = createCrossplaneFactRetriever({
          catalog,
          productionEnvironments: readProductionEnvironments(config),
          logger,
        });
        factRetrievers.addFactRetrievers({
          [CROSSPLANE_FACT_RETRIEVER_ID]: retriever,
        });
        entityRefresh.addRefreshableFactRetrievers({
          [CROSSPLANE_FACT_RETRIEVER_ID]: retriever,
        });
      },
    });
  },
});
