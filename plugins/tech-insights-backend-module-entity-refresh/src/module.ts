import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { initializePersistenceContext } from '@backstage-community/plugin-tech-insights-backend';
import {
  FactRetriever,
  techInsightsPersistenceContextExtensionPoint,
} from '@backstage-community/plugin-tech-insights-node';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { EntityFactRefresher } from './EntityFactRefresher';
import { techInsightsEntityRefreshExtensionPoint } from './extensionPoint';
import { createRouter } from './router';

/**
 * Lets other plugins re-collect one entity's facts now (`POST /api/tech-insights/entity-refresh`),
 * with the retrievers registered through {@link techInsightsEntityRefreshExtensionPoint}.
 */
export const techInsightsModuleEntityRefresh = createBackendModule({
  pluginId: 'tech-insights',
  moduleId: 'entity-refresh',
  register(env) {
    const retrievers = new Map<string, FactRetriever>();
    env.registerExtensionPoint(techInsightsEntityRefreshExtensionPoint, {
      addRefreshableFactRetrievers(added) {
        for (const [id, retriever] of Object.entries(added)) {
          retrievers.set(id, retriever);
        }
      },
    });
    env.registerInit({
      deps: {
        auth: coreServices.auth,
        catalog: catalogServiceRef,
        config: coreServices.rootConfig,
        database: coreServices.database,
        discovery: coreServices.discovery,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        logger: coreServices.logger,
        persistence: techInsightsPersistenceContextExtensionPoint,
        urlReader: coreServices.urlReader,
      },
      async init({
        auth,
        catalog,
        config,
        database,
        discovery,
        httpAuth,
        httpRouter,
        logger,
        persistence,
        urlReader,
      }) {
        // The module's database is Tech Insights' own: one store for its scheduled runs and ours.
        const persistenceContext = await initializePersistenceContext(
          database,
          { logger },
        );
        persistence.setPersistenceContext(persistenceContext);
        const refresher = new EntityFactRefresher({
          retrievers,
          config,
          discovery,
          logger,
          auth,
          urlReader,
          catalog,
          store: persistenceContext.techInsightsStore,
        });
        logger.info('Fact retrievers that can refresh one entity', {
          retrievers: refresher.configuredRetrieverIds().join(','),
        });
        httpRouter.use(createRouter({ refresher, httpAuth }));
      },
    });
  },
});
