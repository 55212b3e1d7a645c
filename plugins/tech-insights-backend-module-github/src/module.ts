import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { techInsightsFactRetrieversExtensionPoint } from '@backstage-community/plugin-tech-insights-node';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { techInsightsEntityRefreshExtensionPoint } from '@paved/plugin-tech-insights-backend-module-entity-refresh';
import { GithubFactStore } from './GithubFactStore';
import {
  GITHUB_FACT_RETRIEVER_ID,
  createGithubFactRetriever,
} from './githubFactRetriever';

/**
 * Adds Paved's GitHub fact retriever to Tech Insights. It runs on the cadence set under
 * `techInsights.factRetrievers.githubRepositoryFactRetriever`, and for one entity on request
 * through the entity-refresh module, which must be installed too.
 */
export const techInsightsModuleGithubFacts = createBackendModule({
  pluginId: 'tech-insights',
  moduleId: 'paved-github-facts',
  register(env) {
    env.registerInit({
      deps: {
        catalog: catalogServiceRef,
        config: coreServices.rootConfig,
        database: coreServices.database,
        factRetrievers: techInsightsFactRetrieversExtensionPoint,
        logger: coreServices.logger,
        refreshable: techInsightsEntityRefreshExtensionPoint,
      },
      async init({
        catalog,
        config,
        database,
        factRetrievers,
        logger,
        refreshable,
      }) {
        const integrations = ScmIntegrations.fromConfig(config);
        const retrievers = {
          [GITHUB_FACT_RETRIEVER_ID]: createGithubFactRetriever({
            catalog,
            integrations,
            credentialsProvider:
              DefaultGithubCredentialsProvider.fromIntegrations(integrations),
            store: await GithubFactStore.create(database),
            logger,
          }),
        };
        factRetrievers.addFactRetrievers(retrievers);
        // A scorecard's re-run collects the entity's repository facts again at once.
        refreshable.addRefreshableFactRetrievers(retrievers);
      },
    });
  },
});
