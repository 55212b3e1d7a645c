/*
 * Crossplane as a platform team's portal sees it: the offered XRDs become
 * claim APIs, and claims go through Synced/Ready with Events, a connection
 * Secret, provider rejections and finalizer-guarded deletion.
 */
import {
  TestCluster,
  conditionOf,
  nextMatching,
  openWatch,
  raw,
  startTestCluster,
} from './__testUtils__/standIn';
import { forceClaimState, releaseForcedState } from './forceState';

const postgres = {
  group: 'platform.paved.dev',
  version: 'v1alpha1',
  plural: 'postgresqlinstances',
};
const claimsPath =
  '/apis/platform.paved.dev/v1alpha1/namespaces/default/postgresqlinstances';

function claim(name: string, parameters: Record<string, unknown>) {
  return {
    apiVersion: 'platform.paved.dev/v1alpha1',
    kind: 'PostgreSQLInstance',
    metadata: { name },
    spec: {
      parameters,
      writeConnectionSecretToRef: { name: `${name}-conn` },
    },
  };
}

describe('the simulated Crossplane', () => {
  let cluster: TestCluster;

  beforeEach(async () => {
    cluster = await startTestCluster({
      controllers: { crossplane: true, argoCd: false, delayMs: 100 },
    });
  });

  afterEach(() => cluster.standIn.stop());

  it('offers the bundled XRDs as claim and composite CRDs', async () => {
    const xrds = await raw(
      cluster,
      'GET',
      '/apis/apiextensions.crossplane.io/v1/compositeresourcedefinitions',
    );
    const postgresXrd = xrds.body.items.find(
      (x: any) => x.metadata.name === 'xpostgresqlinstances.platform.paved.dev',
    );
    expect(conditionOf(postgresXrd, 'Established')).toMatchObject({
      status: 'True',
      reason: 'WatchingCompositeResource',
    });
    expect(conditionOf(postgresXrd, 'Offered')).toMatchObject({
      status: 'True',
      reason: 'WatchingCompositeResourceClaim',
    });
    expect(postgresXrd.status.controllers).toEqual({
      compositeResourceType: {
        apiVersion: 'platform.paved.dev/v1alpha1',
        kind: 'XPostgreSQLInstance',
      },
      compositeResourceClaimType: {
        apiVersion: 'platform.paved.dev/v1alpha1',
        kind: 'PostgreSQLInstance',
      },
    });

    const discovery = await raw(
      cluster,
      'GET',
      '/apis/platform.paved.dev/v1alpha1',
    );
    expect(
      discovery.body.resources.map((r: any) => [r.name, r.kind, r.namespaced]),
    ).toEqual(
      expect.arrayContaining([
        ['postgresqlinstances', 'PostgreSQLInstance', true],
        ['postgresqlinstances/status', 'PostgreSQLInstance', true],
        ['xpostgresqlinstances', 'XPostgreSQLInstance', false],
        ['buckets', 'Bucket', true],
        ['xbuckets', 'XBucket', false],
      ]),
    );

    const claimCrd = await raw(
      cluster,
      'GET',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/postgresqlinstances.platform.paved.dev',
    );
    const schema =
      claimCrd.body.spec.versions[0].schema.openAPIV3Schema.properties;
    expect(Object.keys(schema.spec.properties).sort()).toEqual([
      'compositeDeletePolicy',
      'compositionRef',
      'compositionRevisionRef',
      'compositionRevisionSelector',
      'compositionSelector',
      'compositionUpdatePolicy',
      'parameters',
      'resourceRef',
      'writeConnectionSecretToRef',
    ]);
    expect(schema.spec.properties.compositionUpdatePolicy.enum).toEqual([
      'Automatic',
      'Manual',
    ]);
    expect(Object.keys(schema.status.properties).sort()).toEqual([
      'conditions',
      'connectionDetails',
    ]);
    expect(claimCrd.body.spec.names.categories).toEqual(['claim']);

    // Defaults and validation come from the XRD's schema.
    const created = await raw(cluster, 'POST', claimsPath, {
      body: claim('defaults', { tier: 'standard' }),
    });
    expect(created.status).toBe(201);
    expect(created.body.spec.parameters).toEqual({
      tier: 'standard',
      storageGB: 20,
      version: '16',
    });
    const invalid = await raw(cluster, 'POST', claimsPath, {
      body: claim('huge', { storageGB: 501, version: '13' }),
    });
    expect(invalid.status).toBe(422);
    expect(invalid.body.details.causes.map((c: any) => c.field).sort()).toEqual(
      ['spec.parameters.storageGB', 'spec.parameters.version'],
    );
  });

  it('generates the CRDs for an XRD created over the API', async () => {
    const { resourceVersion } = (
      await raw(cluster, 'GET', '/api/v1/namespaces')
    ).body.metadata;
    const crdWatch = openWatch(
      cluster,
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions?watch=true&resourceVersion=${resourceVersion}`,
    );
    const xrd = await raw(
      cluster,
      'POST',
      '/apis/apiextensions.crossplane.io/v1/compositeresourcedefinitions',
      {
        body: {
          apiVersion: 'apiextensions.crossplane.io/v1',
          kind: 'CompositeResourceDefinition',
          metadata: { name: 'xqueues.example.paved.dev' },
          spec: {
            group: 'example.paved.dev',
            names: { kind: 'XQueue', plural: 'xqueues' },
            claimNames: { kind: 'Queue', plural: 'queues' },
            versions: [
              {
                name: 'v1',
                served: true,
                referenceable: true,
                schema: {
                  openAPIV3Schema: {
                    type: 'object',
                    properties: {
                      spec: {
                        type: 'object',
                        properties: { fifo: { type: 'boolean' } },
                      },
                    },
                  },
                },
              },
            ],
          },
        },
      },
    );
    expect(xrd.status).toBe(201);
    const added = new Set<string>();
    while (added.size < 2) {
      const event = await crdWatch.next();
      if (event.type === 'ADDED') added.add(event.object.metadata.name);
    }
    crdWatch.close();
    expect([...added].sort()).toEqual([
      'queues.example.paved.dev',
      'xqueues.example.paved.dev',
    ]);
    const queue = await raw(
      cluster,
      'POST',
      '/apis/example.paved.dev/v1/namespaces/default/queues',
      {
        body: {
          apiVersion: 'example.paved.dev/v1',
          kind: 'Queue',
          metadata: { name: 'orders' },
          spec: { fifo: true, compositeDeletePolicy: 'Foreground' },
        },
      },
    );
    expect(queue.body.spec).toEqual({
      fifo: true,
      compositeDeletePolicy: 'Foreground',
    });
  });

  it('takes a claim to Ready with Events and a connection Secret', async () => {
    const watch = openWatch(cluster, `${claimsPath}?watch=true`);
    const created = await raw(cluster, 'POST', claimsPath, {
      body: claim('orders-db', { storageGB: 50, tier: 'standard' }),
    });
    expect(created.status).toBe(201);

    const waiting = await nextMatching(
      watch,
      e => conditionOf(e.object, 'Ready')?.reason === 'Waiting',
    );
    expect(conditionOf(waiting.object, 'Synced')).toMatchObject({
      status: 'True',
      reason: 'ReconcileSuccess',
    });
    expect(conditionOf(waiting.object, 'Ready')).toMatchObject({
      status: 'False',
      message:
        'Composite resource claim is waiting for composite resource to become Ready',
    });
    expect(waiting.object.metadata.finalizers).toEqual([
      'finalizer.apiextensions.crossplane.io',
    ]);
    const resourceRef = waiting.object.spec.resourceRef;
    expect(resourceRef).toEqual({
      apiVersion: 'platform.paved.dev/v1alpha1',
      kind: 'XPostgreSQLInstance',
      name: expect.stringMatching(/^orders-db-[0-9a-f]{5}$/),
    });
    expect(waiting.object.spec.compositionRef).toEqual({
      name: 'postgresql-default',
    });
    expect(
      (
        await raw(
          cluster,
          'GET',
          '/api/v1/namespaces/default/secrets/orders-db-conn',
        )
      ).status,
    ).toBe(404);

    const ready = await nextMatching(
      watch,
      e => conditionOf(e.object, 'Ready')?.status === 'True',
    );
    watch.close();
    expect(conditionOf(ready.object, 'Ready').reason).toBe('Available');
    expect(ready.object.status.connectionDetails.lastPublishedTime).toEqual(
      expect.stringMatching(/Z$/),
    );

    const secret = await raw(
      cluster,
      'GET',
      '/api/v1/namespaces/default/secrets/orders-db-conn',
    );
    expect(Object.keys(secret.body.data).sort()).toEqual([
      'database',
      'host',
      'password',
      'port',
      'username',
    ]);
    expect(Buffer.from(secret.body.data.port, 'base64').toString()).toBe(
      '5432',
    );
    expect(secret.body.metadata.ownerReferences[0]).toMatchObject({
      kind: 'PostgreSQLInstance',
      name: 'orders-db',
    });

    const composite = await raw(
      cluster,
      'GET',
      `/apis/platform.paved.dev/v1alpha1/xpostgresqlinstances/${resourceRef.name}`,
    );
    expect(composite.body.spec).toMatchObject({
      parameters: { storageGB: 50, tier: 'standard' },
      claimRef: {
        kind: 'PostgreSQLInstance',
        name: 'orders-db',
        namespace: 'default',
      },
    });
    expect(conditionOf(composite.body, 'Ready').status).toBe('True');

    const events = await raw(
      cluster,
      'GET',
      '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name=orders-db',
    );
    expect(
      events.body.items.map((e: any) => [e.type, e.reason]).sort(),
    ).toEqual([
      ['Normal', 'BindCompositeResource'],
      ['Normal', 'ConfigureCompositeResource'],
      ['Normal', 'PropagateConnectionSecret'],
    ]);
    expect(events.body.items[0].involvedObject).toMatchObject({
      apiVersion: 'platform.paved.dev/v1alpha1',
      kind: 'PostgreSQLInstance',
      uid: created.body.metadata.uid,
    });
  });

  it('reports parameters the provider rejects as ReconcileError, without a Secret', async () => {
    const watch = openWatch(cluster, `${claimsPath}?watch=true`);
    await raw(cluster, 'POST', claimsPath, {
      body: claim('big-dev', { storageGB: 450, tier: 'dev' }),
    });
    const failed = await nextMatching(
      watch,
      e => conditionOf(e.object, 'Synced')?.status === 'False',
    );
    expect(conditionOf(failed.object, 'Synced')).toMatchObject({
      reason: 'ReconcileError',
      message:
        'cannot apply composite resource: tier "dev" allows at most 400 GB of storage, 450 GB requested',
    });
    const warning = await raw(
      cluster,
      'GET',
      '/api/v1/namespaces/default/events?fieldSelector=type=Warning',
    );
    expect(warning.body.items).toHaveLength(1);
    expect(
      (
        await raw(
          cluster,
          'GET',
          '/api/v1/namespaces/default/secrets/big-dev-conn',
        )
      ).status,
    ).toBe(404);

    // Fixing the parameters lets it through.
    await raw(cluster, 'PATCH', `${claimsPath}/big-dev`, {
      body: { spec: { parameters: { storageGB: 300 } } },
      contentType: 'application/merge-patch+json',
    });
    await nextMatching(
      watch,
      e => conditionOf(e.object, 'Ready')?.status === 'True',
    );
    watch.close();
    expect(
      (
        await raw(
          cluster,
          'GET',
          '/api/v1/namespaces/default/secrets/big-dev-conn',
        )
      ).status,
    ).toBe(200);

    const buckets =
      '/apis/platform.paved.dev/v1alpha1/namespaces/default/buckets';
    const bucketWatch = openWatch(cluster, `${buckets}?watch=true`);
    await raw(cluster, 'POST', buckets, {
      body: {
        apiVersion: 'platform.paved.dev/v1alpha1',
        kind: 'Bucket',
        metadata: { name: 'assets' },
        spec: {
          parameters: {
            region: 'ap-southeast-2',
            lifecycle: { rules: [{ prefix: 'tmp/', expireAfterDays: 7 }] },
          },
          writeConnectionSecretToRef: { name: 'assets-conn' },
        },
      },
    });
    const rejected = await nextMatching(
      bucketWatch,
      e => conditionOf(e.object, 'Synced')?.status === 'False',
    );
    bucketWatch.close();
    expect(conditionOf(rejected.object, 'Synced').message).toContain(
      'region "ap-southeast-2" is not offered',
    );
    expect(rejected.object.spec.parameters).toMatchObject({
      versioning: false,
      publicAccess: false,
    });
  });

  it('deletes a claim through its finalizer, taking the composite and Secret along', async () => {
    const watch = openWatch(cluster, `${claimsPath}?watch=true`);
    await raw(cluster, 'POST', claimsPath, {
      body: claim('short-lived', { storageGB: 10 }),
    });
    const ready = await nextMatching(
      watch,
      e => conditionOf(e.object, 'Ready')?.status === 'True',
    );
    const composite = `/apis/platform.paved.dev/v1alpha1/xpostgresqlinstances/${ready.object.spec.resourceRef.name}`;

    const deleting = await raw(cluster, 'DELETE', `${claimsPath}/short-lived`);
    expect(deleting.status).toBe(202);
    const marked = await nextMatching(
      watch,
      e => conditionOf(e.object, 'Ready')?.reason === 'Deleting',
    );
    expect(marked.object.metadata.deletionTimestamp).toBeDefined();
    await nextMatching(watch, e => e.type === 'DELETED');
    watch.close();
    expect((await raw(cluster, 'GET', composite)).status).toBe(404);
    expect(
      (
        await raw(
          cluster,
          'GET',
          '/api/v1/namespaces/default/secrets/short-lived-conn',
        )
      ).status,
    ).toBe(404);
  });

  it('leaves a forced state alone until it is released', async () => {
    const watch = openWatch(cluster, `${claimsPath}?watch=true`);
    await raw(cluster, 'POST', claimsPath, {
      body: claim('flaky', { storageGB: 10 }),
    });
    await nextMatching(
      watch,
      e => conditionOf(e.object, 'Ready')?.status === 'True',
    );
    const connection = {
      url: cluster.standIn.url,
      caPem: cluster.standIn.caPem,
      token: cluster.token,
    };
    const ref = { ...postgres, namespace: 'default', name: 'flaky' };
    await forceClaimState(connection, ref, 'ReconcileError', 'quota exceeded');
    const forced = await nextMatching(
      watch,
      e => conditionOf(e.object, 'Synced')?.status === 'False',
    );
    expect(conditionOf(forced.object, 'Synced').message).toBe('quota exceeded');

    // Longer than the controller's delay: it must not have undone the forced state.
    await new Promise(resolve => setTimeout(resolve, 300));
    const still = await raw(cluster, 'GET', `${claimsPath}/flaky`);
    expect(conditionOf(still.body, 'Synced').reason).toBe('ReconcileError');

    await releaseForcedState(connection, ref);
    const recovered = await nextMatching(
      watch,
      e =>
        conditionOf(e.object, 'Synced')?.status === 'True' &&
        conditionOf(e.object, 'Ready')?.status === 'True',
    );
    watch.close();
    expect(
      recovered.object.metadata.annotations?.['paved.dev/sandbox-forced'],
    ).toBeUndefined();
  });
});
