import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import techInsightsPlugin from '@backstage-community/plugin-tech-insights-backend';
import {
  FactRetriever,
  FactRetrieverContext,
  techInsightsFactRetrieversExtensionPoint,
} from '@backstage-community/plugin-tech-insights-node';
import request from 'supertest';
import { techInsightsEntityRefreshExtensionPoint } from './extensionPoint';
import { techInsightsModuleEntityRefresh } from './module';

const component = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default' },
  spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
});
const api: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'API',
  metadata: { name: 'orders-api', namespace: 'default' },
  spec: { type: 'openapi', owner: 'team-a', lifecycle: 'production' },
};

// What each retriever was asked for, by retriever id, and how often the counting one ran.
let asked: Record<string, FactRetrieverContext['entityFilter'][]> = {};
let run = 0;

function retriever(
  id: string,
  handler: FactRetriever['handler'],
): FactRetriever {
  return {
    id,
    version: '0.1.0',
    entityFilter: [{ kind: 'component' }],
    schema: { run: { type: 'integer', description: 'Which run' } },
    async handler(ctx) {
      (asked[id] ??= []).push(ctx.entityFilter);
      return handler(ctx);
    },
  };
}

// Facts for each component the filter names; like Paved's retrievers, it honours the filter.
const counting = retriever('countingRetriever', async ({ entityFilter }) => {
  run++;
  const names = [entityFilter]
    .flat()
    .map(f => (f as Record<string, string>)?.['metadata.name']);
  return ['cart', 'search']
    .filter(name => names.includes(name))
    .map(name => ({
      entity: { kind: 'Component', namespace: 'default', name },
      facts: { run },
    }));
});
const broken = retriever('brokenRetriever', async () => {
  throw new Error('GitHub is down');
});
const unconfigured = retriever('unconfiguredRetriever', async () => []);

const retrievers = {
  countingRetriever: counting,
  brokenRetriever: broken,
  unconfiguredRetriever: unconfigured,
};

const testRetrievers = createBackendModule({
  pluginId: 'tech-insights',
  moduleId: 'test-retrievers',
  register(env) {
    env.registerInit({
      deps: {
        factRetrievers: techInsightsFactRetrieversExtensionPoint,
        refreshable: techInsightsEntityRefreshExtensionPoint,
      },
      async init({ factRetrievers, refreshable }) {
        factRetrievers.addFactRetrievers(retrievers);
        refreshable.addRefreshableFactRetrievers(retrievers);
      },
    });
  },
});

const databases = TestDatabases.create({ ids: ['POSTGRES_18', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'entity-refresh module (%p)',
  databaseId => {
    let server: request.Agent;
    let stop: () => Promise<void>;
    const service = mockCredentials.service.header();

    beforeAll(async () => {
      asked = {};
      run = 0;
      const knex = await databases.init(databaseId);
      const backend = await startTestBackend({
        features: [
          mockServices.database.factory({ knex }),
          techInsightsPlugin,
          techInsightsModuleEntityRefresh,
          testRetrievers,
          mockServices.rootConfig.factory({
            data: {
              techInsights: {
                factRetrievers: {
                  // Never due during the test: only refreshes run them.
                  countingRetriever: {
                    cadence: '0 0 1 1 *',
                    lifecycle: { maxItems: 1 },
                  },
                  brokenRetriever: { cadence: '0 0 1 1 *' },
                },
              },
            },
          }),
          catalogServiceMock.factory({
            entities: [component('cart'), component('search'), api],
          }),
        ],
      });
      server = request.agent(backend.server);
      stop = () => backend.stop();
    });

    afterAll(() => stop?.());

    const refresh = (body: unknown, auth = service) =>
      server
        .post('/api/tech-insights/entity-refresh')
        .set('Authorization', auth)
        .send(body as object);

    const latestRun = async (name: string) => {
      const res = await server.get(
        `/api/tech-insights/facts/latest?entity=component:default/${name}&ids[]=countingRetriever`,
      );
      return res.body.countingRetriever?.facts.run;
    };

    it("collects one entity's facts with each configured retriever, one failing without failing the others", async () => {
      const res = await refresh({ entityRef: 'component:default/cart' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        entityRef: 'component:default/cart',
        retrievers: [
          { id: 'countingRetriever', facts: 1 },
          { id: 'brokenRetriever', error: 'Error: GitHub is down' },
        ],
      });
      expect(asked.countingRetriever).toEqual([
        {
          kind: 'Component',
          'metadata.namespace': 'default',
          'metadata.name': 'cart',
        },
      ]);
      // Tech Insights does not run a retriever without config; neither does a refresh.
      expect(asked.unconfiguredRetriever).toBeUndefined();

      expect(await latestRun('cart')).toBe(1);
      expect(await latestRun('search')).toBeUndefined();

      // Within the same second as the last facts too: Tech Insights keeps whole seconds.
      await refresh({ entityRef: 'component:default/cart' });
      expect(await latestRun('cart')).toBe(2);
      await refresh({ entityRef: 'component:default/search' });
      expect(await latestRun('search')).toBe(3);
      expect(await latestRun('cart')).toBe(2);
    });

    it('runs no retriever for an entity none describes', async () => {
      const res = await refresh({ entityRef: 'api:default/orders-api' });
      expect(res.status).toBe(200);
      expect(res.body.retrievers).toEqual([]);
    });

    it('answers 404 for an entity not in the catalog and 400 for a bad ref or body', async () => {
      const missing = await refresh({ entityRef: 'component:default/gone' });
      expect(missing.status).toBe(404);
      expect(missing.body.error.message).toMatch(/component:default\/gone/);

      const badRef = await refresh({ entityRef: 'component:' });
      expect(badRef.status).toBe(400);
      expect(badRef.body.error.message).toMatch(/entityRef/);

      const noRef = await refresh({ ref: 'component:default/cart' });
      expect(noRef.status).toBe(400);
      expect(noRef.body.error.message).toMatch(/entityRef/);
    });

    it('refuses people: only other plugins ask, after their own permission checks', async () => {
      const res = await refresh(
        { entityRef: 'component:default/cart' },
        mockCredentials.user.header(),
      );
      expect(res.status).toBe(403);
    });
  },
);
