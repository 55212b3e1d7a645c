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
       * The namespace Argo CD runs in, where it reads AppProjects; defaults to `argocd`.
       * Applications outside it count only when their project lists their namespace in
       * `spec.sourceNamespaces`, as Argo CD requires.
       */
      controlPlaneNamespace?: string;
      /**
       * Base URL of this instance's Argo CD UI, e.g. https://argocd.example.com, for links.
       */
      url?: string;
    }>;
    /**
     * How the SSO groups in AppProject roles (`spec.roles[].groups`) name catalog Groups, for the
     * `HAS_PROJECT_ROLE` permission rule. Argo CD's Dex GitHub connector names a team
     * `<org>:<team-slug>`; it is taken to be the catalog Group `group:<namespace>/<team-slug>`,
     * as Backstage's GitHub org ingestion names it. Without this block no role maps to a Group.
     */
    projectRoleGroups?: {
      /** The GitHub organisation whose teams are catalog Groups of the same name. */
      org: string;
      /** Catalog namespace of those Groups; defaults to `default`. */
      namespace?: string;
    };
    /**
     * At most one change signal is broadcast per this many milliseconds, naming every
     * instance on which something changed meanwhile. Defaults to 500.
     */
    signalIntervalMs?: number;
  };
}
