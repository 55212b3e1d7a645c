import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  catalog?: {
    providers?: {
      /**
       * The catalog's `Resource` entities for infrastructure requested through Paved
       * (`@paved/plugin-catalog-backend-module-crossplane`).
       */
      crossplaneResources?: {
        /**
         * How often all entities are read again from the crossplane backend, besides after
         * every request change. Default every 5 minutes (timeout 2 minutes).
         */
        schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      };
    };
  };
}
