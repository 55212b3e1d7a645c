export interface Config {
  paved?: {
    goldenPaths?: {
      /**
       * The environments golden-path templates deploy to, in order. Each names the Argo CD
       * instance (see `argocd.instances`, or a cluster name when that is absent) whose cluster
       * holds its Applications.
       */
      environments?: Array<{
        /** What templates call it, e.g. `dev`. */
        name: string;
        /** Display title, e.g. `Development`. */
        title?: string;
        /** The Argo CD instance that deploys to it. */
        argocdInstance: string;
      }>;
    };
  };
}
