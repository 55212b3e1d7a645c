import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
  LoggerService,
  UrlReaderService,
} from '@backstage/backend-plugin-api';
import {
  CompoundEntityRef,
  Entity,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { Config, readDurationFromConfig } from '@backstage/config';
import { NotFoundError } from '@backstage/errors';
import {
  FactLifecycle,
  FactRetriever,
  TechInsightsStore,
} from '@backstage-community/plugin-tech-insights-node';
import { CatalogService } from '@backstage/plugin-catalog-node';

/** What one retriever did for the entity: how many facts it stored, or why it could not. */
export type RetrieverRefresh =
  | { id: string; facts: number }
  | { id: string; error: string };

/** Answer of `POST /entity-refresh`. */
export interface EntityRefreshResult {
  entityRef: string;
  retrievers: RetrieverRefresh[];
}

type EntityFilter = NonNullable<FactRetriever['entityFilter']>;

/**
 * Runs the refreshable fact retrievers for one entity, as Tech Insights' scheduler runs them for
 * all: same context, the lifecycle configured under `techInsights.factRetrievers.<id>`, facts
 * stored in Tech Insights' own store. Retrievers Tech Insights does not run (not configured) or
 * that do not describe this kind of entity are left out.
 */
export class EntityFactRefresher {
  constructor(
    private readonly options: {
      /** Refreshable retrievers by id; modules add to it until the backend has started. */
      retrievers: ReadonlyMap<string, FactRetriever>;
      config: Config;
      discovery: DiscoveryService;
      logger: LoggerService;
      auth: AuthService;
      urlReader: UrlReaderService;
      catalog: CatalogService;
      store: TechInsightsStore;
    },
  ) {}

  /** Ids of the retrievers a refresh runs, in the order added. */
  configuredRetrieverIds(): string[] {
    return [...this.options.retrievers.keys()].filter(id =>
      this.options.config.has(`techInsights.factRetrievers.${id}`),
    );
  }

  async refresh(
    ref: CompoundEntityRef,
    credentials: BackstageCredentials,
  ): Promise<EntityRefreshResult> {
    const { catalog, config, logger } = this.options;
    const entityRef = stringifyEntityRef(ref);
    const entity = await catalog.getEntityByRef(entityRef, { credentials });
    if (!entity) {
      throw new NotFoundError(`No entity ${entityRef} in the catalog`);
    }
    const namespace = entity.metadata.namespace ?? 'default';
    const oneEntity = {
      kind: entity.kind,
      'metadata.namespace': namespace,
      'metadata.name': entity.metadata.name,
    };

    const ids = this.configuredRetrieverIds().filter(id =>
      matches(entity, this.options.retrievers.get(id)!.entityFilter),
    );
    // Each retriever on its own: one that fails must not keep the others' facts from the entity.
    const retrievers = await Promise.all(
      ids.map(async (id): Promise<RetrieverRefresh> => {
        const retriever = this.options.retrievers.get(id)!;
        try {
          const facts = await retriever.handler({
            config,
            discovery: this.options.discovery,
            logger: logger.child({ factRetrieverId: id }),
            auth: this.options.auth,
            urlReader: this.options.urlReader,
            entityFilter: oneEntity,
          });
          // A retriever that ignores the filter must not overwrite other entities' facts.
          const own = facts.filter(
            fact =>
              stringifyEntityRef(fact.entity).toLocaleLowerCase('en-US') ===
              entityRef.toLocaleLowerCase('en-US'),
          );
          await this.options.store.insertFacts({
            id: retriever.id,
            facts: own,
            lifecycle: readLifecycle(config, id),
          });
          return { id, facts: own.length };
        } catch (error) {
          logger.warn('Could not refresh an entity’s facts', {
            factRetrieverId: id,
            entityRef,
            error: String(error),
          });
          return { id, error: String(error) };
        }
      }),
    );
    logger.info('Refreshed an entity’s facts', {
      entityRef,
      retrievers: retrievers.map(r => r.id).join(','),
      failed: retrievers.filter(r => 'error' in r).length,
    });
    return { entityRef, retrievers };
  }
}

/** The lifecycle as Tech Insights reads it for its scheduled runs. */
function readLifecycle(config: Config, id: string): FactLifecycle | undefined {
  const lifecycle = config.getOptionalConfig(
    `techInsights.factRetrievers.${id}.lifecycle`,
  );
  if (!lifecycle) return undefined;
  if (lifecycle.has('maxItems')) {
    return { maxItems: lifecycle.getNumber('maxItems') };
  }
  return {
    timeToLive: readDurationFromConfig(lifecycle.getConfig('timeToLive')),
  };
}

/**
 * Whether the entity is one the retriever describes, by its `entityFilter` (catalog filter
 * semantics: any record of the list, every field of a record, values compared case-insensitively).
 */
function matches(entity: Entity, filter: EntityFilter | undefined): boolean {
  if (!filter) return true;
  const records = Array.isArray(filter) ? filter : [filter];
  return records.some(record =>
    Object.entries(record).every(([path, wanted]) => {
      const value = path
        .split('.')
        .reduce<unknown>(
          (node, key) =>
            node && typeof node === 'object'
              ? (node as Record<string, unknown>)[key]
              : undefined,
          entity,
        );
      if (value === undefined) return false;
      const values = (Array.isArray(value) ? value : [value]).map(v =>
        String(v).toLocaleLowerCase('en-US'),
      );
      const wantedValues = Array.isArray(wanted) ? wanted : [wanted];
      return wantedValues.some(
        w =>
          typeof w === 'symbol' ||
          values.includes(w.toLocaleLowerCase('en-US')),
      );
    }),
  );
}
