/*
 * The retriever inside Tech Insights, asking the real Crossplane backend over HTTP with its
 * service token, against Kubernetes API stand-ins serving the sandbox's offerings and running
 * its simulated Crossplane.
 */
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import techInsightsPlugin from '@backstage-community/plugin-tech-insights-backend';
import {
  FactRetriever,
  FactRetrieverContext,
  TechInsightFact,
} from '@backstage-community/plugin-tech-insights-node';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import crossplanePlugin from '@paved/plugin-crossplane-backend';
import { techInsightsEntityRefreshExtensionPoint } from '@paved/plugin-tech-insights-backend-module-entity-refresh';
import {
  KubernetesStandIn,
  eventually,
  standInClusterConfig,
  standInKubeConfig,
  startKubernetesStandIn,
} from '@paved/sandbox';
import { CROSSPLANE_FACT_RETRIEVER_ID } from './crossplaneFactRetriever';
import crossplaneFactsModule from '.';

jest.setTimeout(90_000);

const TOKEN = 'crossplane-facts-test-token';
const NAMESPACE = 'team-payments';
const DATABASES = {
  group: 'platform.paved.dev',
  version: 'v1alpha1',
  plural: 'postgresqlinstances',
};
const CACHES = { ...DATABASES, plural: 'caches' };

function component(name: string, dependsOn: string[] = []): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: { 'backstage.io/kubernetes-id': name },
    },
    spec: {
      type: 'service',
      owner: 'team-payments',
      lifecycle: 'production',
      dependsOn,
    },
    // As the catalog's processors derive it from spec.dependsOn.
    relations: dependsOn.map(targetRef => ({ type: 'dependsOn', targetRef })),
  };
}

/** A database of the catalog as its own Resource, as the demo's payments-db is. */
const ordersDb: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'orders-db',
    namespace: 'default',
    annotations: { 'backstage.io/kubernetes-id': 'orders-db' },
  },
  spec: { type: 'database', owner: 'team-payments' },
};

interface Cluster {
  standIn: KubernetesStandIn;
  objects: CustomObjectsApi;
}

async function startCluster(clusterName: string): Promise<Cluster> {
  const standIn = await startKubernetesStandIn({
    clusterName,
    token: TOKEN,
    controllers: {
      crossplane: true,
      argoCd: false,
      workloads: false,
      delayMs: 50,
    },
  });
  const kubeConfig = standInKubeConfig(standIn, TOKEN);
  await kubeConfig
    .makeApiClient(CoreV1Api)
    .createNamespace({ body: { metadata: { name: NAMESPACE } } });
  return { standIn, objects: kubeConfig.makeApiClient(CustomObjectsApi) };
}

/** A PostgreSQL database of a service, as the sandbox's demo seeds them. */
async function createDatabase(
  cluster: Cluster,
  name: string,
  service: string,
  parameters: Record<string, unknown>,
) {
  await cluster.objects.createNamespacedCustomObject({
    ...DATABASES,
    namespace: NAMESPACE,
    body: {
      apiVersion: 'platform.paved.dev/v1alpha1',
      kind: 'PostgreSQLInstance',
      metadata: {
        name,
        labels: { 'backstage.io/kubernetes-id': service },
      },
      spec: { parameters: { storageGB: 20, ...parameters } },
    },
  });
}

describe('Crossplane fact retriever against the Crossplane backend', () => {
  let dev: Cluster;
  let prod: Cluster;
  let stopBackend: () => Promise<void>;
  const refreshable: Record<string, FactRetriever> = {};
  let context: Omit<FactRetrieverContext, 'entityFilter'>;

  // Stands in for the entity-refresh module (built elsewhere): provides its extension point and
  // hands the test the context Tech Insights gives retrievers.
  const entityRefreshStandIn = createBackendModule({
    pluginId: 'tech-insights',
    moduleId: 'test-entity-refresh',
    register(env) {
      env.registerExtensionPoint(techInsightsEntityRefreshExtensionPoint, {
        addRefreshableFactRetrievers(retrievers) {
          Object.assign(refreshable, retrievers);
        },
      });
      env.registerInit({
        deps: {
          auth: coreServices.auth,
          config: coreServices.rootConfig,
          discovery: coreServices.discovery,
          logger: coreServices.logger,
          urlReader: coreServices.urlReader,
        },
        async init(deps) {
          context = deps;
        },
      });
    },
  });

  async function collect(entityFilter?: FactRetrieverContext['entityFilter']) {
    const facts = await refreshable[CROSSPLANE_FACT_RETRIEVER_ID].handler({
      ...context,
      entityFilter,
    });
    return new Map<string, TechInsightFact['facts']>(
      facts.map(f => [f.entity.name, f.facts]),
    );
  }

  beforeAll(async () => {
    dev = await startCluster('dev');
    prod = await startCluster('prod');
    // payments: one protected production database; a cache and a dev database do not count.
    await createDatabase(prod, 'payments-db', 'payments', {
      backups: { enabled: true },
      deletionProtection: true,
    });
    await createDatabase(dev, 'payments-dev-db', 'payments', {
      backups: { enabled: false },
      deletionProtection: false,
    });
    await prod.objects.createNamespacedCustomObject({
      ...CACHES,
      namespace: NAMESPACE,
      body: {
        apiVersion: 'platform.paved.dev/v1alpha1',
        kind: 'Cache',
        metadata: {
          name: 'payments-sessions',
          labels: { 'backstage.io/kubernetes-id': 'payments' },
        },
        spec: { parameters: { engine: 'redis', memoryMB: 1024 } },
      },
    });
    // ledger: one database without backups (deletion protection left to the XRD's default) and
    // one whose deletion protection is switched off.
    await createDatabase(prod, 'ledger-db', 'ledger', {
      backups: { enabled: false },
    });
    await createDatabase(prod, 'ledger-archive', 'ledger', {
      backups: {},
      deletionProtection: false,
    });

    // orders: its database is the Resource it depends on, without deletion protection.
    await createDatabase(prod, 'orders-db', 'orders-db', {
      backups: { enabled: true },
      deletionProtection: false,
    });

    const backend = await startTestBackend({
      features: [
        crossplanePlugin,
        techInsightsPlugin,
        crossplaneFactsModule,
        entityRefreshStandIn,
        mockServices.rootConfig.factory({
          data: {
            kubernetes: {
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: [
                    standInClusterConfig(dev.standIn, TOKEN),
                    standInClusterConfig(prod.standIn, TOKEN),
                  ],
                },
              ],
            },
            crossplane: {
              environments: [
                { name: 'dev', cluster: 'dev' },
                { name: 'prod', cluster: 'prod' },
              ],
            },
            // Tech Insights adds only configured retrievers; this one's schedule never comes
            // round during the test, which runs it by hand.
            techInsights: {
              factRetrievers: {
                [CROSSPLANE_FACT_RETRIEVER_ID]: { cadence: '0 0 1 1 *' },
              },
            },
            // The real permission client: it decides for service principals itself, as in
            // production, so this shows the Crossplane backend serves the retriever's token.
            permission: { enabled: true },
          },
        }),
        catalogServiceMock.factory({
          entities: [
            component('payments'),
            component('ledger'),
            component('frontend'),
            // A dangling dependency (no such Resource) adds nothing.
            component('orders', [
              'resource:default/orders-db',
              'resource:default/retired-db',
            ]),
            ordersDb,
          ],
        }),
        permissionsServiceFactory,
      ],
    });
    stopBackend = () => backend.stop();
  });

  afterAll(async () => {
    await stopBackend?.();
    await Promise.all([dev?.standIn.stop(), prod?.standIn.stop()]);
  });

  it('counts production databases without backups or deletion protection, with no Kubernetes request beyond the cache watch', async () => {
    await eventually(async () => {
      const collected = await collect();
      expect(collected.get('ledger')).toMatchObject({
        productionDatabases: 2,
      });
    }, 30_000);
    dev.standIn.resetRequestCounts();
    prod.standIn.resetRequestCounts();
    const facts = await collect();
    expect(dev.standIn.requests().total).toBe(0);
    expect(prod.standIn.requests().total).toBe(0);

    expect(facts.get('payments')).toEqual({
      productionDatabases: 1,
      productionDatabasesWithoutBackups: 0,
      productionDatabasesWithoutDeletionProtection: 0,
    });
    expect(facts.get('ledger')).toEqual({
      productionDatabases: 2,
      // ledger-archive's backups are on by the XRD's default.
      productionDatabasesWithoutBackups: 1,
      productionDatabasesWithoutDeletionProtection: 1,
    });
    expect(facts.get('orders')).toEqual({
      productionDatabases: 1,
      productionDatabasesWithoutBackups: 0,
      productionDatabasesWithoutDeletionProtection: 1,
    });
    // No production database: nothing to protect, so the Gold check passes.
    expect(facts.get('frontend')).toEqual({
      productionDatabases: 0,
      productionDatabasesWithoutBackups: 0,
      productionDatabasesWithoutDeletionProtection: 0,
    });
  });

  it('collects one entity when the run is narrowed to it', async () => {
    const facts = await collect({
      kind: 'component',
      'metadata.namespace': 'default',
      'metadata.name': 'ledger',
    });
    expect([...facts.keys()]).toEqual(['ledger']);
  });

  it('gives no new facts while a production cluster cannot be read, so the last ones stay', async () => {
    await prod.standIn.stop();
    const facts = await eventually(async () => {
      const collected = await collect();
      expect(collected.has('payments')).toBe(false);
      return collected;
    }, 30_000);
    expect([...facts.keys()]).toEqual([]);
  });
});
