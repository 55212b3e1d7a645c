import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { CheckResult } from '@paved/plugin-scorecards-common';
import { DatabaseScorecardStore, StoredScorecard } from './ScorecardStore';

jest.setTimeout(60_000);

function result(outcome: CheckResult['outcome']): CheckResult {
  return {
    id: `check-${outcome}`,
    title: 'A check',
    description: 'A check',
    level: 'Bronze',
    outcome,
    facts: { githubRepositoryFactRetriever: { hasReadme: outcome === 'pass' } },
    remediation: { text: 'Fix it' },
    stale: false,
  };
}

function scorecard(
  name: string,
  level: string | null,
  evaluatedAt: Date,
  extra: Partial<StoredScorecard> = {},
): StoredScorecard {
  return {
    entityRef: `component:default/${name}`,
    ownerRef: 'group:default/team-a',
    systemRef: 'system:default/shop',
    level,
    checks: [result('pass'), result('fail'), result('unknown')],
    stale: false,
    evaluatedAt,
    ...extra,
  };
}

describe('DatabaseScorecardStore', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_18', 'SQLITE_3'] });

  async function createStore(databaseId: Parameters<typeof databases.init>[0]) {
    const knex = await databases.init(databaseId);
    return DatabaseScorecardStore.create(mockServices.database({ knex }));
  }

  it.each(databases.eachSupportedId())(
    'keeps the latest scorecard and one history row per day (%p)',
    async databaseId => {
      const store = await createStore(databaseId);
      const monday = new Date('2026-11-30T09:00:00Z');
      await store.save(scorecard('cart', null, monday));
      await store.save(
        scorecard('cart', 'Bronze', new Date('2026-11-30T17:00:00Z')),
      );
      await store.save(
        scorecard('cart', 'Silver', new Date('2026-12-01T09:00:00Z'), {
          stale: true,
        }),
      );

      const latest = await store.get('component:default/cart');
      expect(latest).toMatchObject({ level: 'Silver', stale: true });
      expect(latest?.checks.map(c => c.outcome)).toEqual([
        'pass',
        'fail',
        'unknown',
      ]);

      // The day's last result stands for the day.
      expect(
        await store.entityHistory('component:default/cart', '2026-11-01'),
      ).toEqual([
        {
          day: '2026-11-30',
          level: 'Bronze',
          passed: 1,
          failed: 1,
          unknown: 1,
        },
        {
          day: '2026-12-01',
          level: 'Silver',
          passed: 1,
          failed: 1,
          unknown: 1,
        },
      ]);
      expect(await store.get('component:default/other')).toBeUndefined();
    },
  );

  it.each(databases.eachSupportedId())(
    'rolls up by owner and system, the counts adding up to the entities (%p)',
    async databaseId => {
      const store = await createStore(databaseId);
      const now = new Date('2026-12-01T09:00:00Z');
      await store.save(scorecard('cart', 'Bronze', now));
      await store.save(scorecard('checkout', 'Bronze', now));
      await store.save(scorecard('search', null, now));
      await store.save(
        scorecard('payments', 'Gold', now, {
          ownerRef: 'group:default/team-b',
          systemRef: undefined,
        }),
      );

      expect(await store.rollUps('owner', {})).toEqual([
        { entityRef: 'group:default/team-a', levels: { Bronze: 2, none: 1 } },
        { entityRef: 'group:default/team-b', levels: { Gold: 1 } },
      ]);
      // payments has no system and is left out of the system roll-up.
      expect(await store.rollUps('system', {})).toEqual([
        { entityRef: 'system:default/shop', levels: { Bronze: 2, none: 1 } },
      ]);
    },
  );

  it.each(databases.eachSupportedId())(
    'draws the org history per day and forgets what retention drops (%p)',
    async databaseId => {
      const store = await createStore(databaseId);
      await store.save(
        scorecard('cart', null, new Date('2026-11-01T09:00:00Z')),
      );
      await store.save(
        scorecard('cart', 'Bronze', new Date('2026-11-02T09:00:00Z')),
      );
      await store.save(
        scorecard('search', 'Bronze', new Date('2026-11-02T10:00:00Z')),
      );

      expect(await store.orgHistory('2026-10-01', {})).toEqual([
        { day: '2026-11-01', levels: { none: 1 } },
        { day: '2026-11-02', levels: { Bronze: 2 } },
      ]);
      expect(await store.deleteHistoryBefore('2026-11-02')).toBe(1);
      expect(await store.orgHistory('2026-10-01', {})).toEqual([
        { day: '2026-11-02', levels: { Bronze: 2 } },
      ]);
    },
  );

  it.each(databases.eachSupportedId())(
    'lists entities by owner, system and lifecycle, each field matching any of its values (%p)',
    async databaseId => {
      const store = await createStore(databaseId);
      const now = new Date('2026-12-01T09:00:00Z');
      await store.save(
        scorecard('cart', 'Bronze', now, {
          title: 'Shopping cart',
          lifecycle: 'production',
        }),
      );
      await store.save(
        scorecard('checkout', 'Silver', now, { lifecycle: 'experimental' }),
      );
      await store.save(
        scorecard('search', null, now, {
          ownerRef: 'group:default/team-b',
          systemRef: undefined,
          lifecycle: 'production',
        }),
      );
      await store.save(
        scorecard('payments', 'Gold', now, {
          ownerRef: 'group:default/team-b',
          systemRef: 'system:default/pay',
          lifecycle: 'production',
        }),
      );
      const refs = async (filter: Parameters<typeof store.list>[0]) =>
        (await store.list(filter)).map(s => s.entityRef.split('/')[1]);

      expect(await refs({})).toEqual([
        'cart',
        'checkout',
        'payments',
        'search',
      ]);
      expect(await refs({ owner: ['group:default/team-a'] })).toEqual([
        'cart',
        'checkout',
      ]);
      expect(
        await refs({
          owner: ['group:default/team-a', 'group:default/team-b'],
          lifecycle: ['production'],
        }),
      ).toEqual(['cart', 'payments', 'search']);
      expect(
        await refs({
          system: ['system:default/shop'],
          lifecycle: ['production'],
        }),
      ).toEqual(['cart']);
      expect(await refs({ lifecycle: ['deprecated'] })).toEqual([]);

      const [cart] = await store.list({ lifecycle: ['production'] });
      expect(cart).toMatchObject({
        entityRef: 'component:default/cart',
        title: 'Shopping cart',
        ownerRef: 'group:default/team-a',
        systemRef: 'system:default/shop',
        lifecycle: 'production',
        level: 'Bronze',
      });

      // Filtered roll-ups count the same entities as the filtered list.
      expect(
        await store.rollUps('owner', { lifecycle: ['production'] }),
      ).toEqual([
        { entityRef: 'group:default/team-a', levels: { Bronze: 1 } },
        { entityRef: 'group:default/team-b', levels: { Gold: 1, none: 1 } },
      ]);
    },
  );

  it.each(databases.eachSupportedId())(
    "filters the org history by each entity's current lifecycle (%p)",
    async databaseId => {
      const store = await createStore(databaseId);
      await store.save(
        scorecard('cart', null, new Date('2026-11-01T09:00:00Z'), {
          lifecycle: 'production',
        }),
      );
      await store.save(
        scorecard('cart', 'Bronze', new Date('2026-11-02T09:00:00Z'), {
          lifecycle: 'production',
        }),
      );
      await store.save(
        scorecard('search', 'Bronze', new Date('2026-11-02T10:00:00Z'), {
          lifecycle: 'experimental',
        }),
      );

      expect(
        await store.orgHistory('2026-10-01', { lifecycle: ['production'] }),
      ).toEqual([
        { day: '2026-11-01', levels: { none: 1 } },
        { day: '2026-11-02', levels: { Bronze: 1 } },
      ]);
      expect(
        await store.orgHistory('2026-10-01', {
          owner: ['group:default/team-a'],
          lifecycle: ['experimental'],
        }),
      ).toEqual([{ day: '2026-11-02', levels: { Bronze: 1 } }]);
    },
  );

  it.each(databases.eachSupportedId())(
    'forgets entities gone from the catalog (%p)',
    async databaseId => {
      const store = await createStore(databaseId);
      const now = new Date();
      await store.save(scorecard('cart', 'Bronze', now));
      await store.save(scorecard('legacy', null, now));
      await store.keepOnly(['component:default/cart']);
      expect(await store.get('component:default/legacy')).toBeUndefined();
      expect(await store.get('component:default/cart')).toBeDefined();
    },
  );
});
