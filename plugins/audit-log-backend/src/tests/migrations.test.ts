import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { TestDatabases } from '@backstage/backend-test-utils';

jest.setTimeout(60_000);

const migrationsDir = resolvePackagePath(
  '@paved/plugin-audit-log-backend',
  'migrations',
);

describe('migrations', () => {
  const databases = TestDatabases.create();

  it.each(databases.eachSupportedId())(
    '20261125000000_audit_events creates and drops audit_events on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const row = {
        occurred_at: new Date('2026-11-20T10:00:00.000Z'),
        plugin: 'catalog',
        event_id: 'entity-mutate',
        severity: 'medium',
        status: 'failed',
        actor_id: 'user:default/jane',
        actor_ip: '::1',
        actor_user_agent: 'curl/8',
        actor_hostname: 'localhost',
        target: 'component:default/payments',
        error_name: 'NotAllowedError',
        error_message: 'denied',
        request_method: 'DELETE',
        request_url: '/api/catalog/entities/by-uid/1',
        meta: '{"actionType":"delete"}',
      };

      await knex.migrate.up({ directory: migrationsDir });
      await knex('audit_events').insert(row);
      await knex('audit_events').insert({ ...row, plugin: 'scaffolder' });

      // Data written under the migration reads back unchanged, with ids assigned in order.
      const stored = await knex('audit_events').orderBy('id');
      expect(stored).toHaveLength(2);
      expect({
        ...stored[0],
        occurred_at: new Date(stored[0].occurred_at).toISOString(),
      }).toEqual({
        ...row,
        id: expect.anything(),
        occurred_at: '2026-11-20T10:00:00.000Z',
      });
      expect(Number(stored[1].id)).toBeGreaterThan(Number(stored[0].id));

      await knex.migrate.down({ directory: migrationsDir });
      expect(await knex.schema.hasTable('audit_events')).toBe(false);

      // Up again after down: the table comes back empty and usable.
      await knex.migrate.up({ directory: migrationsDir });
      expect(await knex('audit_events').select()).toEqual([]);
      await knex('audit_events').insert(row);
      expect(await knex('audit_events').first()).toMatchObject({
        plugin: 'catalog',
        target: 'component:default/payments',
      });

      await knex.destroy();
    },
  );
});
