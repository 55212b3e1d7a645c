import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  /**
   * Paved's Crossplane plugin. Clusters come from `kubernetes.clusterLocatorMethods` (entries of
   * type `config`), the list Backstage's Kubernetes plugin reads.
   */
  crossplane?: {
    offerings?: {
      /**
       * Names of CompositeResourceDefinitions offered to teams besides those labelled
       * `paved.dev/offered: "true"`, e.g. `postgresqlinstances.platform.example.com`.
       */
      allow?: string[];
    };
    /**
     * Where teams may request infrastructure. A resource is created in the owning team's
     * namespace (the Group's name) on the environment's cluster.
     */
    environments?: Array<{
      /** e.g. `dev`, `prod`. */
      name: string;
      title?: string;
      /** A cluster name from kubernetes.clusterLocatorMethods. */
      cluster: string;
      approval?: {
        /**
         * Requests wait for an approver (`paved.permissions.approvers`) before anything is
         * created. Default false.
         */
        required?: boolean;
      };
    }>;
    /** Limits per offering, enforced on the server and shown in the form before submitting. */
    guardrails?: Array<{
      /** The offering's XRD name. */
      offering: string;
      /** Teams (group refs) that may request it; every team when absent. */
      teams?: string[];
      /** Live resources of the offering each team may have per environment. */
      quotaPerTeam?: number;
      limits?: Array<{
        /** Dotted path in the resource's spec, e.g. `parameters.storageGB`. */
        field: string;
        /** Environments the limit applies in; all when absent. */
        environments?: string[];
        minimum?: number;
        maximum?: number;
        enum?: Array<string | number | boolean>;
        maxLength?: number;
        maxItems?: number;
      }>;
    }>;
    delivery?: {
      /**
       * How often queued requests (cluster unreachable at submit, or interrupted by a restart)
       * are retried. Default every 15 seconds.
       */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
    };
  };
}
