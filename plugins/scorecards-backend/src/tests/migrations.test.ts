import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';

jest.setTimeout(60_000);

const migrationsDir = resolvePackagePath(
  '@paved/plugin-scorecards-backend',
  'migrations',
);

async function migrateUpOnce(knex: Knex) {
  await knex.migrate.up({ directory: migrationsDir });
}

async function migrateDownOnce(knex: Knex) {
  await knex.migrate.down({ directory: migrationsDir });
}

/** Resolves to the error a query fails with, or undefined when it succeeds. */
function failureOf(query: Promise<unknown>): Promise<Error | undefined> {
  return query.then(
    () => undefined,
    (error: Error) => error,
  );
}

const checks = [
  { id: 'has-readme', outcome: 'pass', level: 'Bronze', stale: false },
  { id: 'codeowners', outcome: 'fail', level: 'Silver', stale: false },
  { id: 'has-ci', outcome: 'unknown', level: 'Silver', stale: true },
];

const scorecard = {
  entity_ref: 'component:default/payments-service',
  owner_ref: 'group:default/team-payments',
  system_ref: 'system:default/payments',
  level: 'Bronze',
  checks: JSON.stringify(checks),
  stale: true,
  evaluated_at: new Date('2026-12-05T18:30:00.000Z'),
};

const history = [
  {
    entity_ref: scorecard.entity_ref,
    day: '2026-12-04',
    level: null,
    passed: 0,
    failed: 2,
    unknown: 1,
  },
  {
    entity_ref: scorecard.entity_ref,
    day: '2026-12-05',
    level: 'Bronze',
    passed: 1,
    failed: 1,
    unknown: 1,
  },
];

describe('migrations', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_18', 'SQLITE_3'] });

  it.each(databases.eachSupportedId())(
    '20261206000000_scorecards creates and drops the scorecard tables on %p, keeping scores and history until then',
    async databaseId => {
      const knex = await databases.init(databaseId);

      await migrateUpOnce(knex);
      await knex('scorecard_entities').insert(scorecard);
      await knex('scorecard_history').insert(history);

      // One latest scorecard per entity, and one history row per entity and day: the store's
      // upserts rely on these keys. Errors are compared by message, as SQLite's driver errors
      // are not Errors of Jest's realm.
      const secondScorecard = await failureOf(
        knex('scorecard_entities').insert({ ...scorecard, level: 'Gold' }),
      );
      expect(String(secondScorecard?.message)).toMatch(/unique|duplicate/i);
      const secondRowOfDay = await failureOf(
        knex('scorecard_history').insert({ ...history[1], level: 'Gold' }),
      );
      expect(String(secondRowOfDay?.message)).toMatch(/unique|duplicate/i);
      // Another entity the same day is a row of its own.
      await knex('scorecard_history').insert({
        ...history[1],
        entity_ref: 'component:default/orders-service',
      });

      // Running the migrations again at start-up keeps what is stored.
      await knex.migrate.latest({ directory: migrationsDir });
      const stored = await knex('scorecard_entities')
        .where({ entity_ref: scorecard.entity_ref })
        .first();
      expect(stored).toMatchObject({
        entity_ref: scorecard.entity_ref,
        owner_ref: scorecard.owner_ref,
        system_ref: scorecard.system_ref,
        level: 'Bronze',
      });
      expect(JSON.parse(stored.checks)).toEqual(checks);
      // SQLite answers booleans as 0/1.
      expect(Boolean(stored.stale)).toBe(true);
      expect(new Date(stored.evaluated_at).toISOString()).toBe(
        '2026-12-05T18:30:00.000Z',
      );
      expect(
        await knex('scorecard_history')
          .where({ entity_ref: scorecard.entity_ref })
          .orderBy('day')
          .select('entity_ref', 'day', 'level', 'passed', 'failed', 'unknown'),
      ).toEqual(history);

      // Back down through every later migration and this one.
      await knex.migrate.rollback({ directory: migrationsDir }, true);
      expect(await knex.schema.hasTable('scorecard_history')).toBe(false);
      expect(await knex.schema.hasTable('scorecard_entities')).toBe(false);

      // Up again after down: the tables come back empty and usable.
      await migrateUpOnce(knex);
      expect(await knex('scorecard_entities').select()).toEqual([]);
      expect(await knex('scorecard_history').select()).toEqual([]);
      await knex('scorecard_entities').insert(scorecard);
      await knex('scorecard_history').insert(history);
      expect(
        await knex('scorecard_entities')
          .where({ owner_ref: scorecard.owner_ref })
          .select('entity_ref', 'level'),
      ).toEqual([{ entity_ref: scorecard.entity_ref, level: 'Bronze' }]);
      expect(
        await knex('scorecard_history').orderBy('day').select('day', 'level'),
      ).toEqual([
        { day: '2026-12-04', level: null },
        { day: '2026-12-05', level: 'Bronze' },
      ]);

      await knex.destroy();
    },
  );

  it.each(databases.eachSupportedId())(
    '20261206120000_entity_title_lifecycle adds and drops title and lifecycle on %p, keeping scores',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await migrateUpOnce(knex);
      await knex('scorecard_entities').insert(scorecard);

      await migrateUpOnce(knex);
      // Rows scored before know neither until the next run.
      expect(
        await knex('scorecard_entities').select('title', 'lifecycle'),
      ).toEqual([{ title: null, lifecycle: null }]);
      await knex('scorecard_entities')
        .where({ entity_ref: scorecard.entity_ref })
        .update({ title: 'Payments service', lifecycle: 'production' });
      await knex('scorecard_entities').insert({
        ...scorecard,
        entity_ref: 'component:default/orders-service',
        title: 'Orders',
        lifecycle: 'experimental',
      });
      expect(
        await knex('scorecard_entities')
          .where({ lifecycle: 'production' })
          .select('entity_ref', 'title', 'level'),
      ).toEqual([
        {
          entity_ref: scorecard.entity_ref,
          title: 'Payments service',
          level: 'Bronze',
        },
      ]);

      await migrateDownOnce(knex);
      const rows = await knex('scorecard_entities').orderBy('entity_ref');
      expect(rows.map(r => r.entity_ref)).toEqual([
        'component:default/orders-service',
        scorecard.entity_ref,
      ]);
      expect(rows[1]).not.toHaveProperty('title');
      expect(rows[1]).not.toHaveProperty('lifecycle');
      expect(rows[1]).toMatchObject({
        owner_ref: scorecard.owner_ref,
        level: 'Bronze',
      });
      expect(JSON.parse(rows[1].checks)).toEqual(checks);

      await migrateUpOnce(knex);
      expect(
        await knex('scorecard_entities')
          .orderBy('entity_ref')
          .select('entity_ref', 'lifecycle'),
      ).toEqual([
        { entity_ref: 'component:default/orders-service', lifecycle: null },
        { entity_ref: scorecard.entity_ref, lifecycle: null },
      ]);

      await knex.destroy();
    },
  );

  it.each(databases.eachSupportedId())(
    '20261206130000_campaigns creates and drops the campaigns table on %p, keeping campaigns until then',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await migrateUpOnce(knex);
      await migrateUpOnce(knex);
      await knex('scorecard_entities').insert(scorecard);

      await migrateUpOnce(knex);
      const campaign = {
        id: '6f1c1b2e-8f0a-4d35-9a51-2f4c7e0b9d11',
        title: 'Production services at Silver',
        description: null,
        target_level: 'Silver',
        deadline: '2027-03-01',
        scope: JSON.stringify({ lifecycle: ['production'] }),
        created_by: 'user:default/ingrid',
        created_at: new Date('2026-12-06T10:00:00.000Z'),
      };
      await knex('scorecard_campaigns').insert(campaign);
      const second = await failureOf(
        knex('scorecard_campaigns').insert({ ...campaign, title: 'Again' }),
      );
      expect(String(second?.message)).toMatch(/unique|duplicate/i);

      // Running the migrations again at start-up keeps what is stored.
      await knex.migrate.latest({ directory: migrationsDir });
      const stored = await knex('scorecard_campaigns').first();
      expect({
        ...stored,
        created_at: new Date(stored.created_at).toISOString(),
      }).toEqual({
        ...campaign,
        created_at: '2026-12-06T10:00:00.000Z',
      });

      await migrateDownOnce(knex);
      expect(await knex.schema.hasTable('scorecard_campaigns')).toBe(false);
      // Scores are not the campaigns' to drop.
      expect(
        await knex('scorecard_entities').select('entity_ref', 'level'),
      ).toEqual([{ entity_ref: scorecard.entity_ref, level: 'Bronze' }]);

      await migrateUpOnce(knex);
      expect(await knex('scorecard_campaigns').select()).toEqual([]);
      await knex('scorecard_campaigns').insert(campaign);
      expect(
        await knex('scorecard_campaigns').select('id', 'target_level'),
      ).toEqual([{ id: campaign.id, target_level: 'Silver' }]);

      await knex.destroy();
    },
  );
});
