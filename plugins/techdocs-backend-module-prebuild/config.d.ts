import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  techdocs?: {
    prebuild?: {
      /**
       * When to build every entity's docs. Runs only with `techdocs.builder: local`; with an
       * external builder CI publishes the docs. Defaults to shortly after start, then hourly.
       */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
    };
  };
}
