import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  /** Paved's scorecards (plugins/scorecards-backend/README.md). */
  scorecards?: {
    /**
     * Level names from the lowest up; an entity reaches a level when every check of it and of
     * every level below passes. Default: Bronze, Silver, Gold.
     */
    levels?: string[];
    /** When every component is scored; default every 10 minutes, first 20 s after start. */
    schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
    retention?: {
      /** Days of history kept; default 365. */
      days?: number;
    };
    /** The checks. Validated at start-up: a bad one stops the backend, naming it. */
    checks?: Array<{
      /** Lower-case letters, digits and dashes; unique. */
      id: string;
      title: string;
      description: string;
      /** One of `levels`. */
      level: string;
      /** Tech Insights fact retriever ids whose facts the rule reads. */
      factIds: string[];
      /** A json-rules-engine rule on those facts. */
      rule: { conditions: object };
      remediation: {
        text: string;
        /** A page explaining the fix. */
        url?: string;
        /**
         * A Paved action that makes the fix, e.g. a fix-it template: a path in Paved or an
         * http(s) URL, in which {entityRef}, {namespace}, {kind} and {name} are filled in.
         */
        action?: { title: string; url: string };
      };
    }>;
  };
}
