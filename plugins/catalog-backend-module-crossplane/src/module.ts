import {
  coreServices,
  createBackendModule,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { CrossplaneResourceProvider } from './CrossplaneResourceProvider';

/** Config key of the provider's schedule; every 5 minutes by default. */
const SCHEDULE_KEY = 'catalog.providers.crossplaneResources.schedule';

/**
 * Adds {@link CrossplaneResourceProvider} to the catalog: every resource requested through
 * Paved's Crossplane self-service becomes a `Resource` entity.
 *
 * @public
 */
export const catalogModuleCrossplaneResources = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'crossplane-resources',
  register(reg) {
    reg.registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        events: eventsServiceRef,
      },
      async init({ catalog, config, ...services }) {
        // Events refresh the entities within seconds; the schedule heals a lost event.
        const schedule = config.has(SCHEDULE_KEY)
          ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
              config.getConfig(SCHEDULE_KEY),
            )
          : {
              frequency: { minutes: 5 },
              timeout: { minutes: 2 },
              initialDelay: { seconds: 15 },
            };
        catalog.addEntityProvider(
          new CrossplaneResourceProvider({
            ...services,
            schedule,
            appBaseUrl: config.getString('app.baseUrl'),
          }),
        );
      },
    });
  },
});
