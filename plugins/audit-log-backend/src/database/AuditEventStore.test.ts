import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { AuditEvent } from '@paved/plugin-audit-log-common';
import { record } from '../__testUtils__/records';
import { AuditEventStore, DatabaseAuditEventStore } from './AuditEventStore';

jest.setTimeout(60_000);

const at = (iso: string) => new Date(iso);

describe('DatabaseAuditEventStore', () => {
  const databases = TestDatabases.create();

  async function createStore(databaseId: any): Promise<AuditEventStore> {
    const knex = await databases.init(databaseId);
    return DatabaseAuditEventStore.create({
      database: mockServices.database({ knex, migrations: { skip: false } }),
    });
  }

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    it('returns every stored field of an event as it was recorded', async () => {
      const store = await createStore(databaseId);
      await store.insertEvents([
        record({
          status: 'failed',
          errorName: 'NotAllowedError',
          errorMessage: 'You may not delete payments',
        }),
      ]);

      const { items, totalCount } = await store.listEvents({
        filter: {},
        limit: 10,
        offset: 0,
      });

      expect(totalCount).toBe(1);
      expect(items).toEqual([
        {
          id: expect.any(String),
          time: '2026-11-20T10:00:00.000Z',
          plugin: 'catalog',
          eventId: 'entity-mutate',
          severity: 'medium',
          status: 'failed',
          actor: {
            actorId: 'user:default/jane',
            ip: '10.0.0.7',
            userAgent: 'Mozilla/5.0',
            hostname: 'paved.example.com',
          },
          target: 'component:default/payments',
          error: {
            name: 'NotAllowedError',
            message: 'You may not delete payments',
          },
          request: {
            method: 'DELETE',
            url: '/api/catalog/entities/by-uid/123',
          },
          meta: {
            actionType: 'delete',
            entityRef: 'component:default/payments',
          },
        } satisfies AuditEvent,
      ]);
    });

    it('filters by actor, plugin, action, entity, outcome and time range', async () => {
      const store = await createStore(databaseId);
      await store.insertEvents([
        record({ eventId: 'entity-mutate', actorId: 'user:default/Jane' }),
        record({
          plugin: 'scaffolder',
          eventId: 'task',
          actorId: 'user:default/bob',
          target: 'template:default/node-service',
          time: at('2026-11-21T10:00:00Z'),
        }),
        record({
          eventId: 'location-mutate',
          actorId: 'user:default/bob',
          target:
            'https://github.com/acme/100%_real/blob/main/catalog-info.yaml',
          status: 'failed',
          errorName: 'InputError',
          errorMessage: 'bad location',
          time: at('2026-11-22T10:00:00Z'),
        }),
        record({
          eventId: 'entity-mutate',
          actorId: 'user:default/mallory',
          status: 'failed',
          errorName: 'NotAllowedError',
          errorMessage: 'denied',
          time: at('2026-11-23T10:00:00Z'),
        }),
      ]);
      const find = async (
        filter: Parameters<AuditEventStore['listEvents']>[0]['filter'],
      ) =>
        (await store.listEvents({ filter, limit: 50, offset: 0 })).items.map(
          e => `${e.actor.actorId} ${e.eventId}`,
        );

      expect(await find({ actor: 'jane' })).toEqual([
        'user:default/Jane entity-mutate',
      ]);
      expect(await find({ plugin: 'scaffolder' })).toEqual([
        'user:default/bob task',
      ]);
      expect(await find({ action: 'entity-mutate' })).toEqual([
        'user:default/mallory entity-mutate',
        'user:default/Jane entity-mutate',
      ]);
      expect(await find({ entity: 'NODE-SERVICE' })).toEqual([
        'user:default/bob task',
      ]);
      // % and _ are literal characters, not wildcards.
      expect(await find({ entity: '100%_real' })).toEqual([
        'user:default/bob location-mutate',
      ]);
      expect(await find({ entity: '100%x' })).toEqual([]);
      expect(await find({ outcome: 'failed' })).toEqual([
        'user:default/mallory entity-mutate',
        'user:default/bob location-mutate',
      ]);
      expect(await find({ outcome: 'denied' })).toEqual([
        'user:default/mallory entity-mutate',
      ]);
      expect(await find({ outcome: 'succeeded', actor: 'bob' })).toEqual([
        'user:default/bob task',
      ]);
      expect(
        await find({
          from: '2026-11-21T10:00:00Z',
          to: '2026-11-23T10:00:00Z',
        }),
      ).toEqual(['user:default/bob location-mutate', 'user:default/bob task']);
    });

    it('pages newest first and counts every match', async () => {
      const store = await createStore(databaseId);
      await store.insertEvents(
        Array.from({ length: 7 }, (_, i) =>
          record({
            target: `component:default/svc-${i}`,
            time: at(`2026-11-2${i}T10:00:00Z`),
          }),
        ),
      );

      const page = await store.listEvents({ filter: {}, limit: 3, offset: 3 });

      expect(page.totalCount).toBe(7);
      expect(page.items.map(e => e.target)).toEqual([
        'component:default/svc-3',
        'component:default/svc-2',
        'component:default/svc-1',
      ]);
      const last = await store.listEvents({ filter: {}, limit: 3, offset: 6 });
      expect(last.items.map(e => e.target)).toEqual([
        'component:default/svc-0',
      ]);
    });

    it('streams every match once, across batches and events of the same time', async () => {
      const store = await createStore(databaseId);
      const sameTime = at('2026-11-20T10:00:00Z');
      await store.insertEvents([
        ...Array.from({ length: 5 }, (_, i) =>
          record({ target: `same-${i}`, time: sameTime }),
        ),
        ...Array.from({ length: 4 }, (_, i) =>
          record({
            target: `later-${i}`,
            time: at(`2026-11-2${i + 1}T10:00:00Z`),
          }),
        ),
        record({ plugin: 'scaffolder', target: 'filtered-out' }),
      ]);

      const batches: string[][] = [];
      for await (const batch of store.streamEvents({ plugin: 'catalog' }, 2)) {
        batches.push(batch.map(e => e.target!));
      }

      expect(batches.every(batch => batch.length <= 2)).toBe(true);
      expect(batches.flat()).toEqual([
        'later-3',
        'later-2',
        'later-1',
        'later-0',
        'same-4',
        'same-3',
        'same-2',
        'same-1',
        'same-0',
      ]);
    });

    it('deletes only events older than the retention cut-off', async () => {
      const store = await createStore(databaseId);
      await store.insertEvents([
        record({ target: 'old', time: at('2026-08-01T00:00:00Z') }),
        record({ target: 'edge', time: at('2026-08-27T00:00:00Z') }),
        record({ target: 'recent', time: at('2026-11-20T00:00:00Z') }),
      ]);

      const deleted = await store.deleteEventsBefore(
        at('2026-08-27T00:00:00Z'),
      );

      expect(deleted).toBe(1);
      const { items } = await store.listEvents({
        filter: {},
        limit: 10,
        offset: 0,
      });
      expect(items.map(e => e.target)).toEqual(['recent', 'edge']);
    });
  });
});
