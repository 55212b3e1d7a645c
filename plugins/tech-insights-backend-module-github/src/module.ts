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
import { GithubFactStore } from './GithubFactStore';
import {
  GITHUB_FACT_RETRIEVER_ID,
  createGithubFactRetriever,
} from './githubFactRetriever';

/**
 * Adds Paved's GitHub fact retriever to Tech Insights. It runs on the cadence set under
 * `techInsights.factRetrievers.githubRepositoryFactRetriever`.
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
      },
      async init({ catalog, config, database, factRetrievers, logger }) {
        const integrations = ScmIntegrations.fromConfig(config);
        factRetrievers.addFactRetrievers({
          [GITHUB_FACT_RETRIEVER_ID]: createGithubFactRetriever({
            catalog,
            integrations,
            credentialsProvider:
              DefaultGithubCredentialsProvider.fromIntegrations(integrations),
            store: await GithubFactStore.create(database),
            logger,
          }),
        });
      },
    });
  },
});
