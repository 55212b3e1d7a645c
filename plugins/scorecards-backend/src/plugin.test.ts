import { SchedulerServiceTaskInvocationDefinition } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  EntitiesResponse,
  EntityScorecard,
  RollUpsResponse,
} from '@paved/plugin-scorecards-common';
import { JsonValue } from '@backstage/types';
import request from 'supertest';
import { scorecardsPlugin } from './plugin';
import { techInsightsStandIn } from './__testUtils__/techInsightsStandIn';

const GITHUB = 'githubRepositoryFactRetriever';

const checks = [
  {
    id: 'has-readme',
    title: 'README',
    description: 'The repository has a README',
    level: 'Bronze',
    factIds: [GITHUB],
    rule: {
      conditions: {
        all: [{ fact: 'hasReadme', operator: 'equal', value: true }],
      },
    },
    remediation: { text: 'Add a README.md' },
  },
  {
    id: 'has-ci',
    title: 'CI workflow',
    description: 'A GitHub Actions workflow runs on changes',
    level: 'Silver',
    factIds: [GITHUB],
    rule: {
      conditions: {
        all: [{ fact: 'hasCiWorkflow', operator: 'equal', value: true }],
      },
    },
    remediation: {
      text: 'Add .github/workflows/ci.yaml',
      url: 'https://docs.github.com/actions',
      action: {
        title: 'Open a pull request adding CI',
        url: '/create/templates/default/add-ci?formData=%7B%22entityRef%22%3A%22{entityRef}%22%7D',
      },
    },
  },
];

function component(
  name: string,
  owner: string,
  system?: string,
  {
    title,
    lifecycle = 'production',
  }: { title?: string; lifecycle?: string } = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', ...(title ? { title } : {}) },
    spec: {
      type: 'service',
      owner,
      lifecycle,
      ...(system ? { system } : {}),
    },
    relations: [
      { type: 'ownedBy', targetRef: `group:default/${owner}` },
      ...(system
        ? [{ type: 'partOf', targetRef: `system:default/${system}` }]
        : []),
    ],
  };
}

// What Tech Insights holds: cart has a README but no CI, payments has both (read before GitHub
// rate-limited, so stale), search has never been collected.
const facts: Record<string, Record<string, JsonValue>> = {
  'component:default/cart': {
    hasReadme: true,
    hasCiWorkflow: false,
    stale: false,
  },
  'component:default/payments': {
    hasReadme: true,
    hasCiWorkflow: true,
    stale: true,
  },
};

// Stands in for the Tech Insights routes the plugin calls: fact schemas, latest facts (from
// `facts` above) and the entity-refresh module's route, which records who is refreshed.
const refreshed: string[] = [];
let refreshAnswer: { status: number; body: unknown } = {
  status: 200,
  body: { retrievers: [{ id: GITHUB, facts: 1 }] },
};
const techInsights = techInsightsStandIn({
  schemas: [
    {
      hasReadme: { type: 'boolean', description: 'A README' },
      hasCiWorkflow: { type: 'boolean', description: 'A CI workflow' },
      stale: { type: 'boolean', description: 'Last facts known' },
    },
  ],
  facts: entityRef =>
    facts[entityRef] ? { [GITHUB]: facts[entityRef] } : undefined,
  refresh: entityRef => {
    refreshed.push(entityRef);
    return refreshAnswer;
  },
});

describe('scorecards plugin', () => {
  let server: request.Agent;
  let stop: () => Promise<void>;
  let allow = true;
  const audited: Array<{ eventId: string; outcome: string }> = [];
  const scheduled: SchedulerServiceTaskInvocationDefinition[] = [];

  beforeAll(async () => {
    const backend = await startTestBackend({
      features: [
        scorecardsPlugin,
        techInsights,
        mockServices.rootConfig.factory({ data: { scorecards: { checks } } }),
        catalogServiceMock.factory({
          entities: [
            component('cart', 'team-a', 'shop', { title: 'Shopping cart' }),
            component('search', 'team-a', 'shop', {
              lifecycle: 'experimental',
            }),
            component('payments', 'team-b'),
          ],
        }),
        mockServices.permissions.mock({
          async authorize(requests) {
            return requests.map(() => ({
              result: allow ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
            }));
          },
        }).factory,
        mockServices.scheduler.mock({
          async scheduleTask(task) {
            scheduled.push(task);
          },
        }).factory,
        mockServices.auditor.mock({
          async createEvent({ eventId }) {
            return {
              async success() {
                audited.push({ eventId, outcome: 'success' });
              },
              async fail() {
                audited.push({ eventId, outcome: 'fail' });
              },
            };
          },
        }).factory,
      ],
    });
    server = request.agent(backend.server);
    stop = () => backend.stop();
  });

  afterAll(() => stop?.());

  beforeEach(() => {
    allow = true;
    audited.length = 0;
    refreshed.length = 0;
    refreshAnswer = {
      status: 200,
      body: { retrievers: [{ id: GITHUB, facts: 1 }] },
    };
  });

  it('has not scored an entity before a run', async () => {
    const res = await server.get(
      '/api/scorecards/entity/default/component/cart',
    );
    expect(res.status).toBe(404);
    expect(res.body.error.message).toMatch(
      /component:default\/cart has not been scored/,
    );
  });

  it('re-runs one entity for an allowed user: facts refreshed first, level, next level and what is missing, audited', async () => {
    const res = await server.post(
      '/api/scorecards/entity/default/component/cart/run',
    );
    expect(res.status).toBe(200);
    expect(refreshed).toEqual(['component:default/cart']);
    const { refresh, ...scorecard }: EntityScorecard = res.body;
    expect(refresh).toEqual({ refreshed: true });
    expect(scorecard.level).toBe('Bronze');
    expect(scorecard.stale).toBe(false);
    expect(scorecard.nextLevel?.level).toBe('Silver');
    expect(scorecard.nextLevel?.missing).toEqual([
      expect.objectContaining({
        id: 'has-ci',
        outcome: 'fail',
        facts: { [GITHUB]: { hasCiWorkflow: false } },
        // The fix-it action is filled in for this entity.
        remediation: {
          text: 'Add .github/workflows/ci.yaml',
          url: 'https://docs.github.com/actions',
          action: {
            title: 'Open a pull request adding CI',
            url: '/create/templates/default/add-ci?formData=%7B%22entityRef%22%3A%22component%3Adefault%2Fcart%22%7D',
          },
        },
      }),
    ]);
    expect(audited).toEqual([{ eventId: 'entity-rerun', outcome: 'success' }]);

    const read = await server.get(
      '/api/scorecards/entity/default/component/cart',
    );
    expect(read.body).toEqual(scorecard);
  });

  it('scores on the facts held when they cannot be collected again, and says so', async () => {
    refreshAnswer = {
      status: 200,
      body: {
        retrievers: [{ id: GITHUB, error: 'Error: GitHub is down' }],
      },
    };
    const partly = await server.post(
      '/api/scorecards/entity/default/component/cart/run',
    );
    expect(partly.status).toBe(200);
    expect(partly.body).toMatchObject({
      level: 'Bronze',
      refresh: {
        refreshed: false,
        message: expect.stringContaining(GITHUB),
      },
    });

    refreshAnswer = {
      status: 503,
      body: {
        error: { name: 'ServiceUnavailableError', message: 'busy' },
        request: { method: 'POST', url: '/api/tech-insights/entity-refresh' },
        response: { statusCode: 503 },
      },
    };
    const down = await server.post(
      '/api/scorecards/entity/default/component/cart/run',
    );
    expect(down.status).toBe(200);
    expect(down.body).toMatchObject({
      level: 'Bronze',
      refresh: { refreshed: false, message: expect.stringMatching(/busy/) },
    });
    expect(audited.map(a => a.outcome)).toEqual(['success', 'success']);
  });

  it('refuses a re-run the policy denies before refreshing anything, and audits the attempt', async () => {
    allow = false;
    const res = await server.post(
      '/api/scorecards/entity/default/component/payments/run',
    );
    expect(res.status).toBe(403);
    expect(refreshed).toEqual([]);
    expect(res.body.error.message).toMatch(
      /owners of component:default\/payments/,
    );
    expect(audited).toEqual([{ eventId: 'entity-rerun', outcome: 'fail' }]);
    allow = true;
    expect(
      (await server.get('/api/scorecards/entity/default/component/payments'))
        .status,
    ).toBe(404);
  });

  it('scores every component on schedule: unknown without facts, stale kept, roll-ups adding up', async () => {
    const task = scheduled.find(t => t.id === 'scorecards-score-all');
    await task!.fn(new AbortController().signal);

    const search = await server.get(
      '/api/scorecards/entity/default/component/search',
    );
    expect(search.body.level).toBeNull();
    expect(
      search.body.checks.map((c: { outcome: string }) => c.outcome),
    ).toEqual(['unknown', 'unknown']);

    const payments = await server.get(
      '/api/scorecards/entity/default/component/payments',
    );
    expect(payments.body).toMatchObject({
      level: 'Silver',
      stale: true,
      nextLevel: null,
    });

    const owners: RollUpsResponse = (
      await server.get('/api/scorecards/rollups/owners')
    ).body;
    expect(owners.rollUps).toEqual([
      {
        entityRef: 'group:default/team-a',
        total: 2,
        levels: { Bronze: 1, none: 1 },
      },
      { entityRef: 'group:default/team-b', total: 1, levels: { Silver: 1 } },
    ]);
    const systems: RollUpsResponse = (
      await server.get('/api/scorecards/rollups/systems')
    ).body;
    expect(systems.rollUps).toEqual([
      {
        entityRef: 'system:default/shop',
        total: 2,
        levels: { Bronze: 1, none: 1 },
      },
    ]);

    const org = (await server.get('/api/scorecards/history?days=7')).body;
    expect(org.days).toEqual([
      {
        day: new Date().toISOString().slice(0, 10),
        levels: { Bronze: 1, Silver: 1, none: 1 },
      },
    ]);
    const cart = (
      await server.get('/api/scorecards/entity/default/component/cart/history')
    ).body;
    expect(cart.days).toEqual([
      expect.objectContaining({
        level: 'Bronze',
        passed: 1,
        failed: 1,
        unknown: 0,
      }),
    ]);
  });

  it('lists the scored entities for the org overview, filtered by owner, system and lifecycle', async () => {
    const all: EntitiesResponse = (await server.get('/api/scorecards/entities'))
      .body;
    expect(all.levelOrder).toEqual(['none', 'Bronze', 'Silver', 'Gold']);
    expect(all.entities).toEqual([
      {
        entityRef: 'component:default/cart',
        title: 'Shopping cart',
        ownerRef: 'group:default/team-a',
        systemRef: 'system:default/shop',
        lifecycle: 'production',
        level: 'Bronze',
        passed: 1,
        failed: 1,
        unknown: 0,
        evaluatedAt: expect.any(String),
        stale: false,
      },
      expect.objectContaining({
        entityRef: 'component:default/payments',
        title: 'payments',
        level: 'Silver',
        stale: true,
      }),
      expect.objectContaining({
        entityRef: 'component:default/search',
        lifecycle: 'experimental',
        level: null,
        unknown: 2,
      }),
    ]);

    const refs = async (query: string) =>
      (
        (await server.get(`/api/scorecards/entities?${query}`))
          .body as EntitiesResponse
      ).entities.map(e => e.entityRef);
    expect(await refs('lifecycle=production')).toEqual([
      'component:default/cart',
      'component:default/payments',
    ]);
    // Each parameter repeats; owners may be named without kind and namespace.
    expect(await refs('owner=team-a&owner=group:default/team-b')).toEqual([
      'component:default/cart',
      'component:default/payments',
      'component:default/search',
    ]);
    expect(
      await refs('system=system:default/shop&lifecycle=experimental'),
    ).toEqual(['component:default/search']);
    expect(await refs('system=shop&owner=team-b')).toEqual([]);
  });

  it('filters roll-ups and history like the list, the roll-ups adding up to it', async () => {
    for (const query of ['', 'lifecycle=production', 'owner=team-a']) {
      const listed: EntitiesResponse = (
        await server.get(`/api/scorecards/entities?${query}`)
      ).body;
      const owners: RollUpsResponse = (
        await server.get(`/api/scorecards/rollups/owners?${query}`)
      ).body;
      // Every component has an owner: the owners' totals and levels add up to the list.
      const byLevel: Record<string, number> = {};
      for (const e of listed.entities) {
        const level = e.level ?? 'none';
        byLevel[level] = (byLevel[level] ?? 0) + 1;
      }
      const summed: Record<string, number> = {};
      for (const rollUp of owners.rollUps) {
        for (const [level, count] of Object.entries(rollUp.levels)) {
          summed[level] = (summed[level] ?? 0) + count;
        }
      }
      expect({ query, summed }).toEqual({ query, summed: byLevel });
      expect(owners.rollUps.reduce((sum, r) => sum + r.total, 0)).toBe(
        listed.entities.length,
      );
    }
    const production: RollUpsResponse = (
      await server.get('/api/scorecards/rollups/systems?lifecycle=production')
    ).body;
    expect(production.rollUps).toEqual([
      { entityRef: 'system:default/shop', total: 1, levels: { Bronze: 1 } },
    ]);

    const history = (
      await server.get('/api/scorecards/history?days=7&lifecycle=production')
    ).body;
    expect(history.days).toEqual([
      {
        day: new Date().toISOString().slice(0, 10),
        levels: { Bronze: 1, Silver: 1 },
      },
    ]);
  });

  it('answers bad input with a 400 naming the field', async () => {
    const res = await server.get('/api/scorecards/rollups/teams');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/groupBy/);
    const days = await server.get('/api/scorecards/history?days=0');
    expect(days.status).toBe(400);
    expect(days.body.error.message).toMatch(/days/);
    const owner = await server.get(
      '/api/scorecards/entities?owner=component:default/cart',
    );
    expect(owner.status).toBe(400);
    expect(owner.body.error.message).toMatch(
      /owner\.0 'component:default\/cart' is not a group or user entity ref/,
    );
    const lifecycle = await server.get(
      '/api/scorecards/history?lifecycle=in%20production',
    );
    expect(lifecycle.status).toBe(400);
    expect(lifecycle.body.error.message).toMatch(/lifecycle\.0 must be/);
  });

  it('refuses reading when the policy denies it', async () => {
    allow = false;
    const res = await server.get('/api/scorecards/rollups/owners');
    expect(res.status).toBe(403);
  });
});
