/*
 * Behaviour a client sees on the wire: authentication, discovery, watch
 * streams, finalizers, namespaces, paging, Table and protobuf encodings and
 * independent clusters.
 */
import { X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import {
  TestCluster,
  openWatch,
  raw,
  startTestCluster,
} from './__testUtils__/standIn';
import {
  PROTOBUF_MEDIA_TYPE,
  decodeKubernetesProtobuf,
  decodeProtobufWatchEvent,
  encodeKubernetesProtobuf,
} from './protobuf';

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

interface BinaryResponse {
  status: number;
  contentType: string;
  body: Buffer;
}

/** A request with any body and Accept header, answered as bytes (protobuf is not text). */
function exchange(
  cluster: TestCluster,
  method: string,
  path: string,
  options: { body?: Buffer; contentType?: string; accept?: string } = {},
): Promise<BinaryResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {
      authorization: `Bearer ${cluster.token}`,
    };
    if (options.accept) headers.accept = options.accept;
    if (options.contentType) headers['content-type'] = options.contentType;
    const req = request(
      `${cluster.standIn.url}${path}`,
      { method, headers, ca: cluster.standIn.caPem },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type']),
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const applications =
  '/apis/argoproj.io/v1alpha1/namespaces/default/applications';

function application(name: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, ...extra },
    spec: { project: 'default', destination: { namespace: name } },
  };
}

describe('the stand-in over HTTP', () => {
  let cluster: TestCluster;

  beforeEach(async () => {
    cluster = await startTestCluster({
      eventWindow: 5,
      bookmarkIntervalMs: 20,
    });
  });

  afterEach(() => cluster.standIn.stop());

  it('requires the bearer token everywhere but the health checks', async () => {
    const anonymous = await raw(cluster, 'GET', '/api/v1/namespaces', {
      token: null,
    });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    });
    const wrong = await raw(cluster, 'GET', '/apis', {
      token: 'not-the-token',
    });
    expect(wrong.status).toBe(401);
    for (const path of ['/healthz', '/readyz', '/livez']) {
      expect(await raw(cluster, 'GET', path, { token: null })).toEqual({
        status: 200,
        body: 'ok',
      });
    }
  });

  it('serves HTTPS that only clients trusting its CA accept, and keeps a given CA', async () => {
    const certificate = new X509Certificate(cluster.standIn.caPem);
    expect(certificate.ca).toBe(true);
    expect(certificate.subjectAltName).toBe(
      'IP Address:127.0.0.1, DNS:localhost',
    );
    expect(certificate.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(new Date(certificate.validTo).getTime()).toBeGreaterThan(
      Date.now() + 300 * 24 * 60 * 60 * 1000,
    );
    expect(Buffer.from(cluster.standIn.caData, 'base64').toString()).toBe(
      cluster.standIn.caPem,
    );
    expect(cluster.standIn.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);

    const untrusted = new Promise<string>(resolve => {
      const req = request(`${cluster.standIn.url}/healthz`, res => {
        res.resume();
        resolve(`answered ${res.statusCode}`);
      });
      req.on('error', error =>
        resolve((error as NodeJS.ErrnoException).code ?? ''),
      );
      req.end();
    });
    expect(await untrusted).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');

    const restarted = await startTestCluster({ tls: cluster.standIn.tls });
    try {
      expect(restarted.standIn.caPem).toBe(cluster.standIn.caPem);
      // A client that trusted the first instance's CA trusts this one.
      const answer = await raw(restarted, 'GET', '/healthz', { token: null });
      expect(answer.status).toBe(200);
    } finally {
      await restarted.standIn.stop();
    }
  });

  it('counts the requests it serves by verb, watches apart, until reset', async () => {
    await raw(cluster, 'GET', '/apis');
    await raw(cluster, 'POST', applications, { body: application('a') });
    expect(cluster.standIn.requests()).toEqual({
      total: 2,
      watches: 0,
      byVerb: { nonResource: 1, create: 1 },
    });

    cluster.standIn.resetRequestCounts();
    expect(cluster.standIn.requests()).toEqual({
      total: 0,
      watches: 0,
      byVerb: {},
    });
    const watch = openWatch(cluster, `${applications}?watch=true`);
    await watch.next();
    await raw(cluster, 'GET', applications);
    await raw(cluster, 'GET', `${applications}/a`);
    await raw(cluster, 'PATCH', `${applications}/a`, {
      body: { metadata: { labels: { team: 'x' } } },
      contentType: 'application/merge-patch+json',
    });
    await raw(cluster, 'DELETE', `${applications}/a`);
    // Rejected requests count too: the caller still reached the API.
    await raw(cluster, 'GET', applications, { token: null });
    await raw(cluster, 'GET', '/healthz', { token: null });
    watch.close();
    expect(cluster.standIn.requests()).toEqual({
      total: 7,
      watches: 1,
      byVerb: {
        watch: 1,
        list: 2,
        get: 1,
        patch: 1,
        delete: 1,
        nonResource: 1,
      },
    });
  });

  it('serves discovery for core and CRD groups', async () => {
    const version = await raw(cluster, 'GET', '/version');
    expect(version.body).toMatchObject({
      major: '1',
      gitVersion: expect.stringMatching(/^v1\./),
    });
    expect((await raw(cluster, 'GET', '/api')).body).toMatchObject({
      kind: 'APIVersions',
      versions: ['v1'],
    });

    const core = await raw(cluster, 'GET', '/api/v1');
    expect(core.body.resources.map((r: any) => r.name)).toEqual(
      expect.arrayContaining(['namespaces', 'secrets', 'configmaps', 'events']),
    );

    const groups = await raw(cluster, 'GET', '/apis');
    expect(groups.body.groups).toEqual(
      expect.arrayContaining([
        {
          name: 'argoproj.io',
          versions: [
            { groupVersion: 'argoproj.io/v1alpha1', version: 'v1alpha1' },
          ],
          preferredVersion: {
            groupVersion: 'argoproj.io/v1alpha1',
            version: 'v1alpha1',
          },
        },
      ]),
    );

    const argo = await raw(cluster, 'GET', '/apis/argoproj.io/v1alpha1');
    expect(argo.body.resources).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'applications',
          singularName: 'application',
          namespaced: true,
          kind: 'Application',
          shortNames: ['app', 'apps'],
        }),
      ]),
    );
    const crossplane = await raw(
      cluster,
      'GET',
      '/apis/apiextensions.crossplane.io/v1',
    );
    expect(crossplane.body.resources).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'compositeresourcedefinitions',
          namespaced: false,
        }),
        expect.objectContaining({
          name: 'compositeresourcedefinitions/status',
          verbs: ['get', 'patch', 'update'],
        }),
      ]),
    );
    expect((await raw(cluster, 'GET', '/apis/nothing.example/v1')).status).toBe(
      404,
    );
    expect((await raw(cluster, 'POST', '/apis', { body: {} })).status).toBe(
      405,
    );
  });

  it('answers creation into a missing namespace with 404', async () => {
    const response = await raw(
      cluster,
      'POST',
      '/apis/argoproj.io/v1alpha1/namespaces/nowhere/applications',
      {
        body: application('lost'),
      },
    );
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'NotFound',
      message: 'namespaces "nowhere" not found',
      details: { name: 'nowhere', kind: 'namespaces' },
      code: 404,
    });
  });

  it('replays events after a resourceVersion on a raw watch', async () => {
    const first = await raw(cluster, 'POST', applications, {
      body: application('one'),
    });
    const from = first.body.metadata.resourceVersion;
    await raw(cluster, 'POST', applications, {
      body: application('two', { labels: { tier: 'web' } }),
    });
    await raw(cluster, 'DELETE', `${applications}/one`);

    const watch = openWatch(
      cluster,
      `${applications}?watch=true&resourceVersion=${from}`,
    );
    const added = await watch.next();
    expect(added).toMatchObject({
      type: 'ADDED',
      object: { kind: 'Application', metadata: { name: 'two' } },
    });
    expect(await watch.next()).toMatchObject({
      type: 'DELETED',
      object: { metadata: { name: 'one' } },
    });

    await raw(cluster, 'PATCH', `${applications}/two`, {
      body: { spec: { project: 'platform' } },
      contentType: 'application/merge-patch+json',
    });
    const modified = await watch.next();
    expect(modified).toMatchObject({
      type: 'MODIFIED',
      object: { spec: { project: 'platform' } },
    });
    expect(Number(modified.object.metadata.resourceVersion)).toBeGreaterThan(
      Number(added.object.metadata.resourceVersion),
    );
    watch.close();
  });

  it('filters watches by label selector, turning a label change into ADDED/DELETED', async () => {
    const watch = openWatch(
      cluster,
      `/apis/argoproj.io/v1alpha1/applications?watch=1&labelSelector=tier%3Dweb`,
    );
    await raw(cluster, 'POST', applications, {
      body: application('api', { labels: { tier: 'api' } }),
    });
    await raw(cluster, 'POST', applications, {
      body: application('web', { labels: { tier: 'web' } }),
    });
    expect(await watch.next()).toMatchObject({
      type: 'ADDED',
      object: { metadata: { name: 'web' } },
    });
    await raw(cluster, 'PATCH', `${applications}/api`, {
      body: { metadata: { labels: { tier: 'web' } } },
      contentType: 'application/merge-patch+json',
    });
    expect(await watch.next()).toMatchObject({
      type: 'ADDED',
      object: { metadata: { name: 'api' } },
    });
    await raw(cluster, 'PATCH', `${applications}/web`, {
      body: [{ op: 'replace', path: '/metadata/labels/tier', value: 'batch' }],
      contentType: 'application/json-patch+json',
    });
    expect(await watch.next()).toMatchObject({
      type: 'DELETED',
      object: { metadata: { name: 'web' } },
    });
    watch.close();
  });

  it('answers a watch from a compacted resourceVersion with a 410 Expired ERROR event', async () => {
    const first = await raw(cluster, 'POST', applications, {
      body: application('old'),
    });
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f']) {
      await raw(cluster, 'POST', applications, { body: application(name) });
    }
    const watch = openWatch(
      cluster,
      `${applications}?watch=true&resourceVersion=${first.body.metadata.resourceVersion}`,
    );
    const error = await watch.next();
    expect(error.type).toBe('ERROR');
    expect(error.object).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Expired',
      code: 410,
      message: expect.stringMatching(/^too old resource version: \d+ \(\d+\)$/),
    });
    await watch.ended;
  });

  it('sends bookmarks when asked and ends the watch at timeoutSeconds', async () => {
    const list = await raw(cluster, 'GET', applications);
    const watch = openWatch(
      cluster,
      `${applications}?watch=true&allowWatchBookmarks=true&timeoutSeconds=1&resourceVersion=${list.body.metadata.resourceVersion}`,
    );
    const bookmark = await watch.next();
    expect(bookmark).toEqual({
      type: 'BOOKMARK',
      object: {
        kind: 'Application',
        apiVersion: 'argoproj.io/v1alpha1',
        metadata: { resourceVersion: list.body.metadata.resourceVersion },
      },
    });
    await watch.ended;
  });

  it('keeps an object with finalizers until they are removed', async () => {
    await raw(cluster, 'POST', applications, {
      body: application('guarded', {
        finalizers: ['resources-finalizer.argocd.argoproj.io'],
      }),
    });
    const watch = openWatch(cluster, `${applications}?watch=true`);
    expect((await watch.next()).type).toBe('ADDED');

    const deletion = await raw(cluster, 'DELETE', `${applications}/guarded`);
    expect(deletion.status).toBe(202);
    expect(deletion.body.metadata.deletionTimestamp).toEqual(
      expect.any(String),
    );
    const marked = await watch.next();
    expect(marked.type).toBe('MODIFIED');
    expect(marked.object.metadata.deletionTimestamp).toBe(
      deletion.body.metadata.deletionTimestamp,
    );

    const stillThere = await raw(cluster, 'GET', `${applications}/guarded`);
    expect(stillThere.status).toBe(200);
    expect(stillThere.body.metadata.finalizers).toEqual([
      'resources-finalizer.argocd.argoproj.io',
    ]);

    const addFinalizer = await raw(
      cluster,
      'PATCH',
      `${applications}/guarded`,
      {
        body: {
          metadata: {
            finalizers: ['resources-finalizer.argocd.argoproj.io', 'another'],
          },
        },
        contentType: 'application/merge-patch+json',
      },
    );
    expect(addFinalizer.status).toBe(422);

    const cleared = await raw(cluster, 'PATCH', `${applications}/guarded`, {
      body: { metadata: { finalizers: null } },
      contentType: 'application/merge-patch+json',
    });
    expect(cleared.status).toBe(200);
    expect((await watch.next()).type).toBe('DELETED');
    expect((await raw(cluster, 'GET', `${applications}/guarded`)).status).toBe(
      404,
    );
    watch.close();
  });

  it('deletes the objects of a deleted namespace, then the namespace', async () => {
    await raw(cluster, 'POST', '/api/v1/namespaces', {
      body: { metadata: { name: 'team-a' } },
    });
    await raw(cluster, 'POST', '/api/v1/namespaces/team-a/configmaps', {
      body: { metadata: { name: 'settings' } },
    });
    const deletion = await raw(cluster, 'DELETE', '/api/v1/namespaces/team-a');
    expect(deletion.body.status.phase).toBe('Terminating');
    expect(
      (
        await raw(
          cluster,
          'GET',
          '/api/v1/namespaces/team-a/configmaps/settings',
        )
      ).status,
    ).toBe(404);
    expect(
      (await raw(cluster, 'GET', '/api/v1/namespaces/team-a')).status,
    ).toBe(404);
  });

  it('pages lists with limit and continue, and filters by field selector', async () => {
    for (const name of ['a', 'b', 'c']) {
      await raw(cluster, 'POST', applications, { body: application(name) });
    }
    const firstPage = await raw(cluster, 'GET', `${applications}?limit=2`);
    expect(firstPage.body.items.map((i: any) => i.metadata.name)).toEqual([
      'a',
      'b',
    ]);
    expect(firstPage.body.metadata).toMatchObject({
      remainingItemCount: 1,
      continue: expect.any(String),
    });
    const secondPage = await raw(
      cluster,
      'GET',
      `${applications}?limit=2&continue=${encodeURIComponent(
        firstPage.body.metadata.continue,
      )}`,
    );
    expect(secondPage.body.items.map((i: any) => i.metadata.name)).toEqual([
      'c',
    ]);
    expect(secondPage.body.metadata.continue).toBeUndefined();
    expect(secondPage.body.metadata.resourceVersion).toBe(
      firstPage.body.metadata.resourceVersion,
    );

    const byName = await raw(
      cluster,
      'GET',
      `${applications}?fieldSelector=metadata.name!%3Db`,
    );
    expect(byName.body.items.map((i: any) => i.metadata.name)).toEqual([
      'a',
      'c',
    ]);
    const unsupported = await raw(
      cluster,
      'GET',
      `${applications}?fieldSelector=spec.project%3Ddefault`,
    );
    expect(unsupported.status).toBe(400);
  });

  it('rejects unconditional updates of custom resources and unsupported verbs', async () => {
    const created = await raw(cluster, 'POST', applications, {
      body: application('x'),
    });
    const { resourceVersion: _rv, ...metadata } = created.body.metadata;
    const update = await raw(cluster, 'PUT', `${applications}/x`, {
      body: { ...created.body, metadata },
    });
    expect(update.status).toBe(422);
    expect(update.body.message).toBe(
      'Application.argoproj.io "x" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update',
    );
    expect(
      (await raw(cluster, 'POST', `${applications}/x`, { body: {} })).status,
    ).toBe(405);
    expect((await raw(cluster, 'DELETE', applications)).status).toBe(405);
  });
  it('serves Tables with the CRD printer columns and the row object asked for', async () => {
    await raw(cluster, 'POST', applications, {
      body: {
        ...application('orders'),
        status: {
          sync: { status: 'OutOfSync', revision: 'c0ffee' },
          health: { status: 'Progressing' },
        },
      },
    });
    const table = await exchange(cluster, 'GET', applications, {
      accept: TABLE,
    });
    expect(table.status).toBe(200);
    const body = JSON.parse(table.body.toString());
    expect(body).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
    expect(body.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(
      body.columnDefinitions.map((c: any) => [c.name, c.type, c.priority]),
    ).toEqual([
      ['Name', 'string', 0],
      ['Sync Status', 'string', 0],
      ['Health Status', 'string', 0],
      ['Revision', 'string', 10],
      ['Project', 'string', 10],
    ]);
    expect(body.rows).toHaveLength(1);
    expect(body.rows[0].cells).toEqual([
      'orders',
      'OutOfSync',
      'Progressing',
      'c0ffee',
      'default',
    ]);
    expect(body.rows[0].object).toEqual({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: expect.objectContaining({
        name: 'orders',
        namespace: 'default',
      }),
    });

    const whole = await exchange(
      cluster,
      'GET',
      `${applications}/orders?includeObject=Object`,
      { accept: TABLE },
    );
    const wholeRow = JSON.parse(whole.body.toString()).rows[0];
    expect(wholeRow.object.spec.project).toBe('default');
    const bare = await exchange(
      cluster,
      'GET',
      `${applications}?includeObject=None`,
      {
        accept: TABLE,
      },
    );
    expect(JSON.parse(bare.body.toString()).rows[0].object).toBeUndefined();

    // A missing column value is a null cell, not an empty string.
    await raw(cluster, 'POST', applications, { body: application('fresh') });
    const fresh = await exchange(cluster, 'GET', `${applications}/fresh`, {
      accept: TABLE,
    });
    expect(JSON.parse(fresh.body.toString()).rows[0].cells).toEqual([
      'fresh',
      null,
      null,
      null,
      'default',
    ]);

    const namespaces = await exchange(cluster, 'GET', '/api/v1/namespaces', {
      accept: TABLE,
    });
    const nsTable = JSON.parse(namespaces.body.toString());
    expect(nsTable.columnDefinitions.map((c: any) => c.name)).toEqual([
      'Name',
      'Status',
      'Age',
    ]);
    expect(nsTable.rows[0].cells).toEqual([
      'default',
      'Active',
      expect.stringMatching(/^\d+s$/),
    ]);
  });

  it('takes protobuf bodies for built-in types and answers protobuf to clients that accept only it', async () => {
    const created = await exchange(
      cluster,
      'POST',
      '/api/v1/namespaces/default/configmaps',
      {
        contentType: PROTOBUF_MEDIA_TYPE,
        accept: PROTOBUF_MEDIA_TYPE,
        body: encodeKubernetesProtobuf({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'settings', labels: { team: 'payments' } },
          data: { LOG_LEVEL: 'debug', EMPTY: '' },
          binaryData: { blob: Buffer.from([0, 1, 2]).toString('base64') },
        }),
      },
    );
    expect(created.status).toBe(201);
    expect(created.contentType).toBe(PROTOBUF_MEDIA_TYPE);
    const answer = decodeKubernetesProtobuf(created.body) as any;
    expect(answer).toMatchObject({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'settings',
        namespace: 'default',
        labels: { team: 'payments' },
      },
      data: { LOG_LEVEL: 'debug', EMPTY: '' },
      binaryData: { blob: 'AAEC' },
    });
    expect(answer.metadata.creationTimestamp).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    );

    // Clients that also accept JSON get JSON, as kubectl does.
    const json = await raw(
      cluster,
      'GET',
      '/api/v1/namespaces/default/configmaps/settings',
    );
    expect(json.body.data).toEqual({ LOG_LEVEL: 'debug', EMPTY: '' });

    const list = await exchange(cluster, 'GET', '/api/v1/namespaces', {
      accept: PROTOBUF_MEDIA_TYPE,
    });
    expect(decodeKubernetesProtobuf(list.body)).toMatchObject({
      kind: 'NamespaceList',
      items: [
        { metadata: { name: 'default' }, status: { phase: 'Active' } },
        { metadata: { name: 'kube-public' } },
        { metadata: { name: 'kube-system' } },
      ],
    });

    const missing = await exchange(
      cluster,
      'GET',
      '/api/v1/namespaces/default/secrets/nope',
      {
        accept: PROTOBUF_MEDIA_TYPE,
      },
    );
    expect(missing.status).toBe(404);
    expect(decodeKubernetesProtobuf(missing.body)).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      message: 'secrets "nope" not found',
      code: 404,
    });

    // Custom resources have no protobuf messages, on a real apiserver too.
    const customAsProtobuf = await exchange(cluster, 'GET', applications, {
      accept: PROTOBUF_MEDIA_TYPE,
    });
    expect(customAsProtobuf.status).toBe(406);
    const customFromProtobuf = await exchange(cluster, 'POST', applications, {
      contentType: PROTOBUF_MEDIA_TYPE,
      body: encodeKubernetesProtobuf({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'x' },
      }),
    });
    expect(customFromProtobuf.status).toBe(415);
    const garbage = await exchange(
      cluster,
      'POST',
      '/api/v1/namespaces/default/configmaps',
      {
        contentType: PROTOBUF_MEDIA_TYPE,
        body: Buffer.from('{"not":"protobuf"}'),
      },
    );
    expect(garbage.status).toBe(400);
    expect(JSON.parse(garbage.body.toString()).reason).toBe('BadRequest');
  });

  it('streams a protobuf watch as length-prefixed events', async () => {
    await raw(cluster, 'POST', '/api/v1/namespaces/default/secrets', {
      body: { metadata: { name: 'token' }, stringData: { token: 'abc' } },
    });
    const frame = await new Promise<Buffer>((resolve, reject) => {
      const req = request(
        `${cluster.standIn.url}/api/v1/namespaces/default/secrets?watch=true`,
        {
          headers: {
            authorization: `Bearer ${cluster.token}`,
            accept: PROTOBUF_MEDIA_TYPE,
          },
          ca: cluster.standIn.caPem,
        },
        res => {
          expect(res.headers['content-type']).toBe(
            `${PROTOBUF_MEDIA_TYPE};stream=watch`,
          );
          let buffer = Buffer.alloc(0);
          res.on('data', (chunk: Buffer) => {
            buffer = Buffer.concat([buffer, chunk]);
            if (
              buffer.length >= 4 &&
              buffer.length >= 4 + buffer.readUInt32BE(0)
            ) {
              req.destroy();
              resolve(buffer);
            }
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
    const event = decodeProtobufWatchEvent(frame);
    expect(event.type).toBe('ADDED');
    expect(event.object).toMatchObject({
      kind: 'Secret',
      metadata: { name: 'token' },
      data: { token: Buffer.from('abc').toString('base64') },
      type: 'Opaque',
    });
  });
});

describe('several clusters', () => {
  it('keeps dev and prod independent', async () => {
    const dev = await startTestCluster({ clusterName: 'dev' });
    const prod = await startTestCluster({ clusterName: 'prod' });
    try {
      expect(dev.standIn.url).not.toBe(prod.standIn.url);
      await dev.core.createNamespace({
        body: { metadata: { name: 'payments' } },
      });
      const prodNames = (await prod.core.listNamespace()).items.map(
        ns => ns.metadata?.name,
      );
      expect(prodNames).not.toContain('payments');
      expect(
        (await raw(prod, 'GET', '/api/v1/namespaces', { token: dev.token }))
          .status,
      ).toBe(401);
    } finally {
      await Promise.all([dev.standIn.stop(), prod.standIn.stop()]);
    }
  });
});
