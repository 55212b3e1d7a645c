import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import { Knex } from 'knex';
import {
  DatabaseRequestStore,
  NewRequest,
  RequestStore,
  requestStoreFor,
} from './RequestStore';

jest.setTimeout(60_000);

const alice = 'user:default/alice';
const bob = 'user:default/bob';
const payments = 'group:default/team-payments';
const search = 'group:default/team-search';

let submission = 0;

function newRequest(overrides: Partial<NewRequest> = {}): NewRequest {
  submission += 1;
  return {
    operation: 'create',
    clientRequestId: `submission-${submission}`,
    requestedBy: alice,
    offering: 'postgresqlinstances.platform.paved.dev',
    offeringTitle: 'PostgreSQL',
    environment: 'dev',
    entityRef: 'component:default/payments-service',
    ownerRef: payments,
    resource: {
      cluster: 'dev-eu',
      apiVersion: 'platform.paved.dev/v1alpha1',
      kind: 'PostgreSQLInstance',
      namespace: 'team-payments',
      name: `payments-db-${submission}`,
    },
    parameters: { storageGB: 20, version: '16', backup: { enabled: true } },
    status: 'queued',
    ...overrides,
  };
}

/** Lets the clock move, so requests made one after another have distinct creation times. */
function tick() {
  return new Promise(resolve => setTimeout(resolve, 5));
}

describe('DatabaseRequestStore', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_18', 'SQLITE_3'] });

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    let knex: Knex;
    let store: RequestStore;

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      store = await DatabaseRequestStore.create({
        database: mockServices.database({ knex }),
      });
    });

    async function rowCounts() {
      const [requests] = await knex('crossplane_requests').count({ n: '*' });
      const [events] = await knex('crossplane_request_events').count({
        n: '*',
      });
      return { requests: Number(requests.n), events: Number(events.n) };
    }

    it('stores a request with its parameters, resource and first event', async () => {
      const input = newRequest({ status: 'awaiting-approval' });

      const { request, created } = await store.create(input);

      expect(created).toBe(true);
      expect(request.id).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      );
      expect(request).toEqual({
        id: request.id,
        operation: 'create',
        offering: input.offering,
        offeringTitle: 'PostgreSQL',
        environment: 'dev',
        entityRef: input.entityRef,
        ownerRef: payments,
        requestedBy: alice,
        resource: input.resource,
        parameters: { storageGB: 20, version: '16', backup: { enabled: true } },
        status: 'awaiting-approval',
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
        updatedAt: request.createdAt,
        events: [
          { status: 'awaiting-approval', at: request.createdAt, actor: alice },
        ],
      });
      expect(Date.now() - Date.parse(request.createdAt)).toBeLessThan(60_000);
      expect(await store.get(request.id)).toEqual(request);
      expect(await store.get('00000000-0000-0000-0000-000000000000')).toBe(
        undefined,
      );
    });

    it('omits the namespace of a cluster-scoped resource', async () => {
      const input = newRequest();
      const { namespace, ...clusterScoped } = input.resource;

      const { request } = await store.create({
        ...input,
        resource: clusterScoped,
      });

      expect((await store.get(request.id))!.resource).toEqual(clusterScoped);
    });

    it('returns the first request when the same submission is sent again', async () => {
      const input = newRequest();
      const first = await store.create(input);

      const again = await store.create({
        ...input,
        parameters: { storageGB: 50 },
      });

      expect(again.created).toBe(false);
      expect(again.request).toEqual(first.request);
      expect(await rowCounts()).toEqual({ requests: 1, events: 1 });
    });

    it('stores one request when the same submission arrives twice at once', async () => {
      const input = newRequest();

      const results = await Promise.all([
        store.create(input),
        store.create(input),
      ]);

      expect(results.map(r => r.created).sort()).toEqual([false, true]);
      expect(results[0].request.id).toBe(results[1].request.id);
      expect(await rowCounts()).toEqual({ requests: 1, events: 1 });
    });

    it('refuses a second live request for the same resource and writes nothing', async () => {
      const first = await store.create(newRequest());
      const { resource } = first.request;

      // Another person, another submission, the same resource spelled in another case.
      const second = store.create(
        newRequest({
          requestedBy: bob,
          resource: { ...resource, cluster: 'DEV-EU' },
        }),
      );

      await expect(second).rejects.toThrow(ConflictError);
      await expect(second).rejects.toThrow(
        `PostgreSQLInstance team-payments/${resource.name} on DEV-EU is already requested (request ${first.request.id})`,
      );
      expect(await rowCounts()).toEqual({ requests: 1, events: 1 });
    });

    it('stores one of two requests for the same resource made at once', async () => {
      const first = newRequest();
      const second = newRequest({ resource: first.resource });

      const results = await Promise.allSettled([
        store.create(first),
        store.create(second),
      ]);

      expect(results.map(r => r.status).sort()).toEqual([
        'fulfilled',
        'rejected',
      ]);
      const refused = results.find(r => r.status === 'rejected');
      expect((refused as PromiseRejectedResult).reason).toBeInstanceOf(
        ConflictError,
      );
      expect(await rowCounts()).toEqual({ requests: 1, events: 1 });
    });

    it('lets a failed request’s resource be changed by the next request', async () => {
      const first = await store.create(newRequest());
      await store.transition(first.request.id, {
        from: ['queued'],
        to: 'failed',
        message: 'admission webhook denied the request',
      });

      const fix = await store.create(
        newRequest({ operation: 'update', resource: first.request.resource }),
      );
      expect(fix.created).toBe(true);
      expect(fix.request.operation).toBe('update');
    });

    it('holds a resource while a change of it is under way, and gives it up when the change is done', async () => {
      const create = await store.create(newRequest());
      const { resource } = create.request;
      expect((await store.findActive(resource))?.id).toBe(create.request.id);
      await store.transition(create.request.id, {
        from: ['queued'],
        to: 'ready',
      });
      expect(await store.findActive(resource)).toBeUndefined();

      const change = await store.create(
        newRequest({ operation: 'update', resource }),
      );
      const updating = await store.transition(change.request.id, {
        from: ['queued'],
        to: 'updating',
        generation: 4,
      });
      expect(updating).toMatchObject({
        operation: 'update',
        status: 'updating',
        generation: 4,
      });
      expect((await store.findActive(resource))?.id).toBe(change.request.id);
      await expect(
        store.create(newRequest({ operation: 'delete', resource })),
      ).rejects.toThrow(ConflictError);

      await store.transition(change.request.id, {
        from: ['updating'],
        to: 'ready',
      });
      const deletion = await store.create(
        newRequest({ operation: 'delete', resource }),
      );
      await store.transition(deletion.request.id, {
        from: ['queued'],
        to: 'deleting',
      });
      expect((await store.findActive(resource))?.operation).toBe('delete');
      await store.transition(deletion.request.id, {
        from: ['deleting'],
        to: 'deleted',
      });
      expect(await store.findActive(resource)).toBeUndefined();
      expect(
        (await store.list({ operations: ['update', 'delete'] })).map(
          r => r.operation,
        ),
      ).toEqual(['delete', 'update']);
    });

    it('accepts the same name in another namespace or cluster', async () => {
      const { request } = await store.create(newRequest());

      const otherNamespace = await store.create(
        newRequest({
          resource: { ...request.resource, namespace: 'team-search' },
        }),
      );
      const otherCluster = await store.create(
        newRequest({ resource: { ...request.resource, cluster: 'prod-eu' } }),
      );

      expect(otherNamespace.created).toBe(true);
      expect(otherCluster.created).toBe(true);
    });

    it('lets the name be used again after a rejection', async () => {
      const first = await store.create(
        newRequest({ status: 'awaiting-approval' }),
      );
      await store.transition(first.request.id, {
        from: ['awaiting-approval'],
        to: 'rejected',
        actor: bob,
      });

      const second = await store.create(
        newRequest({ resource: first.request.resource }),
      );

      expect(second.created).toBe(true);
      expect(second.request.id).not.toBe(first.request.id);
    });

    it('moves a request only from the allowed statuses', async () => {
      const { request } = await store.create(newRequest());

      expect(
        await store.transition(request.id, {
          from: ['awaiting-approval'],
          to: 'queued',
          actor: bob,
        }),
      ).toBe(undefined);
      expect(await store.get(request.id)).toEqual(request);

      await tick();
      const created = await store.transition(request.id, {
        from: ['queued', 'failed'],
        to: 'created',
        message: 'Applied to dev-eu',
      });
      expect(created).toMatchObject({
        status: 'created',
        message: 'Applied to dev-eu',
      });
      expect(Date.parse(created!.updatedAt)).toBeGreaterThan(
        Date.parse(request.createdAt),
      );
      expect(created!.events).toEqual([
        request.events[0],
        {
          status: 'created',
          at: created!.updatedAt,
          message: 'Applied to dev-eu',
        },
      ]);

      // A transition without a message clears the previous one.
      const synced = await store.transition(request.id, {
        from: ['created'],
        to: 'synced',
      });
      expect(synced!.message).toBeUndefined();
      expect(synced!.events.map(e => e.status)).toEqual([
        'queued',
        'created',
        'synced',
      ]);

      expect(
        await store.transition('00000000-0000-0000-0000-000000000000', {
          from: ['queued'],
          to: 'created',
        }),
      ).toBe(undefined);
    });

    it('lets exactly one of two concurrent transitions from one status through', async () => {
      const { request } = await store.create(
        newRequest({ status: 'awaiting-approval' }),
      );

      const results = await Promise.all([
        store.transition(request.id, {
          from: ['awaiting-approval'],
          to: 'queued',
          actor: bob,
        }),
        store.transition(request.id, {
          from: ['awaiting-approval'],
          to: 'rejected',
          actor: bob,
        }),
      ]);

      const moved = results.filter(r => r !== undefined);
      expect(moved).toHaveLength(1);
      const stored = await store.get(request.id);
      expect(stored!.status).toBe(moved[0]!.status);
      expect(stored!.events.map(e => e.status)).toEqual([
        'awaiting-approval',
        moved[0]!.status,
      ]);
    });

    it('stores the approval with the transition', async () => {
      const { request } = await store.create(
        newRequest({ status: 'awaiting-approval' }),
      );
      const approval = {
        decision: 'approved' as const,
        by: bob,
        at: '2026-11-25T09:30:00.000Z',
        comment: 'Fine for dev',
      };

      await store.transition(request.id, {
        from: ['awaiting-approval'],
        to: 'queued',
        actor: bob,
        message: 'Fine for dev',
        approval,
      });
      // Later transitions keep it.
      await store.transition(request.id, { from: ['queued'], to: 'created' });

      const stored = await store.get(request.id);
      expect(stored!.approval).toEqual(approval);
      expect(stored!.events[1]).toMatchObject({
        status: 'queued',
        actor: bob,
        message: 'Fine for dev',
      });
    });

    it('sets and clears the message without adding an event', async () => {
      const { request } = await store.create(newRequest());

      await store.setMessage(request.id, 'cluster dev-eu unreachable');
      expect(await store.get(request.id)).toMatchObject({
        status: 'queued',
        message: 'cluster dev-eu unreachable',
        events: request.events,
      });

      await store.setMessage(request.id, undefined);
      expect((await store.get(request.id))!.message).toBeUndefined();
    });

    it('lists requests matching the filter, newest first', async () => {
      const cart = 'component:default/cart-service';
      const a = await store.create(newRequest());
      await tick();
      const b = await store.create(
        newRequest({ requestedBy: bob, status: 'awaiting-approval' }),
      );
      await tick();
      const c = await store.create(
        newRequest({ entityRef: cart, ownerRef: search, environment: 'prod' }),
      );
      await tick();
      const d = await store.create(
        newRequest({
          offering: 'buckets.platform.paved.dev',
          offeringTitle: 'Bucket',
        }),
      );
      const ids = (requests: Array<{ id: string }>) => requests.map(r => r.id);
      const [idA, idB, idC, idD] = ids([a, b, c, d].map(r => r.request));

      expect(ids(await store.list({}))).toEqual([idD, idC, idB, idA]);
      expect(await store.list({ entityRef: cart })).toEqual([c.request]);
      expect(ids(await store.list({ ownerRefs: [payments] }))).toEqual([
        idD,
        idB,
        idA,
      ]);
      expect(ids(await store.list({ ownerRefs: [payments, search] }))).toEqual([
        idD,
        idC,
        idB,
        idA,
      ]);
      expect(await store.list({ ownerRefs: [] })).toEqual([]);
      expect(
        ids(await store.list({ statuses: ['awaiting-approval'] })),
      ).toEqual([idB]);
      expect(ids(await store.list({ requestedBy: bob }))).toEqual([idB]);
      expect(ids(await store.list({ environment: 'prod' }))).toEqual([idC]);
      expect(
        ids(await store.list({ offering: 'buckets.platform.paved.dev' })),
      ).toEqual([idD]);
      expect(ids(await store.list({ limit: 2 }))).toEqual([idD, idC]);
      expect(ids(await store.list({ limit: 2, offset: 2 }))).toEqual([
        idB,
        idA,
      ]);
      expect(await store.list({ limit: 2, offset: 4 })).toEqual([]);
      expect(
        ids(await store.list({ ownerRefs: [payments], requestedBy: alice })),
      ).toEqual([idD, idA]);
    });

    it('gives the ids of requests in some statuses, oldest first', async () => {
      const first = await store.create(newRequest());
      await tick();
      await store.create(newRequest({ status: 'awaiting-approval' }));
      await tick();
      const second = await store.create(newRequest());
      await tick();
      const third = await store.create(newRequest());
      await store.transition(third.request.id, {
        from: ['queued'],
        to: 'failed',
      });

      expect(await store.idsWithStatus(['queued'])).toEqual([
        first.request.id,
        second.request.id,
      ]);
      expect(await store.idsWithStatus(['queued', 'failed'], 2)).toEqual([
        first.request.id,
        second.request.id,
      ]);
      expect(await store.idsWithStatus(['failed'])).toEqual([third.request.id]);
    });

    it('stores the pull request with the move to pr-opened and keeps it on later moves', async () => {
      const { request } = await store.create(newRequest());
      const pullRequest = {
        repository: 'https://github.com/acme/platform-gitops',
        number: 42,
        url: 'https://github.com/acme/platform-gitops/pull/42',
      };
      const opened = await store.transition(request.id, {
        from: ['queued'],
        to: 'pr-opened',
        message: 'Pull request #42 opened in acme/platform-gitops',
        pullRequest,
      });
      expect(opened).toMatchObject({ status: 'pr-opened', pullRequest });
      const merged = await store.transition(request.id, {
        from: ['pr-opened'],
        to: 'merged',
      });
      expect(merged?.pullRequest).toEqual(pullRequest);
      expect(merged?.events.map(e => e.status)).toEqual([
        'queued',
        'pr-opened',
        'merged',
      ]);
      expect((await store.get(request.id))!.pullRequest).toEqual(pullRequest);
    });

    it('leaves a request postponed until its retry time out of the due ids, and a move clears the time', async () => {
      const now = new Date('2026-12-06T10:00:00.000Z');
      const later = await store.create(newRequest());
      await tick();
      const due = await store.create(newRequest());
      await tick();
      const unpostponed = await store.create(newRequest());

      await store.setMessage(
        later.request.id,
        'GitHub rate limit; retrying at 2026-12-06T10:05:00.000Z',
        new Date('2026-12-06T10:05:00.000Z'),
      );
      await store.setMessage(
        due.request.id,
        'GitHub rate limit; retrying at 2026-12-06T09:59:00.000Z',
        new Date('2026-12-06T09:59:00.000Z'),
      );
      expect((await store.get(later.request.id))!.retryAt).toBe(
        '2026-12-06T10:05:00.000Z',
      );
      expect(await store.idsWithStatus(['queued'], 10, now)).toEqual([
        due.request.id,
        unpostponed.request.id,
      ]);
      // Without a time every request of the status is listed.
      expect(await store.idsWithStatus(['queued'])).toHaveLength(3);

      const moved = await store.transition(later.request.id, {
        from: ['queued'],
        to: 'failed',
      });
      expect(moved?.retryAt).toBeUndefined();
      await store.setMessage(due.request.id, 'retrying');
      expect((await store.get(due.request.id))!.retryAt).toBeUndefined();
    });

    it('is created once per database service', async () => {
      const database = mockServices.database({
        knex: await databases.init(databaseId),
      });
      const [first, second] = await Promise.all([
        requestStoreFor(database),
        requestStoreFor(database),
      ]);
      expect(first).toBe(second);
    });
  });
});
