/*
 * Argo CD Applications as the portal reads them: sync status, revision,
 * health, the last operation and history, new commits making an
 * Application OutOfSync, and forced states for testing the portal's views.
 */
import {
  TestCluster,
  nextMatching,
  openWatch,
  raw,
  startTestCluster,
} from './__testUtils__/standIn';
import { forceApplicationState, releaseForcedState } from './forceState';

const applications =
  '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications';

function application(name: string, automated: boolean) {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name },
    spec: {
      project: 'default',
      source: {
        repoURL: 'https://github.example.com/paved/deploy.git',
        path: `apps/${name}`,
        targetRevision: 'main',
      },
      destination: {
        server: 'https://kubernetes.default.svc',
        namespace: name,
      },
      ...(automated ? { syncPolicy: { automated: { prune: true } } } : {}),
    },
  };
}

describe('the simulated Argo CD', () => {
  let cluster: TestCluster;
  let head: string;
  const resolved: string[] = [];

  beforeEach(async () => {
    head = 'a'.repeat(40);
    resolved.length = 0;
    cluster = await startTestCluster({
      controllers: {
        crossplane: false,
        delayMs: 50,
        revisionPollIntervalMs: 100,
        resolveRevision: async (repoURL, targetRevision, path) => {
          resolved.push(`${repoURL} ${targetRevision} ${path}`);
          return head;
        },
      },
    });
    await raw(cluster, 'POST', '/api/v1/namespaces', {
      body: { metadata: { name: 'argocd' } },
    });
  });

  afterEach(() => cluster.standIn.stop());

  it('deploys a new Application and follows new commits when automated', async () => {
    const watch = openWatch(cluster, `${applications}?watch=true`);
    await raw(cluster, 'POST', applications, {
      body: application('payments', true),
    });
    const missing = await nextMatching(
      watch,
      e => e.object.status?.health?.status === 'Missing',
    );
    expect(missing.object.status.sync).toMatchObject({
      status: 'OutOfSync',
      revision: head,
    });
    const synced = await nextMatching(
      watch,
      e => e.object.status?.sync?.status === 'Synced',
    );
    expect(resolved).toContain(
      'https://github.example.com/paved/deploy.git main apps/payments',
    );
    const status = synced.object.status;
    expect(status.health).toEqual({ status: 'Healthy' });
    expect(status.sync.revision).toBe(head);
    expect(status.operationState).toMatchObject({
      phase: 'Succeeded',
      syncResult: { revision: head },
      startedAt: expect.stringMatching(/Z$/),
      finishedAt: expect.stringMatching(/Z$/),
    });
    expect(status.reconciledAt).toEqual(expect.stringMatching(/Z$/));
    expect(status.history).toEqual([
      {
        id: 0,
        revision: head,
        deployedAt: status.operationState.finishedAt,
        deployStartedAt: status.operationState.startedAt,
        source: expect.objectContaining({ path: 'apps/payments' }),
      },
    ]);

    head = 'b'.repeat(40);
    const outOfSync = await nextMatching(
      watch,
      e => e.object.status?.sync?.status === 'OutOfSync',
    );
    expect(outOfSync.object.status.sync.revision).toBe(head);
    expect(outOfSync.object.status.health.status).toBe('Healthy');
    const resynced = await nextMatching(
      watch,
      e => e.object.status?.sync?.status === 'Synced',
    );
    watch.close();
    expect(
      resynced.object.status.history.map((h: any) => [h.id, h.revision]),
    ).toEqual([
      [0, 'a'.repeat(40)],
      [1, head],
    ]);
  });

  it('leaves a manual Application OutOfSync after a new commit', async () => {
    const watch = openWatch(cluster, `${applications}?watch=true`);
    await raw(cluster, 'POST', applications, {
      body: application('search', false),
    });
    await nextMatching(watch, e => e.object.status?.sync?.status === 'Synced');
    head = 'c'.repeat(40);
    const outOfSync = await nextMatching(
      watch,
      e => e.object.status?.sync?.status === 'OutOfSync',
    );
    // Several poll intervals and sync delays later it has neither synced nor been rewritten.
    await new Promise(resolve => setTimeout(resolve, 400));
    watch.close();
    const app = await raw(cluster, 'GET', `${applications}/search`);
    expect(app.body.metadata.resourceVersion).toBe(
      outOfSync.object.metadata.resourceVersion,
    );
    expect(app.body.status.sync).toMatchObject({
      status: 'OutOfSync',
      revision: head,
    });
    expect(app.body.status.history).toHaveLength(1);
  });

  it('uses a fixed fake SHA per source without a resolver', async () => {
    await cluster.standIn.stop();
    cluster = await startTestCluster({
      controllers: { crossplane: false, delayMs: 20 },
    });
    await raw(cluster, 'POST', '/api/v1/namespaces', {
      body: { metadata: { name: 'argocd' } },
    });
    const watch = openWatch(cluster, `${applications}?watch=true`);
    await raw(cluster, 'POST', applications, {
      body: application('web', false),
    });
    const synced = await nextMatching(
      watch,
      e => e.object.status?.sync?.status === 'Synced',
    );
    watch.close();
    expect(synced.object.status.sync.revision).toMatch(/^[0-9a-f]{40}$/);
  });

  it('keeps a forced state until it is released', async () => {
    const watch = openWatch(cluster, `${applications}?watch=true`);
    await raw(cluster, 'POST', applications, {
      body: application('billing', true),
    });
    await nextMatching(watch, e => e.object.status?.sync?.status === 'Synced');
    const connection = {
      url: cluster.standIn.url,
      caPem: cluster.standIn.caPem,
      token: cluster.token,
    };
    await forceApplicationState(connection, 'argocd', 'billing', {
      health: 'Degraded',
      message: 'Back-off restarting failed container',
    });
    const degraded = await nextMatching(watch, e => e.type === 'MODIFIED');
    expect(degraded.object.status.health).toEqual({
      status: 'Degraded',
      message: 'Back-off restarting failed container',
    });
    expect(degraded.object.status.sync.status).toBe('Synced');

    // A new commit and several polls later, the forced state still stands.
    head = 'd'.repeat(40);
    await new Promise(resolve => setTimeout(resolve, 300));
    const still = await raw(cluster, 'GET', `${applications}/billing`);
    expect(still.body.status.health.status).toBe('Degraded');
    expect(still.body.status.sync.revision).toBe('a'.repeat(40));

    await releaseForcedState(connection, {
      group: 'argoproj.io',
      version: 'v1alpha1',
      plural: 'applications',
      namespace: 'argocd',
      name: 'billing',
    });
    const recovered = await nextMatching(
      watch,
      e =>
        e.object.status?.sync?.status === 'Synced' &&
        e.object.status?.sync?.revision === head,
    );
    watch.close();
    expect(recovered.object.status.health).toEqual({ status: 'Healthy' });
  });
});
