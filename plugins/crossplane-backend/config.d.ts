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
      /**
       * How requests reach the cluster. `direct` (the default): the plugin creates the resource
       * with its cluster credentials. `gitops`: the plugin commits the manifest to
       * `repository` on the branch `paved/request-<id>` and opens a pull request to `branch`;
       * Argo CD applies it once a person merges it. GitHub is reached through
       * `integrations.github` for the repository's host.
       */
      delivery?:
        | { type: 'direct' }
        | {
            type: 'gitops';
            /** The repository's https URL, e.g. `https://github.com/acme/platform-gitops`. */
            repository: string;
            /** The branch pull requests go to, which Argo CD syncs. Default `main`. */
            branch?: string;
            /**
             * The folder a request's file goes in, with `{environment}`, `{cluster}` and
             * `{namespace}` filled in. Default `infrastructure/{environment}/{namespace}`.
             */
            path?: string;
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
       * How often queued requests (cluster or GitHub unreachable at submit, or interrupted by a
       * restart) are retried and open pull requests are read. Default every 15 seconds.
       */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
    };
  };
}
