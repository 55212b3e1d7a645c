export interface Config {
  paved?: {
    goldenPaths?: {
      /**
       * Where golden-path templates create repositories. Without it the templates' check step
       * fails, saying this key is missing.
       */
      repository?: {
        /** GitHub host, as under `integrations.github[].host`, e.g. `github.com`. */
        host: string;
        /** The organisation that owns new repositories. */
        owner: string;
        /** Base of repository web URLs; defaults to `https://<host>`. */
        webUrlBase?: string;
        /** Base of clone URLs (Argo CD's `repoURL`); defaults to `webUrlBase`. */
        cloneUrlBase?: string;
        /** Registry path images are pushed to; defaults to `ghcr.io/<owner>`. */
        imageRepositoryBase?: string;
      };
      /**
       * Environments templates may deploy to (`argocd:create-application` maps each to its Argo CD
       * instance); the check step refuses any other before anything is created.
       */
      environments?: Array<{
        name: string;
        title?: string;
        argocdInstance: string;
      }>;
    };
  };
}
