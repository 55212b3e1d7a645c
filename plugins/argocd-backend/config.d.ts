export interface Config {
  /**
   * Paved's Argo CD plugin. Clusters come from `kubernetes.clusterLocatorMethods` (entries of
   * type `config`), the list Backstage's Kubernetes plugin reads.
   */
  argocd?: {
    /**
     * The Argo CD installations whose Applications are shown. When absent, every configured
     * Kubernetes cluster is one instance, named after the cluster.
     */
    instances?: Array<{
      /** Name used in the `argocd/instance-name` annotation and in API paths. */
      name: string;
      /** Name of a cluster under `kubernetes.clusterLocatorMethods[].clusters[]` holding the Application resources. */
      cluster: string;
      /** Display title, e.g. "Production (eu-west-1)"; defaults to `name`. */
      title?: string;
      /** Namespaces to read Applications from; all namespaces when absent. */
      namespaces?: string[];
      /**
       * Base URL of this instance's Argo CD UI, e.g. https://argocd.example.com, for links.
       */
      url?: string;
    }>;
    /**
     * At most one change signal is broadcast per this many milliseconds, carrying every
     * Application that changed meanwhile. Defaults to 500.
     */
    signalIntervalMs?: number;
  };
}
