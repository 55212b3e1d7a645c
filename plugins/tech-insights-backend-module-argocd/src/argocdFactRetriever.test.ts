/*
 * The retriever inside Tech Insights, asking the real Argo CD backend over HTTP with its service
 * token, against two Kubernetes API stand-ins running the simulated Argo CD controller.
 */
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
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
import argocdPlugin from '@paved/plugin-argocd-backend';
import { techInsightsEntityRefreshExtensionPoint } from '@paved/plugin-tech-insights-backend-module-entity-refresh';
import {
  eventually,
  forceApplicationState,
  standInClusterConfig,
  standInKubeConfig,
  startKubernetesStandIn,
} from '@paved/sandbox';
import { createHash } from 'node:crypto';
import { Server } from 'node:http';
import request from 'supertest';
import { ARGOCD_FACT_RETRIEVER_ID } from './argocdFactRetriever';
import argocdFactsModule from '.';

jest.setTimeout(90_000);

const TOKEN = 'argocd-facts-test-token';

function component(name: string, annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
  };
}

const entities = [
  // On dev and on prod, both Synced and Healthy.
  component('cart', { 'argocd/app-name': 'cart' }),
  // On dev only, Degraded there.
  component('search', { 'argocd/app-name': 'search' }),
  component('unannotated', {}),
  component('bad-selector', { 'argocd/app-selector': 'tier in (web' }),
];

async function startCluster(clusterName: string) {
  const standIn = await startKubernetesStandIn({
    clusterName,
    token: TOKEN,
    controllers: {
      crossplane: false,
      workloads: false,
      delayMs: 50,
      revisionPollIntervalMs: 200,
      resolveRevision: async repoURL =>
        createHash('sha1').update(repoURL).digest('hex'),
    },
  });
  const kubeConfig = standInKubeConfig(standIn, TOKEN);
  await kubeConfig
    .makeApiClient(CoreV1Api)
    .createNamespace({ body: { metadata: { name: 'argocd' } } });
  return { standIn, objects: kubeConfig.makeApiClient(CustomObjectsApi) };
}

async function createApplication(
  cluster: { objects: CustomObjectsApi },
  name: string,
) {
  await cluster.objects.createNamespacedCustomObject({
    group: 'argoproj.io',
    version: 'v1alpha1',
    plural: 'applications',
    namespace: 'argocd',
    body: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name },
      spec: {
        project: 'default',
        source: {
          repoURL: `https://git.example.com/acme/${name}.git`,
          path: 'deploy',
          targetRevision: 'main',
        },
        destination: {
          server: 'https://kubernetes.default.svc',
          namespace: name,
        },
        syncPolicy: { automated: { prune: true } },
      },
    },
  });
}

describe('Argo CD fact retriever against the Argo CD backend', () => {
  let dev: Awaited<ReturnType<typeof startCluster>>;
  let prod: Awaited<ReturnType<typeof startCluster>>;
  let server: Server;
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
    const facts = await refreshable[ARGOCD_FACT_RETRIEVER_ID].handler({
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
    await createApplication(dev, 'cart');
    await createApplication(dev, 'search');
    await createApplication(prod, 'cart');

    const backend = await startTestBackend({
      features: [
        argocdPlugin,
        techInsightsPlugin,
        argocdFactsModule,
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
            // Tech Insights adds only configured retrievers; this one's schedule never comes
            // round during the test, which runs it by hand.
            techInsights: {
              factRetrievers: {
                [ARGOCD_FACT_RETRIEVER_ID]: { cadence: '0 0 1 1 *' },
              },
            },
            // The real permission client: it decides for service principals itself, as in
            // production, so this shows the Argo CD backend serves the retriever's token.
            permission: { enabled: true },
          },
        }),
        catalogServiceMock.factory({ entities }),
        permissionsServiceFactory,
      ],
    });
    server = backend.server;
    stopBackend = () => backend.stop();

    // Every Application synced once, and search Degraded on dev, as the cache sees them.
    const waitFor = (
      what: string,
      holds: (facts: Map<string, any>) => boolean,
    ) =>
      eventually(async () => {
        const facts = await collect();
        if (!holds(facts)) {
          throw new Error(`${what} not yet: ${JSON.stringify([...facts])}`);
        }
      }, 30_000);
    await waitFor(
      'cart and search Synced',
      facts =>
        facts.get('cart')?.allAppsSynced === true &&
        facts.get('search')?.allAppsSynced === true,
    );
    await forceApplicationState(
      { url: dev.standIn.url, caPem: dev.standIn.caPem, token: TOKEN },
      'argocd',
      'search',
      { health: 'Degraded', message: 'Back-off restarting failed container' },
    );
    await waitFor(
      'search Degraded',
      facts => facts.get('search')?.allAppsHealthy === false,
    );
  });

  afterAll(async () => {
    await stopBackend?.();
    await Promise.all([dev?.standIn.stop(), prod?.standIn.stop()]);
  });

  it('is added to Tech Insights with its fact schema, and as a retriever that can re-collect one entity', async () => {
    const res = await request(server)
      .get('/api/tech-insights/fact-schemas')
      .query(`ids[]=${ARGOCD_FACT_RETRIEVER_ID}`)
      // As a service: with the real permission client a user would need a permission backend.
      .set('Authorization', mockCredentials.service.header());
    expect(res.status).toBe(200);
    expect(res.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: ARGOCD_FACT_RETRIEVER_ID,
          productionDeployedDaysAgo: expect.objectContaining({
            type: 'integer',
          }),
        }),
      ]),
    );
    expect(Object.keys(refreshable)).toEqual([ARGOCD_FACT_RETRIEVER_ID]);
  });

  it('reads what Argo CD deployed, with no Kubernetes request beyond the cache watch', async () => {
    dev.standIn.resetRequestCounts();
    prod.standIn.resetRequestCounts();
    const facts = await collect();

    expect(facts.get('cart')).toEqual({
      deployedWithArgoCd: true,
      applications: 2,
      allAppsSynced: true,
      allAppsHealthy: true,
      // Synced on prod a moment ago.
      productionDeployedDaysAgo: 0,
      stale: false,
      collectedAt: expect.any(String),
    });
    expect(facts.get('search')).toMatchObject({
      deployedWithArgoCd: true,
      applications: 1,
      allAppsSynced: true,
      allAppsHealthy: false,
      // Only on dev: never deployed to production, so a check on it fails.
      productionDeployedDaysAgo: null,
    });
    for (const name of ['unannotated', 'bad-selector']) {
      expect(facts.get(name)).toMatchObject({
        deployedWithArgoCd: false,
        applications: 0,
        allAppsSynced: null,
        allAppsHealthy: null,
        productionDeployedDaysAgo: null,
        stale: false,
      });
    }
    expect(dev.standIn.requests().total).toBe(0);
    expect(prod.standIn.requests().total).toBe(0);
  });

  it('collects one entity when the run is narrowed to it', async () => {
    const facts = await collect({
      kind: 'component',
      'metadata.namespace': 'default',
      'metadata.name': 'search',
    });
    expect([...facts.keys()]).toEqual(['search']);
  });

  it('keeps the last facts, marked stale with their original time, while an instance is in error', async () => {
    let lastFresh = (await collect()).get('cart');
    await prod.standIn.stop();

    // Runs before the cache notices the outage still collect fresh facts.
    const during = await eventually(async () => {
      const facts = await collect();
      const cart = facts.get('cart') as { stale: boolean };
      if (!cart.stale) lastFresh = cart;
      expect(cart.stale).toBe(true);
      return facts;
    }, 30_000);
    expect(during.get('cart')).toEqual({ ...lastFresh, stale: true });
    // Entities searched on the broken instance too; an unannotated one does not depend on it.
    expect(during.get('search')).toMatchObject({
      stale: true,
      allAppsHealthy: false,
    });
    expect(during.get('unannotated')).toMatchObject({ stale: false });
  });
});
