import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { TechInsightsClient } from '@backstage-community/plugin-tech-insights-common/client';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scorecardsPermissions } from '@paved/plugin-scorecards-common';
import { readScorecardsConfig } from './config';
import { DatabaseCampaignStore } from './database/CampaignStore';
import { DatabaseScorecardStore } from './database/ScorecardStore';
import { createRouter } from './router';
import { CampaignService } from './service/CampaignService';
import { FactRefresher } from './service/FactRefresher';
import { ScorecardService } from './service/ScorecardService';

/**
 * Scorecards: scores catalog components against configured checks on Tech Insights facts, with
 * levels, history, team and system roll-ups, the organisation overview and campaigns.
 */
export const scorecardsPlugin = createBackendPlugin({
  pluginId: 'scorecards',
  register(env) {
    env.registerInit({
      deps: {
        auditor: coreServices.auditor,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
        config: coreServices.rootConfig,
        database: coreServices.database,
        discovery: coreServices.discovery,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        logger: coreServices.logger,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        scheduler: coreServices.scheduler,
      },
      async init({
        auditor,
        auth,
        catalog,
        config,
        database,
        discovery,
        httpAuth,
        httpRouter,
        logger,
        permissions,
        permissionsRegistry,
        scheduler,
      }) {
        const scorecardsConfig = readScorecardsConfig(config);
        if (scorecardsConfig.checks.length === 0) {
          logger.warn(
            'No checks under scorecards.checks: every entity scores no level',
          );
        }
        permissionsRegistry.addPermissions(scorecardsPermissions);
        const store = await DatabaseScorecardStore.create(database);
        const service = new ScorecardService({
          config: scorecardsConfig,
          store,
          catalog,
          techInsights: () =>
            new TechInsightsClient({
              discoveryApi: discovery,
              identityApi: auth,
            }),
          factRefresher: new FactRefresher({ auth, discovery, logger }),
          logger,
        });
        // The scheduler's lock makes one replica score at a time.
        await scheduler.scheduleTask({
          id: 'scorecards-score-all',
          ...scorecardsConfig.schedule,
          fn: async () => {
            await service.scoreAll(await auth.getOwnServiceCredentials());
          },
        });
        const campaigns = new CampaignService({
          config: scorecardsConfig,
          campaigns: await DatabaseCampaignStore.create(database),
          scorecards: store,
        });
        httpRouter.use(
          await createRouter({
            service,
            campaigns,
            httpAuth,
            permissions,
            auditor,
          }),
        );
      },
    });
  },
});
