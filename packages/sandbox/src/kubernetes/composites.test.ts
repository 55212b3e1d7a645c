/*
 * Crossplane v2 composite resources as a team's portal sees them: a
 * PostgreSQLInstance or Cache created in a team's namespace selects its
 * Composition, composes a managed resource and a connection Secret, turns
 * Ready with Crossplane's conditions and Events, is refused by its
 * Composition's guardrails until fixed, and deletes through its finalizer.
 */
import {
  TestCluster,
  conditionOf,
  nextMatching,
  openWatch,
  raw,
  startTestCluster,
} from './__testUtils__/standIn';
import { forceCompositeState, releaseForcedState } from './forceState';

const NAMESPACE = 'team-payments';
const postgresPath = `/apis/platform.paved.dev/v1alpha1/namespaces/${NAMESPACE}/postgresqlinstances`;
const cachePath = `/apis/platform.paved.dev/v1alpha1/namespaces/${NAMESPACE}/caches`;
const instancesPath = `/apis/sql.sandbox.paved.dev/v1alpha1/namespaces/${NAMESPACE}/instances`;
const secretPath = (name: string) =>
  `/api/v1/namespaces/${NAMESPACE}/secrets/${name}`;

function postgres(name: string, parameters: Record<string, unknown>) {
  return {
    apiVersion: 'platform.paved.dev/v1alpha1',
    kind: 'PostgreSQLInstance',
    metadata: { name },
    spec: { parameters },
  };
}

function decoded(secret: any): Record<string, string> {
  return Object.fromEntries(
    Object.entries(secret.data as Record<string, string>).map(
      ([key, value]) => [key, Buffer.from(value, 'base64').toString()],
    ),
  );
}

async function eventsAbout(cluster: TestCluster, name: string) {
  const events = await raw(
    cluster,
    'GET',
    `/api/v1/namespaces/${NAMESPACE}/events?fieldSelector=involvedObject.name=${name}`,
  );
  return events.body.items as any[];
}

describe('v2 composite resources in the simulated Crossplane', () => {
  let cluster: TestCluster;

  beforeEach(async () => {
    cluster = await startTestCluster({
      controllers: { crossplane: true, argoCd: false, delayMs: 100 },
    });
    await raw(cluster, 'POST', '/api/v1/namespaces', {
      body: { metadata: { name: NAMESPACE } },
    });
  });

  afterEach(() => cluster.standIn.stop());

  it('takes a PostgreSQLInstance to Ready with a managed resource, a connection Secret and Events', async () => {
    const watch = openWatch(cluster, `${postgresPath}?watch=true`);
    const created = await raw(cluster, 'POST', postgresPath, {
      body: postgres('payments-db', { storageGB: 50, tier: 'dev' }),
    });
    expect(created.status).toBe(201);
    // Defaults from the XRD's schema are filled in, as the API server does.
    expect(created.body.spec.parameters).toEqual({
      storageGB: 50,
      tier: 'dev',
      version: '16',
      deletionProtection: true,
    });

    const creating = await nextMatching(
      watch,
      e => conditionOf(e.object, 'Ready')?.reason === 'Creating',
    );
    expect(conditionOf(creating.object, 'Synced')).toMatchObject({
      status: 'True',
      reason: 'ReconcileSuccess',
    });
    expect(conditionOf(creating.object, 'Ready')).toMatchObject({
      status: 'False',
      message: 'Unready resources: connection-secret, instance',
    });
    expect(creating.object.metadata.finalizers).toEqual([
      'composite.apiextensions.crossplane.io',
    ]);
    expect(creating.object.spec.crossplane).toMatchObject({
      compositionRef: { name: 'postgresql-default' },
      compositionUpdatePolicy: 'Automatic',
    });
    expect(creating.object.status.conditions).toHaveLength(2);
    expect(
      (await raw(cluster, 'GET', secretPath('payments-db-connection'))).status,
    ).toBe(404);

    const ready = await nextMatching(
      watch,
      e => conditionOf(e.object, 'Ready')?.status === 'True',
    );
    watch.close();
    expect(conditionOf(ready.object, 'Ready').reason).toBe('Available');
    const refs = ready.object.spec.crossplane.resourceRefs;
    expect(refs).toEqual([
      {
        apiVersion: 'sql.sandbox.paved.dev/v1alpha1',
        kind: 'Instance',
        name: expect.stringMatching(/^payments-db-[0-9a-f]{5}$/),
      },
      { apiVersion: 'v1', kind: 'Secret', name: 'payments-db-connection' },
    ]);

    const instance = (
      await raw(cluster, 'GET', `${instancesPath}/${refs[0].name}`)
    ).body;
    expect(instance.spec.forProvider).toEqual({
      engine: 'postgres',
      engineVersion: '16',
      allocatedStorageGB: 50,
      instanceClass: 'db.t4g.micro',
      port: 5432,
      deletionProtection: true,
    });
    expect(conditionOf(instance, 'Ready')).toMatchObject({
      status: 'True',
      reason: 'Available',
    });
    expect(instance.metadata).toMatchObject({
      labels: { 'crossplane.io/composite': 'payments-db' },
      annotations: {
        'crossplane.io/composition-resource-name': 'instance',
        'crossplane.io/external-name': refs[0].name,
      },
      ownerReferences: [
        {
          kind: 'PostgreSQLInstance',
          name: 'payments-db',
          uid: created.body.metadata.uid,
          controller: true,
        },
      ],
    });

    const secret = (
      await raw(cluster, 'GET', secretPath('payments-db-connection'))
    ).body;
    expect(secret.type).toBe('connection.crossplane.io/v1alpha1');
    expect(secret.metadata.ownerReferences[0]).toMatchObject({
      kind: 'PostgreSQLInstance',
      name: 'payments-db',
    });
    const details = decoded(secret);
    expect(Object.keys(details).sort()).toEqual([
      'database',
      'host',
      'password',
      'port',
      'username',
    ]);
    expect(details).toMatchObject({
      host: instance.status.atProvider.address,
      port: '5432',
      username: 'payments_db',
    });
    expect(details.password.length).toBeGreaterThanOrEqual(20);

    const events = await eventsAbout(cluster, 'payments-db');
    expect(events.map(e => [e.type, e.reason, e.message]).sort()).toEqual([
      ['Normal', 'ComposeResources', 'All composed resources are ready'],
      ['Normal', 'ComposeResources', 'Successfully composed resources'],
      [
        'Normal',
        'ComposeResources',
        'Unready resources: connection-secret, instance',
      ],
      [
        'Normal',
        'SelectComposition',
        'Successfully selected composition: postgresql-default',
      ],
    ]);
    expect(events[0].involvedObject).toMatchObject({
      apiVersion: 'platform.paved.dev/v1alpha1',
      kind: 'PostgreSQLInstance',
      namespace: NAMESPACE,
      uid: created.body.metadata.uid,
    });
  });

  it('composes a Cache from its nested parameters into a different managed resource and Secret', async () => {
    const watch = openWatch(cluster, `${cachePath}?watch=true`);
    await raw(cluster, 'POST', cachePath, {
      body: {
        apiVersion: 'platform.paved.dev/v1alpha1',
        kind: 'Cache',
        metadata: { name: 'session-cache' },
        spec: {
          parameters: {
            memoryMB: 2048,
            highAvailability: true,
            persistence: { enabled: true },
            allowedClients: [
              { namespace: 'storefront', podLabel: 'app=basket-service' },
            ],
          },
        },
      },
    });
    const ready = await nextMatching(
      watch,
      e => conditionOf(e.object, 'Ready')?.status === 'True',
    );
    watch.close();
    expect(ready.object.spec.parameters).toMatchObject({
      engine: 'redis',
      evictionPolicy: 'allkeys-lru',
      persistence: { enabled: true, snapshotSchedule: '0 3 * * *' },
    });
    const [group] = ready.object.spec.crossplane.resourceRefs;
    expect(group).toMatchObject({
      apiVersion: 'cache.sandbox.paved.dev/v1alpha1',
      kind: 'ReplicationGroup',
    });
    const replicationGroup = (
      await raw(
        cluster,
        'GET',
        `/apis/cache.sandbox.paved.dev/v1alpha1/namespaces/${NAMESPACE}/replicationgroups/${group.name}`,
      )
    ).body;
    expect(replicationGroup.spec.forProvider).toMatchObject({
      engine: 'redis',
      memoryMB: 2048,
      multiAZ: true,
      port: 6379,
      parameters: { maxmemoryPolicy: 'allkeys-lru' },
      snapshots: { enabled: true, snapshotSchedule: '0 3 * * *' },
      allowedClients: [
        { namespace: 'storefront', podLabel: 'app=basket-service' },
      ],
    });
    const details = decoded(
      (await raw(cluster, 'GET', secretPath('session-cache-connection'))).body,
    );
    expect(Object.keys(details).sort()).toEqual(['host', 'password', 'port']);
    expect(details.port).toBe('6379');
    expect(details.host).toBe(
      `${group.name}.${NAMESPACE}.cache.sandbox.paved.dev`,
    );

    const invalid = await raw(cluster, 'POST', cachePath, {
      body: {
        apiVersion: 'platform.paved.dev/v1alpha1',
        kind: 'Cache',
        metadata: { name: 'bad-cache' },
        spec: {
          parameters: {
            engine: 'memcached',
            memoryMB: 100,
            allowedClients: [{ namespace: 'Not_A_Namespace' }],
          },
        },
      },
    });
    expect(invalid.status).toBe(422);
    expect(invalid.body.details.causes.map((c: any) => c.field).sort()).toEqual(
      [
        'spec.parameters.allowedClients[0].namespace',
        'spec.parameters.allowedClients[0].podLabel',
        'spec.parameters.engine',
        'spec.parameters.memoryMB',
      ],
    );
  });

  it("reports parameters its Composition's guardrails refuse as ReconcileError, composing nothing until they are fixed", async () => {
    const watch = openWatch(cluster, `${postgresPath}?watch=true`);
    await raw(cluster, 'POST', postgresPath, {
      body: postgres('big-dev', { storageGB: 450, tier: 'dev' }),
    });
    const failed = await nextMatching(
      watch,
      e => conditionOf(e.object, 'Synced')?.status === 'False',
    );
    expect(conditionOf(failed.object, 'Synced')).toMatchObject({
      reason: 'ReconcileError',
      message:
        'cannot compose resources: pipeline step "check-limits" returned a fatal result: tier "dev" allows at most 400 GB of storage, 450 GB requested',
    });
    expect(conditionOf(failed.object, 'Ready')).toBeUndefined();
    const warnings = (await eventsAbout(cluster, 'big-dev')).filter(
      e => e.type === 'Warning',
    );
    expect(warnings.map(e => [e.reason, e.message])).toEqual([
      ['ComposeResources', conditionOf(failed.object, 'Synced').message],
    ]);
    expect((await raw(cluster, 'GET', instancesPath)).body.items).toEqual([]);
    expect(
      (await raw(cluster, 'GET', secretPath('big-dev-connection'))).status,
    ).toBe(404);

    await raw(cluster, 'PATCH', `${postgresPath}/big-dev`, {
      body: { spec: { parameters: { storageGB: 300 } } },
      contentType: 'application/merge-patch+json',
    });
    const ready = await nextMatching(
      watch,
      e => conditionOf(e.object, 'Ready')?.status === 'True',
    );
    watch.close();
    expect(conditionOf(ready.object, 'Synced')).toMatchObject({
      status: 'True',
      reason: 'ReconcileSuccess',
    });
    expect(
      (await raw(cluster, 'GET', secretPath('big-dev-connection'))).status,
    ).toBe(200);

    // The cache's guardrail is its own Composition's data, not the controller's.
    const cacheWatch = openWatch(cluster, `${cachePath}?watch=true`);
    await raw(cluster, 'POST', cachePath, {
      body: {
        apiVersion: 'platform.paved.dev/v1alpha1',
        kind: 'Cache',
        metadata: { name: 'small-ha' },
        spec: { parameters: { memoryMB: 512, highAvailability: true } },
      },
    });
    const refused = await nextMatching(
      cacheWatch,
      e => conditionOf(e.object, 'Synced')?.status === 'False',
    );
    cacheWatch.close();
    expect(conditionOf(refused.object, 'Synced').message).toBe(
      'cannot compose resources: pipeline step "check-limits" returned a fatal result: highAvailability needs at least 1024 MB of memory per node, 512 MB requested',
    );
  });

  it('deletes a composite: Deleting first, then its composed resources and Secret, then the finalizer', async () => {
    const watch = openWatch(cluster, `${postgresPath}?watch=true`);
    await raw(cluster, 'POST', postgresPath, {
      body: postgres('short-lived', { storageGB: 10 }),
    });
    await nextMatching(
      watch,
      e => conditionOf(e.object, 'Ready')?.status === 'True',
    );
    expect((await raw(cluster, 'GET', instancesPath)).body.items).toHaveLength(
      1,
    );

    const deleting = await raw(
      cluster,
      'DELETE',
      `${postgresPath}/short-lived`,
    );
    expect(deleting.status).toBe(202);
    const marked = await nextMatching(
      watch,
      e => conditionOf(e.object, 'Ready')?.reason === 'Deleting',
    );
    expect(marked.object.metadata.deletionTimestamp).toBeDefined();
    // Composed resources outlive the Deleting condition for the controller's delay.
    expect(
      (await raw(cluster, 'GET', secretPath('short-lived-connection'))).status,
    ).toBe(200);
    await nextMatching(watch, e => e.type === 'DELETED');
    watch.close();
    expect((await raw(cluster, 'GET', instancesPath)).body.items).toEqual([]);
    expect(
      (await raw(cluster, 'GET', secretPath('short-lived-connection'))).status,
    ).toBe(404);
    expect(
      (await eventsAbout(cluster, 'short-lived')).map(e => e.reason),
    ).toContain('DeleteCompositeResource');
  });

  it('composes a deleted Secret again, as Crossplane does for anything it composed', async () => {
    const watch = openWatch(cluster, `${postgresPath}?watch=true`);
    await raw(cluster, 'POST', postgresPath, {
      body: postgres('self-healing', { storageGB: 10 }),
    });
    await nextMatching(
      watch,
      e => conditionOf(e.object, 'Ready')?.status === 'True',
    );
    watch.close();
    const secrets = openWatch(
      cluster,
      `/api/v1/namespaces/${NAMESPACE}/secrets?watch=true&fieldSelector=metadata.name=self-healing-connection`,
    );
    await nextMatching(secrets, e => e.type === 'ADDED');
    await raw(cluster, 'DELETE', secretPath('self-healing-connection'));
    await nextMatching(secrets, e => e.type === 'DELETED');
    const again = await nextMatching(secrets, e => e.type === 'ADDED');
    secrets.close();
    expect(Object.keys(again.object.data).sort()).toEqual([
      'database',
      'host',
      'password',
      'port',
      'username',
    ]);
  });

  it('leaves a forced composite state alone until it is released', async () => {
    const watch = openWatch(cluster, `${postgresPath}?watch=true`);
    await raw(cluster, 'POST', postgresPath, {
      body: postgres('flaky', { storageGB: 10 }),
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
    const ref = {
      group: 'platform.paved.dev',
      version: 'v1alpha1',
      plural: 'postgresqlinstances',
      namespace: NAMESPACE,
      name: 'flaky',
    };
    await forceCompositeState(
      connection,
      ref,
      'Creating',
      'Unready resources: instance',
    );
    const forced = await nextMatching(
      watch,
      e => conditionOf(e.object, 'Ready')?.status === 'False',
    );
    expect(conditionOf(forced.object, 'Ready')).toMatchObject({
      reason: 'Creating',
      message: 'Unready resources: instance',
    });

    // Longer than the controller's delay: it must not have undone the forced state.
    await new Promise(resolve => setTimeout(resolve, 300));
    const still = await raw(cluster, 'GET', `${postgresPath}/flaky`);
    expect(conditionOf(still.body, 'Ready').reason).toBe('Creating');

    await forceCompositeState(
      connection,
      ref,
      'ReconcileError',
      'quota exceeded',
    );
    const failed = await nextMatching(
      watch,
      e => conditionOf(e.object, 'Synced')?.status === 'False',
    );
    expect(conditionOf(failed.object, 'Synced').message).toBe('quota exceeded');

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
