import {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { CatalogService } from '@backstage/plugin-catalog-node';

const TECHDOCS_REF = 'backstage.io/techdocs-ref';

export interface PrebuildResult {
  built: number;
  upToDate: number;
  failed: string[];
}

/**
 * Asks the TechDocs backend to sync every entity that has docs, one at a time, through the same
 * `/sync` endpoint the reader uses, so the builder's own freshness check and publisher apply.
 */
export async function prebuildAllDocs(deps: {
  auth: AuthService;
  catalog: CatalogService;
  discovery: DiscoveryService;
  logger: LoggerService;
}): Promise<PrebuildResult> {
  const { auth, catalog, discovery, logger } = deps;
  const credentials = await auth.getOwnServiceCredentials();
  const { items } = await catalog.getEntities(
    {
      filter: {
        [`metadata.annotations.${TECHDOCS_REF}`]: CATALOG_FILTER_EXISTS,
      },
      fields: ['kind', 'metadata.namespace', 'metadata.name'],
    },
    { credentials },
  );
  const baseUrl = await discovery.getBaseUrl('techdocs');
  const result: PrebuildResult = { built: 0, upToDate: 0, failed: [] };

  for (const entity of items) {
    const path = [
      entity.metadata.namespace ?? 'default',
      entity.kind,
      entity.metadata.name,
    ]
      .map(encodeURIComponent)
      .join('/');
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: credentials,
      targetPluginId: 'techdocs',
    });
    try {
      const outcome = await syncDocs(`${baseUrl}/sync/${path}`, token);
      if (outcome === 'updated') result.built += 1;
      else result.upToDate += 1;
    } catch (error) {
      result.failed.push(path);
      logger.warn(`Could not build docs for ${path}: ${error}`);
    }
  }
  return result;
}

/** Reads the sync endpoint's event stream to its end: `finish` or `error`. */
async function syncDocs(
  url: string,
  token: string,
): Promise<'updated' | 'unchanged'> {
  const res = await fetch(url, {
    headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' },
  });
  const body = await res.text();
  if (!res.ok) {
    throw new Error(`${res.status} ${body.slice(0, 300)}`);
  }
  const events = [...body.matchAll(/^event: (\w+)\ndata: (.*)$/gm)];
  const error = events.find(([, event]) => event === 'error');
  if (error) {
    throw new Error(JSON.parse(error[2]));
  }
  const finish = events.find(([, event]) => event === 'finish');
  if (!finish) {
    throw new Error('the build ended without a result');
  }
  return JSON.parse(finish[2]).updated ? 'updated' : 'unchanged';
}
