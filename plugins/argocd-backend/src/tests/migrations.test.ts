import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';

jest.setTimeout(60_000);

const migrationsDir = resolvePackagePath(
  '@paved/plugin-argocd-backend',
  'migrations',
);

async function migrateUpOnce(knex: Knex) {
  await knex.migrate.up({ directory: migrationsDir });
}

async function migrateDownOnce(knex: Knex) {
  await knex.migrate.down({ directory: migrationsDir });
}

describe('migrations', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_18', 'SQLITE_3'] });

  it.each(databases.eachSupportedId())(
    '20261123000000_commits creates and drops argocd_commits on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const row = {
        repo_url: 'https://github.example.com/acme/cart',
        sha: 'a'.repeat(40),
        message: 'Deploy v1\n\nWith a body',
        author_name: 'Alice',
        author_login: 'alice',
        author_avatar_url: null,
        committed_at: '2026-11-20T10:00:00Z',
        url: 'https://github.example.com/acme/cart/commit/aaaa',
      };

      await migrateUpOnce(knex);
      await knex('argocd_commits').insert(row);
      // The primary key is (repo_url, sha): a second row for one commit is refused. The
      // error is compared by message, as SQLite's driver errors are not Errors of Jest's realm.
      const duplicate = await knex('argocd_commits')
        .insert({ ...row, message: 'duplicate' })
        .then(
          () => undefined,
          (error: Error) => error,
        );
      expect(String(duplicate?.message)).toMatch(/unique|duplicate/i);
      const [stored] = await knex('argocd_commits').select();
      expect(stored).toMatchObject(row);
      expect(stored.fetched_at).toBeTruthy();

      await migrateDownOnce(knex);
      expect(await knex.schema.hasTable('argocd_commits')).toBe(false);

      // Up again after down: the table comes back empty and usable.
      await migrateUpOnce(knex);
      expect(await knex('argocd_commits').select()).toEqual([]);
      await knex('argocd_commits').insert(row);
      expect(
        await knex('argocd_commits').where({ sha: row.sha }).first(),
      ).toMatchObject(row);

      await knex.destroy();
    },
  );
});
