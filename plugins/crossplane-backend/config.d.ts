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
  };
}
