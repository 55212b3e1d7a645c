import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';

jest.setTimeout(60_000);

const migrationsDir = resolvePackagePath(
  '@paved/plugin-tech-insights-backend-module-github',
  'migrations',
);
// The name GithubFactStore migrates with: renaming it would run the migrations again on a
// database that already has the tables.
const migrationsTable = 'paved_github_facts_knex_migrations';
const techInsightsMigrationsDir = resolvePackagePath(
  '@backstage-community/plugin-tech-insights-backend',
  'migrations',
);

async function migrateUpOnce(knex: Knex) {
  await knex.migrate.up({
    directory: migrationsDir,
    tableName: migrationsTable,
  });
}

async function migrateDownOnce(knex: Knex) {
  await knex.migrate.down({
    directory: migrationsDir,
    tableName: migrationsTable,
  });
}

const response = {
  url: 'https://api.github.com/repos/acme/payments-service/git/trees/main?recursive=1',
  etag: 'W/"5f1c0a7e9d"',
  body: JSON.stringify({
    sha: 'a'.repeat(40),
    tree: [{ path: 'README.md', type: 'blob' }],
  }),
  updated_at: new Date('2026-12-06T09:00:00.000Z'),
};

const repositoryFacts = {
  repository: 'https://github.com/acme/payments-service',
  facts: JSON.stringify({
    hasReadme: true,
    hasCodeowners: true,
    codeownersValid: false,
    lastCommitAgeDays: 3,
  }),
  collected_at: new Date('2026-12-06T09:00:05.000Z'),
};

const rateLimit = {
  api_base_url: 'https://api.github.com',
  limited_until: new Date('2026-12-06T10:00:00.000Z'),
};

describe('migrations', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_18', 'SQLITE_3'] });

  it.each(databases.eachSupportedId())(
    '20261206000000_github_fact_cache creates and drops the GitHub cache tables on %p, beside Tech Insights',
    async databaseId => {
      const knex = await databases.init(databaseId);
      // The module lives in the tech-insights database, which Tech Insights migrates with its
      // own migrations and the default migrations table.
      await knex.migrate.latest({ directory: techInsightsMigrationsDir });

      await migrateUpOnce(knex);
      await knex('paved_github_responses').insert(response);
      await knex('paved_github_repository_facts').insert(repositoryFacts);
      await knex('paved_github_rate_limits').insert(rateLimit);
      // One row per URL, repository and API: the store's upserts rely on these keys. Errors
      // are compared by message, as SQLite's driver errors are not Errors of Jest's realm.
      for (const [table, row] of [
        ['paved_github_responses', response],
        ['paved_github_repository_facts', repositoryFacts],
        ['paved_github_rate_limits', rateLimit],
      ] as const) {
        const second = await knex(table)
          .insert(row)
          .then(
            () => undefined,
            (error: Error) => error,
          );
        expect(String(second?.message)).toMatch(/unique|duplicate/i);
      }

      // Both sets of migrations run again at every start; neither sees the other's files as
      // missing, and what is stored stays.
      await knex.migrate.latest({ directory: techInsightsMigrationsDir });
      await knex.migrate.latest({
        directory: migrationsDir,
        tableName: migrationsTable,
      });
      const storedResponse = await knex('paved_github_responses')
        .where({ url: response.url })
        .first();
      // Without the ETag and body, every request would be sent unconditionally again.
      expect(storedResponse).toMatchObject({
        url: response.url,
        etag: response.etag,
        body: response.body,
      });
      const storedFacts = await knex('paved_github_repository_facts')
        .where({ repository: repositoryFacts.repository })
        .first();
      // The last facts, with when they were collected, are what is reported while GitHub
      // cannot be asked.
      expect(JSON.parse(storedFacts.facts)).toEqual(
        JSON.parse(repositoryFacts.facts),
      );
      expect(new Date(storedFacts.collected_at).toISOString()).toBe(
        '2026-12-06T09:00:05.000Z',
      );
      const storedLimit = await knex('paved_github_rate_limits')
        .where({ api_base_url: rateLimit.api_base_url })
        .first();
      expect(new Date(storedLimit.limited_until).toISOString()).toBe(
        '2026-12-06T10:00:00.000Z',
      );

      // Down past every later migration to this one's.
      while (
        (await knex.migrate.currentVersion({
          directory: migrationsDir,
          tableName: migrationsTable,
        })) !== '20261206000000'
      ) {
        await migrateDownOnce(knex);
      }
      await migrateDownOnce(knex);
      expect(await knex.schema.hasTable('paved_github_responses')).toBe(false);
      expect(await knex.schema.hasTable('paved_github_repository_facts')).toBe(
        false,
      );
      expect(await knex.schema.hasTable('paved_github_rate_limits')).toBe(
        false,
      );
      // Tech Insights' own tables are none of this migration's business.
      expect(await knex.schema.hasTable('facts')).toBe(true);
      expect(await knex.schema.hasTable('fact_schemas')).toBe(true);

      // Up again after down: the tables come back empty and usable.
      await migrateUpOnce(knex);
      expect(await knex('paved_github_responses').select()).toEqual([]);
      expect(await knex('paved_github_repository_facts').select()).toEqual([]);
      expect(await knex('paved_github_rate_limits').select()).toEqual([]);
      await knex('paved_github_responses').insert(response);
      await knex('paved_github_repository_facts').insert(repositoryFacts);
      await knex('paved_github_rate_limits').insert(rateLimit);
      expect(
        await knex('paved_github_responses')
          .where({ url: response.url })
          .first('etag'),
      ).toEqual({ etag: response.etag });

      await knex.destroy();
    },
  );

  it.each(databases.eachSupportedId())(
    '20261207000000_github_facts_freshness adds what facts were read with on %p, and facts survive it both ways',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await knex.migrate.latest({ directory: techInsightsMigrationsDir });
      await migrateUpOnce(knex);
      await knex('paved_github_repository_facts').insert(repositoryFacts);

      await migrateUpOnce(knex);
      const before = await knex('paved_github_repository_facts')
        .where({ repository: repositoryFacts.repository })
        .first();
      // Facts stored before the migration know neither: the next run reads the repository in full.
      expect(before).toMatchObject({
        facts: repositoryFacts.facts,
        repository_etag: null,
        review_checked_at: null,
      });
      await knex('paved_github_repository_facts')
        .where({ repository: repositoryFacts.repository })
        .update({
          repository_etag: 'W/"abc"',
          review_checked_at: new Date('2026-12-07T08:00:00.000Z'),
        });
      const after = await knex('paved_github_repository_facts')
        .where({ repository: repositoryFacts.repository })
        .first();
      expect(after.repository_etag).toBe('W/"abc"');
      expect(new Date(after.review_checked_at).toISOString()).toBe(
        '2026-12-07T08:00:00.000Z',
      );

      await migrateDownOnce(knex);
      const down = await knex('paved_github_repository_facts')
        .where({ repository: repositoryFacts.repository })
        .first();
      expect(down).not.toHaveProperty('repository_etag');
      expect(down).not.toHaveProperty('review_checked_at');
      expect(JSON.parse(down.facts)).toEqual(JSON.parse(repositoryFacts.facts));

      await knex.destroy();
    },
  );
});
