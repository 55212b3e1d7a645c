import { Config } from '@backstage/config';

/** Where golden-path templates publish new repositories and images. */
export interface RepositoryDestination {
  /** GitHub host as the integration names it, e.g. `github.com`. */
  host: string;
  /** Organisation that owns new repositories, e.g. `acme`. */
  owner: string;
  /** Base of clone URLs, e.g. `https://github.com`; `<base>/<owner>/<repo>.git`. */
  cloneUrlBase: string;
  /** Base of web URLs, e.g. `https://github.com`. */
  webUrlBase: string;
  /** Container registry and namespace for images, e.g. `ghcr.io/acme`. */
  imageRepositoryBase: string;
}

/** `paved.goldenPaths.repository` with GitHub's defaults. */
export function readRepositoryDestination(
  config: Config,
): RepositoryDestination | undefined {
  const repository = config.getOptionalConfig('paved.goldenPaths.repository');
  if (!repository) return undefined;
  const host = repository.getString('host');
  const owner = repository.getString('owner');
  const webUrlBase =
    repository.getOptionalString('webUrlBase') ?? `https://${host}`;
  return {
    host,
    owner,
    webUrlBase,
    cloneUrlBase: repository.getOptionalString('cloneUrlBase') ?? webUrlBase,
    imageRepositoryBase:
      repository.getOptionalString('imageRepositoryBase') ?? `ghcr.io/${owner}`,
  };
}
