import { createBackendModule } from '@backstage/backend-plugin-api';
import { techInsightsFactRetrieversExtensionPoint } from '@backstage-community/plugin-tech-insights-node';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { techInsightsEntityRefreshExtensionPoint } from '@paved/plugin-tech-insights-backend-module-entity-refresh';
import {
  CATALOG_FACT_RETRIEVER_ID,
  createCatalogFactRetriever,
} from './catalogFactRetriever';

/**
 * Adds Paved's catalog fact retriever to Tech Insights. It runs on the cadence set under
 * `techInsights.factRetrievers.catalogEntityFactRetriever`, and for one entity on request
 * through the entity-refresh module, which must be installed too.
 */
export const techInsightsModuleCatalogFacts = createBackendModule({
  pluginId: 'tech-insights',
  moduleId: 'paved-catalog-facts',
  register(env) {
    env.registerInit({
      deps: {
        catalog: catalogServiceRef,
        factRetrievers: techInsightsFactRetrieversExtensionPoint,
        refreshable: techInsightsEntityRefreshExtensionPoint,
      },
      async init({ catalog, factRetrievers, refreshable }) {
        const retrievers = {
          [CATALOG_FACT_RETRIEVER_ID]: createCatalogFactRetriever({ catalog }),
        };
        factRetrievers.addFactRetrievers(retrievers);
        // A scorecard's re-run reads the entity's catalog entry again at once.
        refreshable.addRefreshableFactRetrievers(retrievers);
      },
    });
  },
});
