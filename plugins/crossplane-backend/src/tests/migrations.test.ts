import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';

jest.setTimeout(60_000);

const migrationsDir = resolvePackagePath(
  '@paved/plugin-crossplane-backend',
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

const request = {
  id: '3f2b8c1e-6a4d-4e1f-9b7a-2c5d8e9f0a1b',
  client_request_id: 'submission-1',
  requested_by: 'user:default/alice',
  offering: 'postgresqlinstances.platform.paved.dev',
  offering_title: 'PostgreSQL',
  environment: 'dev',
  entity_ref: 'component:default/payments-service',
  owner_ref: 'group:default/team-payments',
  cluster: 'dev-eu',
  api_version: 'platform.paved.dev/v1alpha1',
  kind: 'PostgreSQLInstance',
  namespace: 'team-payments',
  name: 'payments-db',
  parameters: '{"storageGB":20}',
  status: 'queued',
  message: null,
  approval: null,
  active_key:
    'dev-eu|platform.paved.dev/v1alpha1|postgresqlinstance|team-payments|payments-db',
  created_at: new Date('2026-11-25T09:00:00.000Z'),
  updated_at: new Date('2026-11-25T09:00:00.000Z'),
};

const event = {
  request_id: request.id,
  status: 'queued',
  at: new Date('2026-11-25T09:00:00.000Z'),
  actor: 'user:default/alice',
  message: null,
};

describe('migrations', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_18', 'SQLITE_3'] });

  it.each(databases.eachSupportedId())(
    '20261125000000_requests creates and drops the request tables on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);

      await migrateUpOnce(knex);
      await knex('crossplane_requests').insert(request);
      await knex('crossplane_request_events').insert(event);

      // Errors are compared by message, as SQLite's driver errors are not Errors of Jest's realm.
      const sameSubmission = await failureOf(
        knex('crossplane_requests').insert({
          ...request,
          id: 'a1b2c3d4-0000-4000-8000-000000000001',
          active_key: null,
        }),
      );
      expect(String(sameSubmission?.message)).toMatch(/unique|duplicate/i);
      const sameResource = await failureOf(
        knex('crossplane_requests').insert({
          ...request,
          id: 'a1b2c3d4-0000-4000-8000-000000000002',
          client_request_id: 'submission-2',
        }),
      );
      expect(String(sameResource?.message)).toMatch(/unique|duplicate/i);
      // Requests that no longer hold their resource (NULL key) never collide.
      await knex('crossplane_requests')
        .where({ id: request.id })
        .update({ active_key: null });
      await knex('crossplane_requests').insert({
        ...request,
        id: 'a1b2c3d4-0000-4000-8000-000000000003',
        client_request_id: 'submission-3',
        active_key: null,
      });
      await knex('crossplane_requests')
        .where({ id: request.id })
        .update({ active_key: request.active_key });

      // Running the migrations again at start-up keeps what is stored.
      await knex.migrate.latest({ directory: migrationsDir });
      const stored = await knex('crossplane_requests')
        .where({ id: request.id })
        .first();
      expect(stored).toMatchObject({
        ...request,
        created_at: expect.anything(),
        updated_at: expect.anything(),
      });
      expect(new Date(stored.created_at).toISOString()).toBe(
        '2026-11-25T09:00:00.000Z',
      );
      expect(
        await knex('crossplane_request_events').select(
          'request_id',
          'status',
          'actor',
        ),
      ).toEqual([
        { request_id: request.id, status: 'queued', actor: event.actor },
      ]);

      // Down through the later migrations, then this one.
      await migrateDownOnce(knex);
      await migrateDownOnce(knex);
      await migrateDownOnce(knex);
      expect(await knex.schema.hasTable('crossplane_request_events')).toBe(
        false,
      );
      expect(await knex.schema.hasTable('crossplane_requests')).toBe(false);

      // Up again after down: the tables come back empty and usable.
      await migrateUpOnce(knex);
      expect(await knex('crossplane_requests').select()).toEqual([]);
      await knex('crossplane_requests').insert(request);
      await knex('crossplane_request_events').insert(event);
      expect(
        await knex('crossplane_request_events')
          .where({ request_id: request.id })
          .first('status'),
      ).toEqual({ status: 'queued' });

      await knex.destroy();
    },
  );

  it.each(databases.eachSupportedId())(
    '20261206000001_request_pull_requests adds and drops the pull request and retry columns on %p, keeping requests',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await migrateUpOnce(knex);
      await knex('crossplane_requests').insert(request);
      await knex('crossplane_request_events').insert(event);
      // Through 20261206000000_request_operations, then this one.
      await migrateUpOnce(knex);
      await migrateUpOnce(knex);
      expect(
        await knex('crossplane_requests')
          .where({ id: request.id })
          .first(
            'status',
            'pull_request_repository',
            'pull_request_number',
            'pull_request_url',
            'retry_at',
          ),
      ).toEqual({
        status: 'queued',
        pull_request_repository: null,
        pull_request_number: null,
        pull_request_url: null,
        retry_at: null,
      });
      await knex('crossplane_requests')
        .where({ id: request.id })
        .update({
          status: 'pr-opened',
          pull_request_repository: 'https://github.com/acme/platform-gitops',
          pull_request_number: 7,
          pull_request_url: 'https://github.com/acme/platform-gitops/pull/7',
          retry_at: new Date('2026-12-06T10:00:00.000Z'),
        });
      const stored = await knex('crossplane_requests')
        .where({ id: request.id })
        .first();
      expect(stored).toMatchObject({
        pull_request_number: 7,
        pull_request_url: 'https://github.com/acme/platform-gitops/pull/7',
      });
      expect(new Date(stored.retry_at).toISOString()).toBe(
        '2026-12-06T10:00:00.000Z',
      );

      await migrateDownOnce(knex);
      const columns = await knex('crossplane_requests').columnInfo();
      expect(Object.keys(columns)).not.toContain('pull_request_number');
      expect(Object.keys(columns)).not.toContain('retry_at');
      // The request itself survives going down.
      expect(
        await knex('crossplane_requests')
          .where({ id: request.id })
          .first('status', 'name'),
      ).toEqual({ status: 'pr-opened', name: request.name });

      await knex.destroy();
    },
  );

  it.each(databases.eachSupportedId())(
    '20261206000000_request_operations adds operations, frees finished requests and goes back on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await migrateUpOnce(knex);
      const ready = {
        ...request,
        id: 'a1b2c3d4-0000-4000-8000-000000000010',
        client_request_id: 'submission-10',
        status: 'credentials-available',
      };
      const queued = {
        ...request,
        id: 'a1b2c3d4-0000-4000-8000-000000000011',
        client_request_id: 'submission-11',
        name: 'orders-db',
        active_key:
          'dev-eu|platform.paved.dev/v1alpha1|postgresqlinstance|team-payments|orders-db',
      };
      await knex('crossplane_requests').insert([ready, queued]);
      await knex('crossplane_request_events').insert({
        ...event,
        request_id: ready.id,
      });

      await migrateUpOnce(knex);
      const rows = await knex('crossplane_requests')
        .orderBy('client_request_id')
        .select('id', 'operation', 'generation', 'active_key', 'parameters');
      expect(rows).toEqual([
        // Finished: its resource may now be changed by another request.
        {
          id: ready.id,
          operation: 'create',
          generation: null,
          active_key: null,
          parameters: request.parameters,
        },
        {
          id: queued.id,
          operation: 'create',
          generation: null,
          active_key: queued.active_key,
          parameters: request.parameters,
        },
      ]);
      // A change of the finished request's resource can be stored now, holding its key.
      const change = {
        ...request,
        id: 'a1b2c3d4-0000-4000-8000-000000000012',
        client_request_id: 'submission-12',
        operation: 'update',
        generation: 3,
        status: 'updating',
      };
      await knex('crossplane_requests').insert(change);
      await knex('crossplane_request_events').insert({
        ...event,
        request_id: change.id,
        status: 'updating',
      });

      await migrateDownOnce(knex);
      // Creates only again: the change and its timeline are gone, the finished create holds
      // its resource as before, and the other requests are as they were.
      expect(
        await knex('crossplane_requests')
          .orderBy('client_request_id')
          .select('id', 'status', 'active_key'),
      ).toEqual([
        {
          id: ready.id,
          status: 'credentials-available',
          active_key: request.active_key,
        },
        { id: queued.id, status: 'queued', active_key: queued.active_key },
      ]);
      expect(
        await knex('crossplane_request_events').select('request_id'),
      ).toEqual([{ request_id: ready.id }]);
      expect(
        await knex.schema.hasColumn('crossplane_requests', 'operation'),
      ).toBe(false);

      await knex.destroy();
    },
  );
});
