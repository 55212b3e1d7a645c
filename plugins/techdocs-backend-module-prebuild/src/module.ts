import {
  coreServices,
  createBackendModule,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { prebuildAllDocs } from './prebuild';

/**
 * With the local builder, TechDocs builds a site on its first view, so until someone opens a
 * page, search knows nothing of it. This module builds them all on a schedule instead; the
 * scheduler's lock makes one replica do it.
 */
export const techdocsModulePrebuild = createBackendModule({
  pluginId: 'techdocs',
  moduleId: 'prebuild',
  register(reg) {
    reg.registerInit({
      deps: {
        auth: coreServices.auth,
        catalog: catalogServiceRef,
        config: coreServices.rootConfig,
        discovery: coreServices.discovery,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
      },
      async init({ auth, catalog, config, discovery, logger, scheduler }) {
        if (config.getOptionalString('techdocs.builder') !== 'local') {
          return;
        }
        const schedule = config.has('techdocs.prebuild.schedule')
          ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
              config.getConfig('techdocs.prebuild.schedule'),
            )
          : {
              frequency: { hours: 1 },
              timeout: { minutes: 30 },
              initialDelay: { seconds: 10 },
            };
        await scheduler.scheduleTask({
          id: 'techdocs-prebuild',
          ...schedule,
          fn: async () => {
            const result = await prebuildAllDocs({
              auth,
              catalog,
              discovery,
              logger,
            });
            logger.info(
              `TechDocs prebuild: ${result.built} built, ${result.upToDate} up to date, ${result.failed.length} failed`,
            );
          },
        });
      },
    });
  },
});
