/*
 * Crossplane as a platform team's portal sees it: the offered XRDs become
 * composite (v2) and claim (v1) APIs with Crossplane's generated fields and
 * columns, the XRD CRD's rules refuse claims outside LegacyCluster, and v1
 * claims go through Synced/Ready with Events, a connection Secret,
 * guardrail rejections and finalizer-guarded deletion. composites.test.ts
 * follows v2 composite resources.
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

const XRDS_V1 =
  '/apis/apiextensions.crossplane.io/v1/compositeresourcedefinitions';
const XRDS_V2 =
  '/apis/apiextensions.crossplane.io/v2/compositeresourcedefinitions';
const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const claimsPath =
  '/apis/platform.paved.dev/v1alpha1/namespaces/default/buckets';

function bucketClaim(name: string, parameters: Record<string, unknown>) {
  return {
    apiVersion: 'platform.paved.dev/v1alpha1',
    kind: 'Bucket',
    metadata: { name },
    spec: {
      parameters,
      writeConnectionSecretToRef: { name: `${name}-conn` },
    },
  };
}

function xrd(
  apiVersion: 'v1' | 'v2',
  name: string,
  spec: Record<string, unknown>,
) {
  const [plural, ...group] = name.split('.');
  return {
    apiVersion: `apiextensions.crossplane.io/${apiVersion}`,
    kind: 'CompositeResourceDefinition',
    metadata: { name },
    spec: {
      group: group.join('.'),
      names: { kind: 'Thing', plural },
      versions: [{ name: 'v1', served: true, referenceable: true }],
      ...spec,
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

  it('offers the bundled XRDs: PostgreSQL and cache as v2 composites, the bucket as a v1 claim', async () => {
    const xrds = (
      await raw(
        cluster,
        'GET',
        `${XRDS_V2}?labelSelector=paved.dev/offered=true`,
      )
    ).body.items;
    expect(
      xrds.map((x: any) => [x.metadata.name, x.spec.scope]).sort(),
    ).toEqual([
      ['caches.platform.paved.dev', 'Namespaced'],
      ['postgresqlinstances.platform.paved.dev', 'Namespaced'],
      ['xbuckets.platform.paved.dev', 'LegacyCluster'],
    ]);
    const postgres = xrds.find(
      (x: any) => x.metadata.name === 'postgresqlinstances.platform.paved.dev',
    );
    expect(postgres.apiVersion).toBe('apiextensions.crossplane.io/v2');
    expect(conditionOf(postgres, 'Established')).toMatchObject({
      status: 'True',
      reason: 'WatchingCompositeResource',
    });
    expect(conditionOf(postgres, 'Offered')).toBeUndefined();
    expect(postgres.status.controllers).toEqual({
      compositeResourceType: {
        apiVersion: 'platform.paved.dev/v1alpha1',
        kind: 'PostgreSQLInstance',
      },
    });
    const bucket = xrds.find(
      (x: any) => x.metadata.name === 'xbuckets.platform.paved.dev',
    );
    expect(conditionOf(bucket, 'Offered')).toMatchObject({
      status: 'True',
      reason: 'WatchingCompositeResourceClaim',
    });
    // Every version a form would use is served and referenceable.
    for (const offered of xrds) {
      expect(offered.spec.versions).toEqual([
        expect.objectContaining({ served: true, referenceable: true }),
      ]);
    }

    const discovery = await raw(
      cluster,
      'GET',
      '/apis/platform.paved.dev/v1alpha1',
    );
    const resources = discovery.body.resources.map((r: any) => [
      r.name,
      r.kind,
      r.namespaced,
    ]);
    expect(resources).toEqual(
      expect.arrayContaining([
        ['postgresqlinstances', 'PostgreSQLInstance', true],
        ['postgresqlinstances/status', 'PostgreSQLInstance', true],
        ['caches', 'Cache', true],
        ['buckets', 'Bucket', true],
        ['xbuckets', 'XBucket', false],
      ]),
    );
    // v2 has no claims: the PostgreSQL composite is the only PostgreSQL API.
    expect(resources.map(([name]: string[]) => name)).not.toContain(
      'xpostgresqlinstances',
    );

    const claimCrd = await raw(
      cluster,
      'GET',
      `${CRDS}/buckets.platform.paved.dev`,
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
    expect(Object.keys(schema.status.properties).sort()).toEqual([
      'conditions',
      'connectionDetails',
    ]);
    expect(claimCrd.body.spec.names.categories).toEqual(['claim']);
    const legacyComposite = await raw(
      cluster,
      'GET',
      `${CRDS}/xbuckets.platform.paved.dev`,
    );
    expect(
      Object.keys(
        legacyComposite.body.spec.versions[0].schema.openAPIV3Schema.properties
          .spec.properties,
      ),
    ).toEqual(expect.arrayContaining(['claimRef', 'compositionRef']));
  });

  it('generates v2 composite CRDs with Crossplane fields under spec.crossplane', async () => {
    const crd = (
      await raw(
        cluster,
        'GET',
        `${CRDS}/postgresqlinstances.platform.paved.dev`,
      )
    ).body;
    expect(crd.spec.scope).toBe('Namespaced');
    expect(crd.spec.names).toMatchObject({
      kind: 'PostgreSQLInstance',
      categories: ['composite'],
    });
    expect(crd.metadata.ownerReferences[0]).toMatchObject({
      kind: 'CompositeResourceDefinition',
      name: 'postgresqlinstances.platform.paved.dev',
      controller: true,
    });
    const [version] = crd.spec.versions;
    expect(version).toMatchObject({
      name: 'v1alpha1',
      served: true,
      storage: true,
      subresources: { status: {} },
    });
    expect(
      version.additionalPrinterColumns.map((c: any) => [
        c.name,
        c.jsonPath,
        c.priority ?? 0,
      ]),
    ).toEqual([
      ['SYNCED', ".status.conditions[?(@.type=='Synced')].status", 0],
      ['READY', ".status.conditions[?(@.type=='Ready')].status", 0],
      ['COMPOSITION', '.spec.crossplane.compositionRef.name', 0],
      [
        'COMPOSITIONREVISION',
        '.spec.crossplane.compositionRevisionRef.name',
        1,
      ],
      ['AGE', '.metadata.creationTimestamp', 0],
    ]);
    const { properties } = version.schema.openAPIV3Schema;
    expect(Object.keys(properties.spec.properties).sort()).toEqual([
      'crossplane',
      'parameters',
    ]);
    const crossplane = properties.spec.properties.crossplane.properties;
    expect(Object.keys(crossplane).sort()).toEqual([
      'compositionRef',
      'compositionRevisionRef',
      'compositionRevisionSelector',
      'compositionSelector',
      'compositionUpdatePolicy',
      'resourceRefs',
    ]);
    expect(crossplane.compositionUpdatePolicy).toEqual({
      type: 'string',
      enum: ['Automatic', 'Manual'],
      default: 'Automatic',
    });
    expect(Object.keys(crossplane.resourceRefs.items.properties)).toEqual([
      'apiVersion',
      'kind',
      'name',
    ]);
    expect(Object.keys(properties.status.properties)).toEqual(['conditions']);
    expect(properties.metadata.properties.name.maxLength).toBe(63);
    // The XRD's own schema comes through untouched, form hints included.
    expect(properties.spec.properties.parameters['x-ui-order']).toEqual([
      'version',
      'storageGB',
      'tier',
      'backups',
      'deletionProtection',
    ]);

    // A Cluster-scoped v2 XRD: a cluster-scoped composite whose resourceRefs may name namespaces.
    const created = await raw(cluster, 'POST', XRDS_V2, {
      body: xrd('v2', 'networks.example.paved.dev', { scope: 'Cluster' }),
    });
    expect(created.status).toBe(201);
    const crdWatch = openWatch(
      cluster,
      `${CRDS}?watch=true&fieldSelector=metadata.name=networks.example.paved.dev`,
    );
    const network = (await nextMatching(crdWatch, e => e.type === 'ADDED'))
      .object;
    crdWatch.close();
    expect(network.spec.scope).toBe('Cluster');
    expect(
      Object.keys(
        network.spec.versions[0].schema.openAPIV3Schema.properties.spec
          .properties.crossplane.properties.resourceRefs.items.properties,
      ),
    ).toEqual(['apiVersion', 'kind', 'name', 'namespace']);
  });

  it('refuses claims and connection secrets in v2 XRDs, and in v1 ones unless they are LegacyCluster', async () => {
    const v2Claim = await raw(cluster, 'POST', XRDS_V2, {
      body: xrd('v2', 'queues.example.paved.dev', {
        claimNames: { kind: 'QueueClaim', plural: 'queueclaims' },
      }),
    });
    expect(v2Claim.status).toBe(422);
    expect(v2Claim.body.message).toBe(
      `CompositeResourceDefinition.apiextensions.crossplane.io "queues.example.paved.dev" is invalid: spec: Invalid value: "object": Claims aren't supported in apiextensions.crossplane.io/v2`,
    );
    const v2Secret = await raw(cluster, 'POST', XRDS_V2, {
      body: xrd('v2', 'queues.example.paved.dev', {
        connectionSecretKeys: ['url'],
      }),
    });
    expect(v2Secret.status).toBe(422);
    expect(v2Secret.body.details.causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec',
        message:
          'Invalid value: "object": XR connection secrets aren\'t supported in apiextensions.crossplane.io/v2',
      },
    ]);
    // v2 has no LegacyCluster scope to escape to.
    const v2Legacy = await raw(cluster, 'POST', XRDS_V2, {
      body: xrd('v2', 'queues.example.paved.dev', { scope: 'LegacyCluster' }),
    });
    expect(v2Legacy.status).toBe(422);

    const v1Namespaced = await raw(cluster, 'POST', XRDS_V1, {
      body: xrd('v1', 'queues.example.paved.dev', {
        scope: 'Namespaced',
        claimNames: { kind: 'QueueClaim', plural: 'queueclaims' },
        connectionSecretKeys: ['url'],
      }),
    });
    expect(v1Namespaced.status).toBe(422);
    expect(v1Namespaced.body.details.causes.map((c: any) => c.message)).toEqual(
      [
        'Invalid value: "object": Only LegacyCluster composite resources can offer claims',
        'Invalid value: "object": Only LegacyCluster composite resources support connection secrets',
      ],
    );
    expect(
      (await raw(cluster, 'GET', `${XRDS_V1}/queues.example.paved.dev`)).status,
    ).toBe(404);

    // Through v1 the scope defaults to LegacyCluster, so claims are fine; through v2 to Namespaced.
    const v1Legacy = await raw(cluster, 'POST', XRDS_V1, {
      body: xrd('v1', 'queues.example.paved.dev', {
        claimNames: { kind: 'QueueClaim', plural: 'queueclaims' },
      }),
    });
    expect(v1Legacy.status).toBe(201);
    expect(v1Legacy.body.spec.scope).toBe('LegacyCluster');
    const v2Default = await raw(cluster, 'POST', XRDS_V2, {
      body: xrd('v2', 'topics.example.paved.dev', {}),
    });
    expect(v2Default.body.spec.scope).toBe('Namespaced');

    const rescoped = await raw(
      cluster,
      'PATCH',
      `${XRDS_V2}/topics.example.paved.dev`,
      {
        body: { spec: { scope: 'Cluster' } },
        contentType: 'application/merge-patch+json',
      },
    );
    expect(rescoped.status).toBe(422);
    expect(rescoped.body.details.causes[0]).toMatchObject({
      field: 'spec.scope',
      message: 'Invalid value: "string": Value is immutable',
    });
  });

  it('generates the claim and composite CRDs for a v1 XRD created over the API', async () => {
    const { resourceVersion } = (
      await raw(cluster, 'GET', '/api/v1/namespaces')
    ).body.metadata;
    const crdWatch = openWatch(
      cluster,
      `${CRDS}?watch=true&resourceVersion=${resourceVersion}`,
    );
    const created = await raw(cluster, 'POST', XRDS_V1, {
      body: xrd('v1', 'xqueues.example.paved.dev', {
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
      }),
    });
    expect(created.status).toBe(201);
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

  it('takes a v1 claim to Ready with Events and a connection Secret', async () => {
    const watch = openWatch(cluster, `${claimsPath}?watch=true`);
    const created = await raw(cluster, 'POST', claimsPath, {
      body: bucketClaim('assets', { region: 'eu-west-1' }),
    });
    expect(created.status).toBe(201);
    expect(created.body.spec.parameters).toEqual({
      region: 'eu-west-1',
      versioning: false,
      publicAccess: false,
    });

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
      kind: 'XBucket',
      name: expect.stringMatching(/^assets-[0-9a-f]{5}$/),
    });
    expect(waiting.object.spec.compositionRef).toEqual({
      name: 'bucket-default',
    });
    expect(
      (
        await raw(
          cluster,
          'GET',
          '/api/v1/namespaces/default/secrets/assets-conn',
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
      '/api/v1/namespaces/default/secrets/assets-conn',
    );
    expect(Object.keys(secret.body.data).sort()).toEqual([
      'bucket',
      'endpoint',
      'region',
    ]);
    expect(Buffer.from(secret.body.data.region, 'base64').toString()).toBe(
      'eu-west-1',
    );
    expect(secret.body.metadata.ownerReferences[0]).toMatchObject({
      kind: 'Bucket',
      name: 'assets',
    });

    const composite = await raw(
      cluster,
      'GET',
      `/apis/platform.paved.dev/v1alpha1/xbuckets/${resourceRef.name}`,
    );
    expect(composite.body.spec).toMatchObject({
      parameters: { region: 'eu-west-1' },
      claimRef: { kind: 'Bucket', name: 'assets', namespace: 'default' },
    });
    expect(conditionOf(composite.body, 'Ready').status).toBe('True');

    const events = await raw(
      cluster,
      'GET',
      '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name=assets',
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
      kind: 'Bucket',
      uid: created.body.metadata.uid,
    });
  });

  it("reports a claim its Composition's guardrails refuse as ReconcileError, without a Secret, until it is fixed", async () => {
    const watch = openWatch(cluster, `${claimsPath}?watch=true`);
    await raw(cluster, 'POST', claimsPath, {
      body: bucketClaim('far-away', {
        region: 'ap-southeast-2',
        lifecycle: { rules: [{ prefix: 'tmp/', expireAfterDays: 7 }] },
      }),
    });
    const failed = await nextMatching(
      watch,
      e => conditionOf(e.object, 'Synced')?.status === 'False',
    );
    expect(conditionOf(failed.object, 'Synced')).toMatchObject({
      reason: 'ReconcileError',
      message:
        'cannot apply composite resource: region "ap-southeast-2" is not offered by the sandbox provider; offered regions are eu-central-1, eu-west-1 and us-east-1',
    });
    const warnings = await raw(
      cluster,
      'GET',
      '/api/v1/namespaces/default/events?fieldSelector=type=Warning',
    );
    expect(warnings.body.items).toHaveLength(1);
    expect(
      (
        await raw(
          cluster,
          'GET',
          '/api/v1/namespaces/default/secrets/far-away-conn',
        )
      ).status,
    ).toBe(404);

    await raw(cluster, 'PATCH', `${claimsPath}/far-away`, {
      body: { spec: { parameters: { region: 'eu-central-1' } } },
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
          '/api/v1/namespaces/default/secrets/far-away-conn',
        )
      ).status,
    ).toBe(200);
  });

  it('deletes a claim through its finalizer, taking the composite and Secret along', async () => {
    const watch = openWatch(cluster, `${claimsPath}?watch=true`);
    await raw(cluster, 'POST', claimsPath, {
      body: bucketClaim('short-lived', { region: 'us-east-1' }),
    });
    const ready = await nextMatching(
      watch,
      e => conditionOf(e.object, 'Ready')?.status === 'True',
    );
    const composite = `/apis/platform.paved.dev/v1alpha1/xbuckets/${ready.object.spec.resourceRef.name}`;

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

  it('leaves a forced claim state alone until it is released', async () => {
    const watch = openWatch(cluster, `${claimsPath}?watch=true`);
    await raw(cluster, 'POST', claimsPath, {
      body: bucketClaim('flaky', { region: 'eu-west-1' }),
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
      plural: 'buckets',
      namespace: 'default',
      name: 'flaky',
    };
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
