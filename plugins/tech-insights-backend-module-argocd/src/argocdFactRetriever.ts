import {
  CompoundEntityRef,
  Entity,
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
  EntityApplicationsResponse,
  isArgocdAvailable,
} from '@paved/plugin-argocd-common';
import { ArgocdFactStore, StoredArgocdFacts } from './ArgocdFactStore';

/** Id of the Argo CD fact retriever, for checks' `factIds` and `techInsights.factRetrievers`. */
export const ARGOCD_FACT_RETRIEVER_ID = 'argocdDeploymentFactRetriever';

/** Environment names that are production when `paved.productionEnvironments` is not set. */
export const DEFAULT_PRODUCTION_ENVIRONMENTS = ['prod', 'production'];

const CONCURRENCY = 4;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Counts of a run, for its log line. */
interface ArgocdRunSummary {
  components: number;
  /** Requests sent to the Argo CD backend: one per component with an Argo CD annotation. */
  requests: number;
  /** Components answered from their last facts, marked stale. */
  stale: number;
}

/** What is stored per entity; days are computed when the facts are returned. */
interface DeploymentFacts {
  deployedWithArgoCd: boolean;
  applications: number;
  allAppsSynced: boolean | null;
  allAppsHealthy: boolean | null;
  productionDeployedAt: string | null;
}

/**
 * The Argo CD instances that deploy to production: those named in `paved.productionEnvironments`
 * (default `prod`, `production`), and those that `paved.goldenPaths.environments` maps such an
 * environment to (the sandbox's `prod` is the instance `sandbox-prod`).
 */
export function readProductionInstances(config: Config): Set<string> {
  const production = new Set(
    config.getOptionalStringArray('paved.productionEnvironments') ??
      DEFAULT_PRODUCTION_ENVIRONMENTS,
  );
  const instances = new Set(production);
  for (const environment of config.getOptionalConfigArray(
    'paved.goldenPaths.environments',
  ) ?? []) {
    if (production.has(environment.getString('name'))) {
      instances.add(environment.getString('argocdInstance'));
    }
  }
  return instances;
}

/**
 * The Argo CD fact retriever: for each component, whether Argo CD deploys it, whether all its
 * Applications are Synced and Healthy, and how long ago production was last deployed. It asks
 * Paved's Argo CD backend, which answers from its watch cache, so collecting makes no
 * Kubernetes call. While an instance the entity is searched on cannot be read, the entity's
 * last facts are returned again with `stale: true` and their original `collectedAt`.
 */
export function createArgocdFactRetriever(options: {
  catalog: CatalogService;
  store: ArgocdFactStore;
  productionInstances: Set<string>;
  logger: LoggerService;
}): FactRetriever {
  const { catalog, store, productionInstances, logger } = options;

  return {
    id: ARGOCD_FACT_RETRIEVER_ID,
    version: '0.1.0',
    title: 'Argo CD deployments',
    description:
      'Whether Argo CD deploys the component, whether its Applications are Synced and Healthy, and days since its last production deployment',
    entityFilter: [{ kind: 'component' }],
    schema: {
      deployedWithArgoCd: {
        type: 'boolean',
        description:
          'An Argo CD annotation selects at least one Application of the component',
      },
      applications: {
        type: 'integer',
        description: "Argo CD Applications the component's annotations select",
      },
      allAppsSynced: {
        type: 'boolean',
        description:
          'Every Application is Synced (null when there is no Application)',
      },
      allAppsHealthy: {
        type: 'boolean',
        description:
          'Every Application is Healthy (null when there is no Application)',
      },
      productionDeployedDaysAgo: {
        type: 'integer',
        description:
          'Days since the newest sync of an Application on a production instance (null when never deployed there)',
      },
      stale: {
        type: 'boolean',
        description:
          'An Argo CD instance could not be read: these are the last facts known',
      },
      collectedAt: {
        type: 'datetime',
        description: 'When these facts were read from Argo CD',
      },
    },
    async handler(context: FactRetrieverContext) {
      const { auth, discovery } = context;
      const credentials = await auth.getOwnServiceCredentials();
      // A re-run of one scorecard narrows the run to its entity.
      const { items } = await catalog.getEntities(
        {
          filter: context.entityFilter ?? { kind: 'Component' },
          fields: ['kind', 'metadata'],
        },
        { credentials },
      );
      const components = items.filter(
        entity => entity.kind.toLowerCase() === 'component',
      );
      const summary: ArgocdRunSummary = {
        components: components.length,
        requests: 0,
        stale: 0,
      };
      const baseUrl = await discovery.getBaseUrl('argocd');
      const { token } = await auth.getPluginRequestToken({
        onBehalfOf: credentials,
        targetPluginId: 'argocd',
      });

      const readApplications = async (
        ref: CompoundEntityRef,
      ): Promise<Response> => {
        summary.requests++;
        const path = [ref.kind, ref.namespace, ref.name]
          .map(encodeURIComponent)
          .join('/');
        return fetch(`${baseUrl}/entity/${path}/applications`, {
          headers: { Authorization: `Bearer ${token}` },
        });
      };

      const lastFacts = async (
        entityRef: CompoundEntityRef,
        reason: string,
      ): Promise<TechInsightFact | undefined> => {
        const last = await store.getFacts(stringifyEntityRef(entityRef));
        logger.warn('Could not read Argo CD; keeping the last facts', {
          entity: stringifyEntityRef(entityRef),
          reason,
          kept: Boolean(last),
        });
        if (!last) return undefined;
        summary.stale++;
        return toFact(entityRef, last, true);
      };

      const factFor = async (
        entity: Entity,
      ): Promise<TechInsightFact | undefined> => {
        const ref = refOf(entity);
        const entityRef = stringifyEntityRef(ref);
        if (!isArgocdAvailable(entity)) {
          // Nothing to ask Argo CD, and nothing that could go stale.
          return toFact(
            ref,
            {
              facts: { ...deploymentFacts([], productionInstances) },
              collectedAt: new Date(),
            },
            false,
          );
        }
        let res: Response;
        try {
          res = await readApplications(ref);
        } catch (error) {
          return lastFacts(ref, String(error));
        }
        let facts: DeploymentFacts;
        if (res.status === 404) {
          // Gone from the catalog since it was listed.
          return undefined;
        } else if (res.status === 400) {
          // Annotations that select nothing (a malformed selector, an unknown instance): the
          // component is not deployed through Argo CD as far as Paved can tell.
          logger.warn('Argo CD annotations of an entity select nothing', {
            entity: entityRef,
            error: (await ResponseError.fromResponse(res)).message,
          });
          facts = deploymentFacts([], productionInstances);
        } else if (!res.ok) {
          return lastFacts(
            ref,
            (await ResponseError.fromResponse(res)).message,
          );
        } else {
          const body = (await res.json()) as EntityApplicationsResponse;
          const unread = body.instances.filter(i => i.status !== 'ready');
          if (unread.length > 0) {
            return lastFacts(
              ref,
              unread
                .map(i => `${i.instance} is ${i.status}: ${i.error ?? ''}`)
                .join('; '),
            );
          }
          facts = deploymentFacts(body.applications, productionInstances);
        }
        const stored = { facts: { ...facts }, collectedAt: new Date() };
        await store.saveFacts(entityRef, stored);
        return toFact(ref, stored, false);
      };

      const facts: TechInsightFact[] = [];
      const queue = [...components];
      const worker = async () => {
        for (let entity = queue.shift(); entity; entity = queue.shift()) {
          const fact = await factFor(entity);
          if (fact) facts.push(fact);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      logger.info('Collected Argo CD facts', { ...summary });
      return facts;
    },
  };
}

function refOf(entity: Entity): CompoundEntityRef {
  return {
    kind: entity.kind,
    namespace: entity.metadata.namespace ?? 'default',
    name: entity.metadata.name,
  };
}

function deploymentFacts(
  applications: EntityApplicationsResponse['applications'],
  productionInstances: Set<string>,
): DeploymentFacts {
  const any = applications.length > 0;
  const productionSyncs = applications
    .filter(app => productionInstances.has(app.instance) && app.lastSyncedAt)
    .map(app => Date.parse(app.lastSyncedAt!))
    .filter(time => !Number.isNaN(time));
  return {
    deployedWithArgoCd: any,
    applications: applications.length,
    // null rather than a vacuous true: a check on these fails for a service with nothing deployed.
    allAppsSynced: any
      ? applications.every(app => app.sync.status === 'Synced')
      : null,
    allAppsHealthy: any
      ? applications.every(app => app.health.status === 'Healthy')
      : null,
    productionDeployedAt:
      productionSyncs.length > 0
        ? new Date(Math.max(...productionSyncs)).toISOString()
        : null,
  };
}

function toFact(
  entity: CompoundEntityRef,
  stored: StoredArgocdFacts,
  stale: boolean,
): TechInsightFact {
  const { productionDeployedAt, ...facts } =
    stored.facts as unknown as DeploymentFacts;
  return {
    entity,
    facts: {
      ...facts,
      productionDeployedDaysAgo: productionDeployedAt
        ? Math.floor((Date.now() - Date.parse(productionDeployedAt)) / DAY_MS)
        : null,
      stale,
      collectedAt: stored.collectedAt.toISOString(),
    },
  };
}
