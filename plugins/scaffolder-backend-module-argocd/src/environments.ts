import { Config } from '@backstage/config';

/** A deployment environment templates name, and the Argo CD instance that deploys to it. */
export interface Environment {
  name: string;
  argocdInstance: string;
}

/**
 * `paved.goldenPaths.environments`: templates name environments (`dev`, `prod`); the portal's
 * config says which Argo CD instance serves each. Absent, an environment is the instance of the
 * same name.
 */
export function readEnvironments(config: Config): Environment[] {
  return (
    config.getOptionalConfigArray('paved.goldenPaths.environments') ?? []
  ).map(env => ({
    name: env.getString('name'),
    argocdInstance: env.getString('argocdInstance'),
  }));
}
