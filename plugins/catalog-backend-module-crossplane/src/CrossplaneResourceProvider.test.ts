import { mockServices } from '@backstage/backend-test-utils';
import {
  Entity,
  FieldFormatEntityPolicy,
  resourceEntityV1alpha1Validator,
} from '@backstage/catalog-model';
import {
  DeferredEntity,
  EntityProviderConnection,
  EntityProviderMutation,
} from '@backstage/plugin-catalog-node';
import {
  InfrastructureRequest,
  REQUEST_EVENTS_TOPIC,
  RequestStatus,
} from '@paved/plugin-crossplane-common';
import { eventually } from '@paved/sandbox';
import { AddressInfo } from 'node:net';
import { Server, createServer } from 'node:http';
import { CrossplaneResourceProvider } from './CrossplaneResourceProvider';
import { resourceEntityName } from './resourceEntity';

const DATABASE = 'postgresqlinstances.platform.paved.dev';
const CACHE = 'caches.platform.paved.dev';
const APP = 'https://paved.example.com';

let counter = 0;
function request(
  overrides: Partial<InfrastructureRequest> & {
    name?: string;
    history?: RequestStatus[];
  } = {},
): InfrastructureRequest {
  const { name = `db-${counter}`, history, ...rest } = overrides;
  counter += 1;
  const status = rest.status ?? 'ready';
  const statuses = history ?? ['queued', 'created', 'synced', status];
  return {
    id: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    operation: 'create',
    offering: DATABASE,
    offeringTitle: 'PostgreSQL database',
    environment: 'dev',
    entityRef: 'component:default/payments-service',
    ownerRef: 'group:default/team-payments',
    requestedBy: 'user:default/daniel-mercer',
    resource: {
      cluster: 'dev',
      apiVersion: 'platform.paved.dev/v1alpha1',
      kind: 'PostgreSQLInstance',
      namespace: 'team-payments',
      name,
    },
    parameters: { parameters: { storageGB: 20 } },
    status,
    createdAt: '2026-12-01T10:00:00.000Z',
    updatedAt: '2026-12-01T10:01:00.000Z',
    events: statuses.map(s => ({ status: s, at: '2026-12-01T10:00:00.000Z' })),
    ...rest,
  };
}

/**
 * The crossplane backend's `GET /offerings` and `GET /requests` (status filter, limit, offset,
 * newest first as given), with a switch to fail and a gate to hold answers.
 */
class FakeCrossplaneApi {
  requests: InfrastructureRequest[] = [];
  failWith?: number;
  /** While set, answers wait for it. */
  gate?: Promise<void>;
  readonly calls: Array<{ path: string; authorization?: string }> = [];
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer(async (req, res) => {
      const url = new URL(req.url!, 'http://fake');
      this.calls.push({
        path: `${url.pathname}${url.search}`,
        authorization: req.headers.authorization,
      });
      await this.gate;
      if (this.failWith) {
        res.writeHead(this.failWith, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({
            error: { name: 'Error', message: 'crossplane is restarting' },
          }),
        );
        return;
      }
      res.setHeader('Content-Type', 'application/json');
      if (url.pathname === '/api/crossplane/offerings') {
        res.end(
          JSON.stringify({
            offerings: [
              { name: DATABASE, resourceType: 'database' },
              { name: CACHE }, // no paved.dev/resource-type annotation
            ],
            clusters: [],
          }),
        );
        return;
      }
      if (url.pathname === '/api/crossplane/requests') {
        const statuses = url.searchParams.get('status')?.split(',');
        const limit = Number(url.searchParams.get('limit') ?? 200);
        const offset = Number(url.searchParams.get('offset') ?? 0);
        const matching = this.requests.filter(
          r => !statuses || statuses.includes(r.status),
        );
        res.end(
          JSON.stringify({ requests: matching.slice(offset, offset + limit) }),
        );
        return;
      }
      res.writeHead(404).end('{}');
    });
    await new Promise<void>(resolve =>
      this.server!.listen(0, '127.0.0.1', resolve),
    );
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/api/crossplane`;
  }

  stop(): Promise<void> {
    return new Promise(resolve => {
      this.server?.close(() => resolve());
      this.server?.closeAllConnections();
    });
  }

  requestCalls() {
    return this.calls.filter(c =>
      c.path.startsWith('/api/crossplane/requests'),
    );
  }
}

describe('CrossplaneResourceProvider', () => {
  let api: FakeCrossplaneApi;
  let baseUrl: string;

  beforeEach(async () => {
    api = new FakeCrossplaneApi();
    baseUrl = await api.start();
  });

  afterEach(() => api.stop());

  async function connected() {
    const logger = mockServices.logger.mock();
    const scheduler = mockServices.scheduler.mock();
    const events = mockServices.events();
    const provider = new CrossplaneResourceProvider({
      discovery: {
        getBaseUrl: async () => baseUrl,
        getExternalBaseUrl: async () => baseUrl,
      },
      auth: mockServices.auth({ pluginId: 'catalog' }),
      logger,
      scheduler,
      events,
      schedule: { frequency: { minutes: 5 }, timeout: { minutes: 2 } },
      appBaseUrl: APP,
    });
    const mutations: EntityProviderMutation[] = [];
    const connection: EntityProviderConnection = {
      applyMutation: jest.fn(async mutation => {
        mutations.push(mutation);
      }),
      refresh: jest.fn(),
    };
    await provider.connect(connection);
    const lastEntities = (): Entity[] => {
      const last = mutations.at(-1);
      if (last?.type !== 'full') throw new Error('no full mutation yet');
      return last.entities.map((d: DeferredEntity) => d.entity);
    };
    return { provider, logger, scheduler, events, mutations, lastEntities };
  }

  it('lists each existing resource as a Resource owned by the team, a dependency of its component, linked to its request', async () => {
    const database = request({ name: 'orders-db', status: 'ready' });
    const cache = request({
      name: 'sessions',
      offering: CACHE,
      offeringTitle: 'Cache (Redis or Valkey)',
      resource: {
        cluster: 'dev',
        apiVersion: 'platform.paved.dev/v1alpha1',
        kind: 'Cache',
        namespace: 'team-payments',
        name: 'sessions',
      },
      status: 'failed',
      history: ['queued', 'created', 'failed'],
    });
    const refused = request({
      name: 'refused-db',
      status: 'failed',
      history: ['queued', 'failed'],
    });
    const waiting = request({
      name: 'prod-db',
      status: 'awaiting-approval',
      history: ['awaiting-approval'],
    });
    api.requests = [database, cache, refused, waiting];
    const { provider, lastEntities } = await connected();

    await provider.refresh();

    const entities = lastEntities();
    expect(entities.map(e => e.metadata.title).sort()).toEqual([
      'orders-db (dev)',
      'sessions (dev)',
    ]);
    const db = entities.find(e => e.metadata.title === 'orders-db (dev)')!;
    expect(db).toEqual({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: {
        name: resourceEntityName(database),
        namespace: 'default',
        title: 'orders-db (dev)',
        description:
          'PostgreSQL database in dev, requested through Paved for component:default/payments-service.',
        annotations: {
          'backstage.io/managed-by-location': `url:${APP}/infrastructure/requests/${database.id}`,
          'backstage.io/managed-by-origin-location': `url:${APP}/infrastructure/requests/${database.id}`,
          'paved.dev/request-id': database.id,
          'paved.dev/environment': 'dev',
          'paved.dev/cluster': 'dev',
          'backstage.io/kubernetes-label-selector': `paved.dev/request-id=${database.id}`,
          'backstage.io/kubernetes-namespace': 'team-payments',
        },
        links: [
          {
            url: `${APP}/infrastructure/requests/${database.id}`,
            title: 'Request',
          },
        ],
      },
      spec: {
        type: 'database',
        owner: 'group:default/team-payments',
        dependencyOf: ['component:default/payments-service'],
      },
    });
    expect(db.metadata.name).toMatch(/^orders-db-dev-[0-9a-f]{6}$/);
    // An offering without paved.dev/resource-type: the kind, in lower case.
    const sessions = entities.find(e => e.metadata.title === 'sessions (dev)')!;
    expect(sessions.spec?.type).toBe('cache');
    for (const entity of entities) {
      await expect(resourceEntityV1alpha1Validator.check(entity)).resolves.toBe(
        true,
      );
      expect(() => new FieldFormatEntityPolicy().enforce(entity)).not.toThrow();
    }
  });

  it('keeps one entity per resource through its changes and drops it once a deletion of it is under way', async () => {
    const created = request({
      name: 'ledger-db',
      status: 'credentials-available',
    });
    const changed = request({
      name: 'ledger-db',
      operation: 'update',
      status: 'ready',
      history: ['queued', 'updating', 'synced', 'ready'],
      createdAt: '2026-12-02T10:00:00.000Z',
    });
    const kept = request({ name: 'orders-db', status: 'ready' });
    api.requests = [created, changed, kept];
    const { provider, lastEntities } = await connected();

    await provider.refresh();
    expect(
      lastEntities()
        .map(e => e.metadata.title)
        .sort(),
    ).toEqual(['ledger-db (dev)', 'orders-db (dev)']);
    expect(
      lastEntities().find(e => e.metadata.title === 'ledger-db (dev)')!.metadata
        .annotations!['paved.dev/request-id'],
    ).toBe(created.id);

    const deletion = request({
      name: 'ledger-db',
      operation: 'delete',
      status: 'deleting',
      history: ['queued', 'deleting'],
      createdAt: '2026-12-03T10:00:00.000Z',
    });
    api.requests = [created, changed, deletion, kept];
    await provider.refresh();
    expect(lastEntities().map(e => e.metadata.title)).toEqual([
      'orders-db (dev)',
    ]);

    // Requested again after the deletion: a new entity for the new resource.
    const again = request({
      name: 'ledger-db',
      status: 'ready',
      createdAt: '2026-12-04T10:00:00.000Z',
    });
    api.requests = [
      created,
      changed,
      { ...deletion, status: 'deleted' },
      again,
      kept,
    ];
    await provider.refresh();
    expect(
      lastEntities()
        .map(e => e.metadata.annotations!['paved.dev/request-id'])
        .sort(),
    ).toEqual([again.id, kept.id].sort());
  });

  it('reads the requests as the catalog plugin, with a token for the crossplane backend', async () => {
    api.requests = [request()];
    const { provider } = await connected();

    await provider.refresh();

    expect(api.calls.length).toBeGreaterThan(0);
    for (const call of api.calls) {
      const token = call.authorization?.replace(/^Bearer /, '') ?? '';
      expect(token).toMatch(/^mock-service-token:/);
      expect(
        JSON.parse(token.slice('mock-service-token:'.length)),
      ).toMatchObject({ sub: 'plugin:catalog', target: 'crossplane' });
    }
  });

  it('gives resources of the same name in two namespaces, or of two kinds, different entity names', () => {
    const payments = request({ name: 'shared' });
    const search = request({
      name: 'shared',
      ownerRef: 'group:default/team-search',
      resource: { ...payments.resource, namespace: 'team-search' },
    });
    const cache = request({
      name: 'shared',
      resource: { ...payments.resource, kind: 'Cache' },
    });
    const names = [payments, search, cache].map(resourceEntityName);
    expect(new Set(names).size).toBe(3);
    for (const name of names) expect(name).toMatch(/^shared-dev-[0-9a-f]{6}$/);
  });

  it('shortens a long name to a valid entity name that stays unique', async () => {
    const long = 'a'.repeat(60);
    const first = request({ name: long, environment: 'production-eu-west' });
    const second = request({
      name: long,
      environment: 'production-eu-west',
      resource: { ...first.resource, namespace: 'team-search' },
    });
    const [a, b] = [first, second].map(resourceEntityName);
    expect(a).not.toBe(b);
    expect(a.length).toBeLessThanOrEqual(63);
    expect(a).toMatch(/^a+-[0-9a-f]{6}$/);
  });

  it('refreshes when a request changes, and a burst of changes runs at most one more refresh', async () => {
    const { events, mutations, lastEntities } = await connected();
    expect(mutations).toHaveLength(0);

    let open = () => {};
    api.gate = new Promise<void>(resolve => {
      open = resolve;
    });
    api.requests = [request({ name: 'first-db' })];
    const signal = { id: api.requests[0].id, status: 'created', entityRef: '' };
    await events.publish({ topic: REQUEST_EVENTS_TOPIC, eventPayload: signal });
    await eventually(async () => {
      if (api.requestCalls().length === 0) throw new Error('not read yet');
    });
    // Four more changes while the first refresh waits for the crossplane backend.
    api.requests.unshift(request({ name: 'second-db' }));
    for (let i = 0; i < 4; i++) {
      await events.publish({
        topic: REQUEST_EVENTS_TOPIC,
        eventPayload: signal,
      });
    }
    api.gate = undefined;
    open();

    await eventually(async () => {
      if (mutations.length < 2)
        throw new Error(`${mutations.length} refreshes`);
    });
    // The last refresh has the change made during the first one.
    expect(lastEntities().map(e => e.metadata.title)).toEqual([
      'second-db (dev)',
      'first-db (dev)',
    ]);
    await new Promise(resolve => setImmediate(resolve));
    expect(mutations).toHaveLength(2);
    expect(api.requestCalls()).toHaveLength(2);
  });

  it('runs the refresh on its schedule', async () => {
    api.requests = [request({ name: 'scheduled-db' })];
    const { scheduler, lastEntities } = await connected();

    expect(scheduler.scheduleTask).toHaveBeenCalledWith(
      expect.objectContaining({
        id: 'crossplane-resources:refresh',
        frequency: { minutes: 5 },
      }),
    );
    await scheduler.scheduleTask.mock.calls[0][0].fn(
      new AbortController().signal,
    );
    expect(lastEntities().map(e => e.metadata.title)).toEqual([
      'scheduled-db (dev)',
    ]);
  });

  it('keeps the previous entities and warns when the crossplane backend cannot be read', async () => {
    api.requests = [request({ name: 'kept-db' })];
    const { provider, logger, mutations, lastEntities } = await connected();
    await provider.refresh();
    expect(mutations).toHaveLength(1);

    api.failWith = 503;
    await provider.refresh();
    await api.stop();
    await provider.refresh();

    expect(mutations).toHaveLength(1);
    expect(lastEntities().map(e => e.metadata.title)).toEqual([
      'kept-db (dev)',
    ]);
    expect(logger.warn).toHaveBeenCalledTimes(2);
    expect(logger.warn).toHaveBeenNthCalledWith(
      1,
      'Could not read requests from the crossplane backend; the catalog keeps the Resources it has',
      { error: expect.stringContaining('503') },
    );
    expect(logger.warn).toHaveBeenNthCalledWith(
      2,
      'Could not read requests from the crossplane backend; the catalog keeps the Resources it has',
      { error: expect.stringMatching(/fetch failed|ECONNREFUSED/) },
    );
  });

  it('walks every page of requests', async () => {
    api.requests = Array.from({ length: 1203 }, (_, i) =>
      request({ name: `db-${i}` }),
    );
    const { provider, lastEntities } = await connected();

    await provider.refresh();

    expect(lastEntities()).toHaveLength(1203);
    expect(
      api
        .requestCalls()
        .map(c => new URL(c.path, 'http://x').searchParams.get('offset')),
    ).toEqual(['0', '500', '1000']);
  });
});
