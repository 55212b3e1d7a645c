import {
  Entity,
  RELATION_DEPENDS_ON,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { ResponseError } from '@backstage/errors';
import {
  FactRetriever,
  FactRetrieverContext,
  TechInsightFact,
} from '@backstage-community/plugin-tech-insights-node';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  EntityResourcesResponse,
  LiveResource,
  OfferingsResponse,
} from '@paved/plugin-crossplane-common';

/** Id of the Crossplane fact retriever, for checks' `factIds` and `techInsights.factRetrievers`. */
export const CROSSPLANE_FACT_RETRIEVER_ID =
  'crossplaneInfrastructureFactRetriever';

/** Environment names that are production when `paved.productionEnvironments` is not set. */
export const DEFAULT_PRODUCTION_ENVIRONMENTS = ['prod', 'production'];

/** The offerings' `paved.dev/resource-type` whose resources count as databases. */
const DATABASE_TYPE = 'database';

const CONCURRENCY = 4;

/** The `crossplane.environments` names that are production (`paved.productionEnvironments`). */
export function readProductionEnvironments(config: Config): Set<string> {
  return new Set(
    config.getOptionalStringArray('paved.productionEnvironments') ??
      DEFAULT_PRODUCTION_ENVIRONMENTS,
  );
}

/**
 * Whether a database's parameters ask for backups and deletion protection. Paved's database
 * offerings declare `spec.parameters.backups.enabled` and `spec.parameters.deletionProtection`
 * (both default true); a database without them has neither.
 */
function protectionOf(resource: LiveResource) {
  const parameters = (resource.parameters.parameters ?? {}) as {
    backups?: { enabled?: unknown };
    deletionProtection?: unknown;
  };
  return {
    backedUp: parameters.backups?.enabled === true,
    deletionProtected: parameters.deletionProtection === true,
  };
}

/** The component and the Resources it depends on: a service's database is often its own entity. */
function entitiesOf(entity: Entity): string[] {
  const resources = (entity.relations ?? [])
    .filter(
      relation =>
        relation.type === RELATION_DEPENDS_ON &&
        parseEntityRef(relation.targetRef).kind.toLowerCase() === 'resource',
    )
    .map(relation => relation.targetRef);
  return [stringifyEntityRef(entity), ...new Set(resources)];
}

/**
 * The Crossplane fact retriever: for each component, its production databases — its own and
 * those of the Resources it depends on — and how many of them lack backups or deletion
 * protection. It asks Paved's Crossplane backend, which answers from its watch cache, so
 * collecting makes no Kubernetes call. A component whose production clusters cannot all be read
 * gets no new facts, so Tech Insights keeps its last ones.
 */
export function createCrossplaneFactRetriever(options: {
  catalog: CatalogService;
  productionEnvironments: Set<string>;
  logger: LoggerService;
}): FactRetriever {
  const { catalog, productionEnvironments, logger } = options;

  return {
    id: CROSSPLANE_FACT_RETRIEVER_ID,
    version: '0.1.0',
    title: 'Crossplane infrastructure',
    description:
      "The component's production databases, and how many lack backups or deletion protection",
    entityFilter: [{ kind: 'component' }],
    schema: {
      productionDatabases: {
        type: 'integer',
        description:
          'Live databases of the component in production environments',
      },
      productionDatabasesWithoutBackups: {
        type: 'integer',
        description:
          'Of those, the ones whose parameters do not enable backups',
      },
      productionDatabasesWithoutDeletionProtection: {
        type: 'integer',
        description:
          'Of those, the ones whose parameters do not enable deletion protection',
      },
    },
    async handler(context: FactRetrieverContext) {
      const { auth, discovery } = context;
      const credentials = await auth.getOwnServiceCredentials();
      const baseUrl = await discovery.getBaseUrl('crossplane');
      const { token } = await auth.getPluginRequestToken({
        onBehalfOf: credentials,
        targetPluginId: 'crossplane',
      });
      const get = async <T>(path: string): Promise<T> => {
        const res = await fetch(`${baseUrl}${path}`, {
          headers: { Authorization: `Bearer ${token}` },
        });
        if (!res.ok) throw await ResponseError.fromResponse(res);
        return (await res.json()) as T;
      };

      const { offerings } = await get<OfferingsResponse>('/offerings');
      const databaseOfferings = new Set(
        offerings
          .filter(offering => offering.resourceType === DATABASE_TYPE)
          .map(offering => offering.name),
      );
      // A re-run of one scorecard narrows the run to its entity.
      const { items } = await catalog.getEntities(
        {
          filter: context.entityFilter ?? { kind: 'Component' },
          fields: ['kind', 'metadata', 'relations'],
        },
        { credentials },
      );
      // Several services may depend on one Resource: each is asked for once per run.
      const answers = new Map<
        string,
        Promise<EntityResourcesResponse | undefined>
      >();
      const resourcesOf = (entityRef: string) => {
        let answer = answers.get(entityRef);
        if (!answer) {
          // 404: an entity missing from the catalog (a dangling dependsOn) has no resources.
          answer = get<EntityResourcesResponse>(
            `/resources?entityRef=${encodeURIComponent(entityRef)}`,
          ).catch(error => {
            if (error instanceof ResponseError && error.statusCode === 404) {
              return undefined;
            }
            throw error;
          });
          answers.set(entityRef, answer);
        }
        return answer;
      };

      const factFor = async (
        entity: Entity,
      ): Promise<TechInsightFact | undefined> => {
        const entityRef = stringifyEntityRef(entity);
        let read: Array<EntityResourcesResponse | undefined>;
        try {
          read = await Promise.all(entitiesOf(entity).map(resourcesOf));
        } catch (error) {
          logger.warn('Could not read Crossplane resources of an entity', {
            entity: entityRef,
            error: String(error),
          });
          return undefined;
        }
        const [own, ...dependencies] = read;
        if (!own) {
          // Gone from the catalog since it was listed.
          return undefined;
        }
        const resources = new Map<string, LiveResource>();
        for (const answer of [own, ...dependencies]) {
          for (const resource of answer?.resources ?? []) {
            const { cluster, apiVersion, kind, namespace, name } = resource;
            resources.set(
              [cluster, apiVersion, kind, namespace, name].join('/'),
              resource,
            );
          }
        }
        // An unread production cluster would make its databases look absent.
        const unread = own.clusters.filter(
          cluster =>
            cluster.environment &&
            productionEnvironments.has(cluster.environment) &&
            cluster.status !== 'ready',
        );
        if (unread.length > 0) {
          logger.warn('Production cluster not read; keeping the last facts', {
            entity: entityRef,
            clusters: unread.map(c => `${c.name}: ${c.status}`).join(', '),
          });
          return undefined;
        }
        const databases = [...resources.values()]
          .filter(
            resource =>
              resource.environment &&
              productionEnvironments.has(resource.environment) &&
              databaseOfferings.has(resource.offering) &&
              !resource.deleting,
          )
          .map(protectionOf);
        return {
          entity: {
            kind: entity.kind,
            namespace: entity.metadata.namespace ?? 'default',
            name: entity.metadata.name,
          },
          facts: {
            productionDatabases: databases.length,
            productionDatabasesWithoutBackups: databases.filter(
              d => !d.backedUp,
            ).length,
            productionDatabasesWithoutDeletionProtection: databases.filter(
              d => !d.deletionProtected,
            ).length,
          },
        };
      };

      const facts: TechInsightFact[] = [];
      const queue = items.filter(
        entity => entity.kind.toLowerCase() === 'component',
      );
      const worker = async () => {
        for (let entity = queue.shift(); entity; entity = queue.shift()) {
          const fact = await factFor(entity);
          if (fact) facts.push(fact);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      logger.info('Collected Crossplane facts', {
        components: facts.length,
      });
      return facts;
    },
  };
}
