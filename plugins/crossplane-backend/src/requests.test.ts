/*
 * Requests for infrastructure through the plugin as a whole: over HTTP, against Kubernetes
 * stand-ins whose simulated Crossplane provisions what Paved creates, with a permission policy
 * that behaves like Paved's (teams request for what they own; approvers approve).
 */
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  FieldError,
  InfrastructureRequest,
  InfrastructureRequestInput,
  OfferingsResponse,
  RESOURCE_TYPE_CROSSPLANE_REQUEST,
  RequestResourceDetail,
  RequestStatus,
  crossplaneRequestApprovePermission,
  crossplaneRequestConditions,
  crossplaneRequestCreatePermission,
  EntityResourcesResponse,
  REQUESTED_FOR_ANNOTATION,
} from '@paved/plugin-crossplane-common';
import { randomUUID } from 'node:crypto';
import { Server } from 'node:http';
import { eventually } from '@paved/sandbox';
import supertest from 'supertest';
import crossplanePlugin from '.';
import {
  CustomKind,
  TestCluster,
  startCluster,
} from './__testUtils__/clusters';
import { periodicSchedulerFactory } from './__testUtils__/periodicScheduler';

jest.setTimeout(120_000);

const PAT = 'user:default/pat';
const SAM = 'user:default/sam';
const SRE = 'user:default/sre';
/** An approver who is also in team-payments, so can ask for what they might approve. */
const ADA = 'user:default/ada';

const TEAMS: Record<string, string[]> = {
  [PAT]: ['group:default/team-payments'],
  [SAM]: ['group:default/team-search'],
  [SRE]: ['group:default/team-sre'],
  [ADA]: ['group:default/team-payments'],
};
const APPROVERS = [SRE, ADA];
const NAMESPACES = ['team-payments', 'team-search'];

const PAYMENTS = 'component:default/payments-service';
const SEARCH = 'component:default/search-api';
const PATS_TOY = 'component:default/pats-toy';
const CHECKOUT = 'component:default/checkout';

const DATABASE = 'postgresqlinstances.platform.paved.dev';
const BUCKET = 'xbuckets.platform.paved.dev';
const DATABASES: CustomKind = {
  group: 'platform.paved.dev',
  version: 'v1alpha1',
  plural: 'postgresqlinstances',
};
const BUCKETS: CustomKind = { ...DATABASES, plural: 'buckets' };
const CACHES: CustomKind = { ...DATABASES, plural: 'caches' };

function component(
  name: string,
  owner: string,
  annotations?: Record<string, string>,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      ...(annotations ? { annotations } : {}),
    },
    spec: { type: 'service', lifecycle: 'production', owner },
    relations: [{ type: 'ownedBy', targetRef: owner }],
  };
}

describe('requests for infrastructure', () => {
  let dev: TestCluster;
  let prod: TestCluster;
  /** Cut off and reconnected by the delivery-retry test. */
  let staging: TestCluster;
  let server: Server;
  let stopBackend: () => Promise<void>;

  const call = (
    method: 'get' | 'post',
    path: string,
    user: string,
    body?: object,
  ) => {
    const req = supertest(server)
      [method](`/api/crossplane${path}`)
      .set('Authorization', mockCredentials.user.header(user));
    return body ? req.send(body) : req;
  };

  /** Asks for a 20 GB database in dev for the payments service, as pat, unless told otherwise. */
  const submit = (
    input: Partial<InfrastructureRequestInput> & { name: string },
    user = PAT,
  ) =>
    call('post', '/requests', user, {
      offering: DATABASE,
      environment: 'dev',
      entityRef: PAYMENTS,
      parameters: { parameters: { storageGB: 20 } },
      clientRequestId: randomUUID(),
      ...input,
    });

  const decide = (
    id: string,
    decision: 'approve' | 'reject',
    user: string,
    comment?: string,
  ) =>
    call(
      'post',
      `/requests/${id}/${decision}`,
      user,
      comment ? { comment } : {},
    );

  async function getRequest(id: string): Promise<InfrastructureRequest> {
    const res = await call('get', `/requests/${id}`, PAT);
    expect(res.status).toBe(200);
    return res.body;
  }

  async function waitForStatus(
    id: string,
    status: RequestStatus,
    timeoutMs = 20_000,
  ): Promise<InfrastructureRequest> {
    return eventually(async () => {
      const request = await getRequest(id);
      if (request.status !== status) {
        throw new Error(
          `request ${request.resource.name} is ${request.status} (${
            request.message ?? 'no message'
          }), waiting for ${status}`,
        );
      }
      return request;
    }, timeoutMs);
  }

  async function requestIdsFor(entityRef: string): Promise<string[]> {
    const res = await call(
      'get',
      `/requests?entityRef=${encodeURIComponent(entityRef)}`,
      PAT,
    );
    expect(res.status).toBe(200);
    return (res.body.requests as InfrastructureRequest[]).map(r => r.id).sort();
  }

  const names = async (cluster: TestCluster, kind: CustomKind, ns: string) =>
    (await cluster.list(kind, ns)).map(o => o.metadata.name).sort();

  beforeAll(async () => {
    [dev, prod, staging] = await Promise.all(
      ['dev', 'prod', 'staging'].map(name =>
        startCluster(name, { namespaces: NAMESPACES }),
      ),
    );
    // Someone else's cache, made without Paved, whose name a request then collides with.
    await dev.objects.createNamespacedCustomObject({
      ...CACHES,
      namespace: 'team-payments',
      body: {
        apiVersion: 'platform.paved.dev/v1alpha1',
        kind: 'Cache',
        metadata: { name: 'sessions' },
        spec: { parameters: { engine: 'redis', memoryMB: 1024 } },
      },
    });

    const backend = await startTestBackend({
      features: [
        crossplanePlugin,
        periodicSchedulerFactory(),
        mockServices.rootConfig.factory({
          data: {
            kubernetes: {
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: [dev.config, prod.config, staging.config],
                },
              ],
            },
            crossplane: {
              environments: [
                { name: 'dev', cluster: 'dev' },
                { name: 'prod', cluster: 'prod', approval: { required: true } },
                { name: 'staging', cluster: 'staging' },
              ],
              guardrails: [
                {
                  offering: DATABASE,
                  quotaPerTeam: 2,
                  limits: [
                    {
                      field: 'parameters.storageGB',
                      maximum: 100,
                      environments: ['dev'],
                    },
                    { field: 'parameters.version', enum: ['15', '16'] },
                  ],
                },
              ],
              delivery: {
                schedule: {
                  frequency: { seconds: 1 },
                  timeout: { seconds: 30 },
                },
              },
            },
          },
        }),
        catalogServiceMock.factory({
          entities: [
            component('payments-service', 'group:default/team-payments'),
            component('search-api', 'group:default/team-search'),
            component('pats-toy', PAT),
            component('checkout', 'group:default/team-payments', {
              'backstage.io/kubernetes-id': 'checkout',
            }),
          ],
        }),
        mockServices.permissions.mock({
          async authorize(requests) {
            return requests.map(() => ({ result: AuthorizeResult.ALLOW }));
          },
          async authorizeConditional(requests, { credentials }) {
            const user = (credentials.principal as { userEntityRef: string })
              .userEntityRef;
            return requests.map(({ permission }) => {
              if (permission.name === crossplaneRequestCreatePermission.name) {
                return {
                  result: AuthorizeResult.CONDITIONAL,
                  pluginId: 'crossplane',
                  resourceType: RESOURCE_TYPE_CROSSPLANE_REQUEST,
                  conditions: crossplaneRequestConditions.isRequestOwner({
                    claims: [user, ...(TEAMS[user] ?? [])],
                  }),
                };
              }
              if (permission.name === crossplaneRequestApprovePermission.name) {
                return {
                  result: APPROVERS.includes(user)
                    ? AuthorizeResult.ALLOW
                    : AuthorizeResult.DENY,
                };
              }
              return { result: AuthorizeResult.ALLOW };
            });
          },
        }).factory,
      ],
    });
    server = backend.server;
    stopBackend = () => backend.stop();
    await eventually(async () => {
      const res = await call('get', '/offerings', PAT);
      const { clusters = [] } = res.body as OfferingsResponse;
      if (clusters.filter(c => c.status === 'ready').length !== 3) {
        throw new Error(`clusters not read yet: ${JSON.stringify(clusters)}`);
      }
    });
  });

  afterAll(async () => {
    await stopBackend?.();
    await Promise.all([dev, prod, staging].map(c => c?.stop()));
  });

  it("lists an entity's live resources on every cluster from the watch cache, a cluster that cannot be read named with its error", async () => {
    const cache = (name: string, metadata: object) => ({
      apiVersion: 'platform.paved.dev/v1alpha1',
      kind: 'Cache',
      metadata: { name, ...metadata },
      spec: { parameters: { engine: 'valkey', memoryMB: 512 } },
    });
    // Labelled like the sandbox's demo databases, made without Paved.
    await dev.objects.createNamespacedCustomObject({
      ...CACHES,
      namespace: 'team-payments',
      body: cache('checkout-sessions', {
        labels: { 'backstage.io/kubernetes-id': 'checkout' },
      }),
    });
    // As Paved makes them: annotated with the entity it was requested for.
    await prod.objects.createNamespacedCustomObject({
      ...CACHES,
      namespace: 'team-payments',
      body: cache('checkout-carts', {
        annotations: { [REQUESTED_FOR_ANNOTATION]: CHECKOUT },
      }),
    });
    // Another entity's.
    await staging.objects.createNamespacedCustomObject({
      ...CACHES,
      namespace: 'team-payments',
      body: cache('checkout-elsewhere', {
        labels: { 'backstage.io/kubernetes-id': 'not-checkout' },
      }),
    });
    const view = async (user = PAT) => {
      const res = await call(
        'get',
        `/resources?entityRef=${encodeURIComponent(CHECKOUT)}`,
        user,
      );
      expect(res.status).toBe(200);
      return res.body as EntityResourcesResponse;
    };
    const ready = await eventually(async () => {
      const answer = await view();
      const readyOnes = answer.resources.filter(r =>
        r.conditions.some(c => c.type === 'Ready' && c.status === 'True'),
      );
      if (readyOnes.length !== 2) {
        throw new Error(`not both Ready yet: ${JSON.stringify(answer)}`);
      }
      return answer;
    });
    expect(ready.resources.map(r => `${r.cluster}/${r.name}`)).toEqual([
      'dev/checkout-sessions',
      'prod/checkout-carts',
    ]);
    expect(ready.resources[0]).toMatchObject({
      environment: 'dev',
      apiVersion: 'platform.paved.dev/v1alpha1',
      kind: 'Cache',
      namespace: 'team-payments',
      offering: 'caches.platform.paved.dev',
      deleting: false,
      mayChange: true,
    });
    // What the form fills in, without what Crossplane adds (spec.crossplane).
    expect(ready.resources[0].parameters).toEqual({
      parameters: expect.objectContaining({ engine: 'valkey', memoryMB: 512 }),
    });
    expect(ready.resources[0].conditions.map(c => c.type).sort()).toEqual([
      'Ready',
      'Synced',
    ]);
    expect(ready.clusters).toEqual([
      { name: 'dev', environment: 'dev', status: 'ready' },
      { name: 'prod', environment: 'prod', status: 'ready' },
      { name: 'staging', environment: 'staging', status: 'ready' },
    ]);
    // Another team sees them too, but may not change them.
    expect((await view(SAM)).resources.map(r => r.mayChange)).toEqual([
      false,
      false,
    ]);

    // Viewing calls no cluster: the answer comes from the watches.
    dev.resetRequestCount();
    prod.resetRequestCount();
    for (let i = 0; i < 5; i++) await view();
    expect(dev.requestCount() + prod.requestCount()).toBe(0);

    await staging.disconnect();
    try {
      const degraded = await eventually(async () => {
        const answer = await view();
        if (answer.clusters[2].status !== 'error') {
          throw new Error(`staging still readable: ${JSON.stringify(answer)}`);
        }
        return answer;
      });
      expect(degraded.clusters[2].error).toContain('staging');
      expect(degraded.resources.map(r => r.name)).toEqual([
        'checkout-sessions',
        'checkout-carts',
      ]);
    } finally {
      await staging.reconnect();
    }
  });

  it('answers 400 for a malformed entity ref and 404 for an unknown entity', async () => {
    const malformed = await call(
      'get',
      '/resources?entityRef=component:default/',
      PAT,
    );
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toContain('entityRef');
    const missing = await call(
      'get',
      '/resources?entityRef=component:default/nobody-knows',
      PAT,
    );
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toContain(
      'component:default/nobody-knows is not an entity in the catalog',
    );
  });

  it('creates a dev database in the team namespace and follows it until its credentials are available', async () => {
    const res = await submit({ name: 'orders-db' });
    expect(res.status).toBe(201);
    const { id } = res.body as InfrastructureRequest;
    expect(res.body).toMatchObject({
      environment: 'dev',
      entityRef: PAYMENTS,
      ownerRef: 'group:default/team-payments',
      requestedBy: PAT,
      resource: {
        cluster: 'dev',
        kind: 'PostgreSQLInstance',
        namespace: 'team-payments',
        name: 'orders-db',
      },
    });
    expect(['created', 'synced', 'ready', 'credentials-available']).toContain(
      res.body.status,
    );

    const xr = await dev.get(DATABASES, 'team-payments', 'orders-db');
    expect(xr.metadata.labels['paved.dev/request-id']).toBe(id);
    expect(xr.spec.parameters).toMatchObject({ storageGB: 20, version: '16' });

    const done = await waitForStatus(id, 'credentials-available');
    expect(done.events.map(e => e.status)).toEqual([
      'queued',
      'created',
      'synced',
      'ready',
      'credentials-available',
    ]);
    expect(done.events[0].actor).toBe(PAT);
    expect(done.message).toBe(
      'Secret team-payments/orders-db-connection holds database, host, password, port, username',
    );

    const detailRes = await call('get', `/requests/${id}/resource`, PAT);
    expect(detailRes.status).toBe(200);
    const detail = detailRes.body as RequestResourceDetail;
    expect(detail).toMatchObject({
      exists: true,
      secret: {
        namespace: 'team-payments',
        name: 'orders-db-connection',
        keys: ['database', 'host', 'password', 'port', 'username'],
      },
    });
    expect(detail.error).toBeUndefined();
    expect(detail.conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'Synced', status: 'True' }),
        expect.objectContaining({ type: 'Ready', status: 'True' }),
      ]),
    );
    expect(detail.composed.map(c => c.kind).sort()).toEqual([
      'Instance',
      'Secret',
    ]);
    expect(detail.events.map(e => e.message)).toContain(
      'All composed resources are ready',
    );

    // The Secret's values are on the cluster, and in no answer of the plugin.
    const secret = await dev.core.readNamespacedSecret({
      namespace: 'team-payments',
      name: 'orders-db-connection',
    });
    const encoded = Object.values(secret.data ?? {});
    const values = encoded
      .flatMap(value => [value, Buffer.from(value, 'base64').toString()])
      .filter(value => value.length >= 8);
    expect(values.length).toBeGreaterThanOrEqual(6);
    const answers = JSON.stringify([
      await getRequest(id),
      detailRes.body,
      (await call('get', `/requests?entityRef=${PAYMENTS}`, PAT)).body,
    ]);
    for (const value of values) {
      expect(answers).not.toContain(value);
    }
  });

  it('answers the same request, not a second one, when a form is submitted twice', async () => {
    const clientRequestId = randomUUID();
    const first = await submit({ name: 'ledger-db', clientRequestId });
    const second = await submit({ name: 'ledger-db', clientRequestId });
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    const made = (await dev.list(DATABASES, 'team-payments')).filter(
      xr => xr.metadata.name === 'ledger-db',
    );
    expect(made).toHaveLength(1);
    expect(made[0].metadata.labels['paved.dev/request-id']).toBe(first.body.id);
  });

  it('refuses a request that breaks the form or the guardrails, naming the field, and creates nothing', async () => {
    const requestsBefore = await requestIdsFor(PAYMENTS);
    const databasesBefore = await names(dev, DATABASES, 'team-payments');

    const refusals: Array<{
      input: Partial<InfrastructureRequestInput> & { name: string };
      path: string;
      message: RegExp;
    }> = [
      {
        input: {
          name: 'big-db',
          parameters: { parameters: { storageGB: 200 } },
        },
        path: 'parameters.parameters.storageGB',
        message: /dev guardrail.*at most 100/,
      },
      {
        input: {
          name: 'old-db',
          parameters: { parameters: { storageGB: 20, version: '14' } },
        },
        path: 'parameters.parameters.version',
        message: /guardrail.*one of 15, 16/,
      },
      {
        input: {
          name: 'odd-db',
          parameters: { parameters: { storageGB: 20, colour: 'blue' } },
        },
        path: 'parameters.parameters.colour',
        message: /not a field of this offering/,
      },
      {
        input: {
          name: 'typo-db',
          parameters: { parameters: { storageGB: 'twenty' } },
        },
        path: 'parameters.parameters.storageGB',
        message: /must be integer/,
      },
      {
        input: { name: 'Orders-DB' },
        path: 'name',
        message: /must be a Kubernetes name/,
      },
      {
        input: { name: 'x'.repeat(300) },
        path: 'name',
        message: /at most 63/,
      },
      {
        input: { name: 'qa-db', environment: 'qa' },
        path: 'environment',
        message: /choose one of dev, prod, staging/,
      },
      {
        input: { name: 'ghost-db', entityRef: 'component:default/ghost' },
        path: 'entityRef',
        message: /not an entity in the catalog/,
      },
      {
        input: { name: 'toy-db', entityRef: PATS_TOY },
        path: 'entityRef',
        message: /not owned by a team/,
      },
    ];
    for (const { input, path, message } of refusals) {
      const res = await submit(input);
      expect({ name: input.name, status: res.status }).toEqual({
        name: input.name,
        status: 400,
      });
      const fields = res.body.error.fields as FieldError[];
      expect(fields).toContainEqual({
        path,
        message: expect.stringMatching(message),
      });
      expect(res.body.error.message).toContain(path);
    }

    expect(await requestIdsFor(PAYMENTS)).toEqual(requestsBefore);
    expect(await names(dev, DATABASES, 'team-payments')).toEqual(
      databasesBefore,
    );
  });

  it("refuses a request for another team's entity", async () => {
    const res = await submit({ name: 'sneaky-db' }, SAM);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(
      `You may request infrastructure only for entities your teams own; ${PAYMENTS} is owned by group:default/team-payments`,
    );
    expect(await dev.get(DATABASES, 'team-payments', 'sneaky-db')).toBe(
      undefined,
    );
    const requests = (await call('get', `/requests?entityRef=${PAYMENTS}`, PAT))
      .body.requests as InfrastructureRequest[];
    expect(requests.map(r => r.resource.name)).not.toContain('sneaky-db');
  });

  it("refuses a team's database beyond its quota in the environment", async () => {
    const search = { entityRef: SEARCH };
    expect((await submit({ ...search, name: 'search-db-1' }, SAM)).status).toBe(
      201,
    );
    expect((await submit({ ...search, name: 'search-db-2' }, SAM)).status).toBe(
      201,
    );
    const third = await submit({ ...search, name: 'search-db-3' }, SAM);
    expect(third.status).toBe(409);
    expect(third.body.error.message).toBe(
      'group:default/team-search already has 2 of its quota of 2 PostgreSQL database resources in dev; delete one or ask the platform team to raise it',
    );
    expect(await names(dev, DATABASES, 'team-search')).toEqual([
      'search-db-1',
      'search-db-2',
    ]);
  });

  it('refuses a name already taken in the namespace by a resource Paved did not make', async () => {
    const res = await submit({
      offering: 'caches.platform.paved.dev',
      name: 'sessions',
      parameters: { parameters: { engine: 'redis', memoryMB: 512 } },
    });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe(
      'A Cache named sessions already exists in team-payments on dev; choose another name',
    );
    const cache = await dev.get(CACHES, 'team-payments', 'sessions');
    expect(cache.metadata.labels?.['paved.dev/request-id']).toBeUndefined();
    expect(cache.spec.parameters.memoryMB).toBe(1024);
  });

  it('waits in prod for another approver, then creates the database', async () => {
    const res = await submit({ name: 'billing-db', environment: 'prod' }, ADA);
    expect(res.status).toBe(201);
    const { id } = res.body as InfrastructureRequest;
    expect(res.body.status).toBe('awaiting-approval');
    expect(await prod.get(DATABASES, 'team-payments', 'billing-db')).toBe(
      undefined,
    );

    const own = await decide(id, 'approve', ADA, 'looks fine to me');
    expect(own.status).toBe(403);
    expect(own.body.error.message).toMatch(/your own request/);

    const nonApprover = await decide(id, 'approve', PAT, 'ship it');
    expect(nonApprover.status).toBe(403);
    expect(nonApprover.body.error.message).toBe(
      'Only approvers may approve or reject requests for infrastructure',
    );

    const silentReject = await decide(id, 'reject', SRE);
    expect(silentReject.status).toBe(400);
    expect(silentReject.body.error.fields).toEqual([
      { path: 'comment', message: expect.stringMatching(/is required/) },
    ]);
    expect((await getRequest(id)).status).toBe('awaiting-approval');
    expect(await prod.get(DATABASES, 'team-payments', 'billing-db')).toBe(
      undefined,
    );

    const approved = await decide(id, 'approve', SRE, 'capacity checked');
    expect(approved.status).toBe(200);
    expect(approved.body.approval).toMatchObject({
      decision: 'approved',
      by: SRE,
      comment: 'capacity checked',
    });
    expect(['queued', 'created', 'synced', 'ready']).toContain(
      approved.body.status,
    );
    const xr = await eventually(async () => {
      const found = await prod.get(DATABASES, 'team-payments', 'billing-db');
      expect(found).toBeDefined();
      return found;
    });
    expect(xr.metadata.labels['paved.dev/request-id']).toBe(id);

    const done = await waitForStatus(id, 'credentials-available');
    expect(done.events.slice(0, 2)).toEqual([
      expect.objectContaining({ status: 'awaiting-approval', actor: ADA }),
      expect.objectContaining({
        status: 'queued',
        actor: SRE,
        message: 'capacity checked',
      }),
    ]);
    expect(done.approval).toMatchObject({ decision: 'approved', by: SRE });

    const again = await decide(id, 'approve', SRE, 'once more');
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe(
      'The request is credentials-available, not awaiting approval',
    );
  });

  it('creates nothing for a rejected request, and lets the name be asked for again', async () => {
    const res = await submit({
      name: 'analytics-db',
      environment: 'prod',
      parameters: { parameters: { storageGB: 300 } },
    });
    expect(res.status).toBe(201);
    const { id } = res.body as InfrastructureRequest;

    const rejected = await decide(
      id,
      'reject',
      SRE,
      'use the shared warehouse',
    );
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({
      status: 'rejected',
      message: 'use the shared warehouse',
      approval: { decision: 'rejected', by: SRE },
    });
    // Longer than delivery takes, had the rejection let anything through.
    await new Promise(resolve => setTimeout(resolve, 1500));
    expect((await getRequest(id)).status).toBe('rejected');
    expect(await prod.get(DATABASES, 'team-payments', 'analytics-db')).toBe(
      undefined,
    );

    const retry = await submit({
      name: 'analytics-db',
      environment: 'prod',
      parameters: { parameters: { storageGB: 50 } },
    });
    expect(retry.status).toBe(201);
    expect(retry.body.id).not.toBe(id);
    expect(retry.body.status).toBe('awaiting-approval');
  });

  it('creates a v1 claim that names its connection Secret and follows it to its credentials', async () => {
    const res = await submit({
      offering: BUCKET,
      name: 'invoices',
      parameters: { parameters: { region: 'eu-west-1' } },
    });
    expect(res.status).toBe(201);
    const { id } = res.body as InfrastructureRequest;
    expect(res.body.resource).toMatchObject({
      kind: 'Bucket',
      namespace: 'team-payments',
    });

    const claim = await dev.get(BUCKETS, 'team-payments', 'invoices');
    expect(claim.metadata.labels['paved.dev/request-id']).toBe(id);
    expect(claim.spec.writeConnectionSecretToRef).toEqual({
      name: 'invoices-connection',
    });

    const done = await waitForStatus(id, 'credentials-available');
    expect(done.events.map(e => e.status)).toEqual([
      'queued',
      'created',
      'synced',
      'ready',
      'credentials-available',
    ]);
    const detail = (await call('get', `/requests/${id}/resource`, PAT))
      .body as RequestResourceDetail;
    expect(detail.secret).toEqual({
      namespace: 'team-payments',
      name: 'invoices-connection',
      keys: ['bucket', 'endpoint', 'region'],
    });
    expect(detail.composed).toEqual([
      expect.objectContaining({ kind: 'XBucket' }),
    ]);
  });

  it('keeps a request queued while its cluster is unreachable, and delivers it once the cluster is back', async () => {
    await staging.disconnect();

    const res = await submit({ name: 'reports-db', environment: 'staging' });
    expect(res.status).toBe(201);
    const { id } = res.body as InfrastructureRequest;
    expect(res.body.status).toBe('queued');
    expect(res.body.message).toMatch(
      /^cluster staging unreachable: .*ECONNREFUSED.*; retrying$/,
    );

    // Several scheduled retries later it is still queued, still saying why.
    await new Promise(resolve => setTimeout(resolve, 2500));
    const waiting = await getRequest(id);
    expect(waiting.status).toBe('queued');
    expect(waiting.message).toMatch(
      /^cluster staging unreachable: .*; retrying$/,
    );
    expect(waiting.events.map(e => e.status)).toEqual(['queued']);
    expect(await staging.get(DATABASES, 'team-payments', 'reports-db')).toBe(
      undefined,
    );

    await staging.reconnect();
    const created = await eventually(async () => {
      const found = await staging.get(DATABASES, 'team-payments', 'reports-db');
      expect(found).toBeDefined();
      return found;
    });
    expect(created.metadata.labels['paved.dev/request-id']).toBe(id);
    const done = await waitForStatus(id, 'credentials-available', 60_000);
    expect(done.events.map(e => e.status)).toEqual([
      'queued',
      'created',
      'synced',
      'ready',
      'credentials-available',
    ]);
  });

  it("fails a request with the controller's message when its resource cannot be composed", async () => {
    const res = await submit(
      {
        name: 'archive-db',
        environment: 'prod',
        entityRef: SEARCH,
        parameters: { parameters: { storageGB: 450, tier: 'dev' } },
      },
      SAM,
    );
    expect(res.status).toBe(201);
    const { id } = res.body as InfrastructureRequest;
    expect(
      (await decide(id, 'approve', SRE, 'archive is cold storage')).status,
    ).toBe(200);

    const failed = await waitForStatus(id, 'failed');
    expect(failed.message).toMatch(
      /^ReconcileError: cannot compose resources: .*tier "dev" allows at most 400 GB of storage, 450 GB requested$/,
    );
    expect(failed.events.at(-1)).toMatchObject({
      status: 'failed',
      message: failed.message,
    });
    // The message is the one Crossplane put on the resource.
    const xr = await prod.get(DATABASES, 'team-search', 'archive-db');
    const synced = xr.status.conditions.find(
      (c: { type: string }) => c.type === 'Synced',
    );
    expect(synced.status).toBe('False');
    expect(failed.message).toBe(`${synced.reason}: ${synced.message}`);
  });
});
