export interface Config {
  paved?: {
    /**
     * Environments that are production, for scorecard facts: an Argo CD instance is production
     * when its name is listed, or when `paved.goldenPaths.environments` maps a listed
     * environment to it; a Crossplane resource when its `crossplane.environments` entry is
     * listed. Default `[prod, production]`.
     */
    productionEnvironments?: string[];
  };
}
