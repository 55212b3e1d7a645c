import { createBackendModule } from '@backstage/backend-plugin-api';
import { techInsightsFactRetrieversExtensionPoint } from '@backstage-community/plugin-tech-insights-node';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  CATALOG_FACT_RETRIEVER_ID,
  createCatalogFactRetriever,
} from './catalogFactRetriever';

/**
 * Adds Paved's catalog fact retriever to Tech Insights. It runs on the cadence set under
 * `techInsights.factRetrievers.catalogEntityFactRetriever`.
 */
export const techInsightsModuleCatalogFacts = createBackendModule({
  pluginId: 'tech-insights',
  moduleId: 'paved-catalog-facts',
  register(env) {
    env.registerInit({
      deps: {
        catalog: catalogServiceRef,
        factRetrievers: techInsightsFactRetrieversExtensionPoint,
      },
      async init({ catalog, factRetrievers }) {
        factRetrievers.addFactRetrievers({
          [CATALOG_FACT_RETRIEVER_ID]: createCatalogFactRetriever({ catalog }),
        });
      },
    });
  },
});
