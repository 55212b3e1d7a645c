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

// Waits below allow 20 s for a reconcile on a loaded machine.
jest.setTimeout(60_000);

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

  it('runs a sync someone requests through the operation field, records who asked and clears the request', async () => {
    const watch = openWatch(cluster, `${applications}?watch=true`);
    await raw(cluster, 'POST', applications, {
      body: application('orders', false),
    });
    await nextMatching(watch, e => e.object.status?.sync?.status === 'Synced');
    head = 'e'.repeat(40);
    await nextMatching(
      watch,
      e => e.object.status?.sync?.status === 'OutOfSync',
    );

    const requested = await raw(cluster, 'PATCH', `${applications}/orders`, {
      contentType: 'application/merge-patch+json',
      body: {
        operation: {
          sync: { revision: 'release-2' },
          initiatedBy: { username: 'alice' },
        },
      },
    });
    expect(requested.status).toBe(200);
    const synced = await nextMatching(
      watch,
      e => e.object.status?.history?.length === 2,
    );
    watch.close();
    expect(resolved).toContain(
      'https://github.example.com/paved/deploy.git release-2 apps/orders',
    );
    expect(synced.object.operation).toBeUndefined();
    expect(synced.object.status.operationState).toMatchObject({
      phase: 'Succeeded',
      operation: {
        sync: { revision: head },
        initiatedBy: { username: 'alice' },
      },
    });
    expect(synced.object.status.sync).toMatchObject({
      status: 'Synced',
      revision: head,
    });
    expect(
      synced.object.status.history.map((h: any) => [h.id, h.revision]),
    ).toEqual([
      [0, 'a'.repeat(40)],
      [1, head],
    ]);
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

describe('the simulated Argo CD with manifests from Git', () => {
  let cluster: TestCluster;
  // What each commit of the repository holds under apps/payments.
  const commits = new Map<string, Record<string, string>>();
  let head: string;

  function manifestFiles(tag: string): Record<string, string> {
    return {
      'kustomization.yaml':
        'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [deployment.yaml, service.yaml]\n',
      'deployment.yaml': [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: { name: payments, labels: { app: payments } }',
        'spec:',
        '  selector: { matchLabels: { app: payments } }',
        '  template:',
        '    metadata: { labels: { app: payments } }',
        '    spec:',
        '      containers:',
        `        - { name: payments, image: "ghcr.io/acme/payments:${tag}" }`,
        '',
      ].join('\n'),
      'service.yaml':
        'apiVersion: v1\nkind: Service\nmetadata: { name: payments }\nspec: { selector: { app: payments }, ports: [{ port: 80 }] }\n',
    };
  }

  async function until(
    path: string,
    done: (object: any) => boolean,
  ): Promise<any> {
    // By the clock, not a count of polls: on a loaded machine (CI's unit layer runs suites in
    // parallel on two cores) a reconcile can take seconds.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const { body } = await raw(cluster, 'GET', path);
      if (done(body)) {
        return body;
      }
      if (Date.now() > deadline) {
        throw new Error(`${path} never got there: ${JSON.stringify(body)}`);
      }
      await new Promise(resolve => setTimeout(resolve, 20));
    }
  }

  beforeEach(async () => {
    commits.clear();
    head = 'a'.repeat(40);
    commits.set(head, manifestFiles('1a2b3c4'));
    cluster = await startTestCluster({
      controllers: {
        crossplane: false,
        workloads: true,
        delayMs: 30,
        revisionPollIntervalMs: 100,
        resolveRevision: async () => head,
        // The repository holds the manifests under the Applications' path, apps/payments.
        readManifests: async (_repoURL, revision) => {
          const files = commits.get(revision);
          return (
            files &&
            Object.fromEntries(
              Object.entries(files).map(([file, text]) => [
                `apps/payments/${file}`,
                text,
              ]),
            )
          );
        },
      },
    });
    await raw(cluster, 'POST', '/api/v1/namespaces', {
      body: { metadata: { name: 'argocd' } },
    });
  });

  afterEach(() => cluster.standIn.stop());

  function paymentsApplication(syncPolicy: Record<string, unknown>) {
    const app = application('payments', false);
    return {
      ...app,
      spec: {
        ...app.spec,
        source: {
          ...app.spec.source,
          kustomize: { replicas: [{ name: 'payments', count: 2 }] },
        },
        syncPolicy: { ...syncPolicy, syncOptions: ['CreateNamespace=true'] },
      },
    };
  }

  it('applies the manifests and reports their resources, health and images', async () => {
    await raw(cluster, 'POST', applications, {
      body: paymentsApplication({ automated: { selfHeal: true } }),
    });
    const healthy = await until(
      `${applications}/payments`,
      app =>
        app.status?.health?.status === 'Healthy' &&
        app.status?.resources?.length === 2,
    );
    expect(healthy.status.sync.status).toBe('Synced');
    expect(healthy.status.resources).toEqual([
      {
        version: 'v1',
        kind: 'Service',
        namespace: 'payments',
        name: 'payments',
        status: 'Synced',
        health: { status: 'Healthy' },
      },
      {
        group: 'apps',
        version: 'v1',
        kind: 'Deployment',
        namespace: 'payments',
        name: 'payments',
        status: 'Synced',
        health: { status: 'Healthy' },
      },
    ]);
    expect(healthy.status.summary).toEqual({
      images: ['ghcr.io/acme/payments:1a2b3c4'],
    });
    expect(healthy.status.sourceType).toBe('Kustomize');
    expect(
      healthy.status.operationState.syncResult.resources.map(
        (r: any) => r.message,
      ),
    ).toEqual(['service/payments created', 'deployment.apps/payments created']);

    // What was applied: tracking label, the Application's replica override, two running Pods.
    const deployment = await until(
      '/apis/apps/v1/namespaces/payments/deployments/payments',
      d => d.status?.availableReplicas === 2,
    );
    expect(deployment.metadata.labels).toEqual({
      app: 'payments',
      'app.kubernetes.io/instance': 'payments',
    });
    expect(deployment.spec.replicas).toBe(2);

    // A commit with a new image rolls it out; the summary follows.
    head = 'b'.repeat(40);
    commits.set(head, manifestFiles('5d6e7f8'));
    const rolledOut = await until(
      `${applications}/payments`,
      app =>
        app.status?.sync?.revision === head &&
        app.status?.health?.status === 'Healthy' &&
        app.status?.summary?.images?.length === 1 &&
        app.status.summary.images[0].endsWith(':5d6e7f8'),
    );
    expect(rolledOut.status.sync.status).toBe('Synced');
    expect(rolledOut.status.history).toHaveLength(2);

    // A hand edit is drift: selfHeal puts Git's image back.
    await raw(
      cluster,
      'PATCH',
      '/apis/apps/v1/namespaces/payments/deployments/payments',
      {
        contentType: 'application/json-patch+json',
        body: [
          {
            op: 'replace',
            path: '/spec/template/spec/containers/0/image',
            value: 'ghcr.io/acme/payments:hotfix',
          },
        ],
      },
    );
    const healed = await until(
      '/apis/apps/v1/namespaces/payments/deployments/payments',
      d =>
        d.spec.template.spec.containers[0].image ===
        'ghcr.io/acme/payments:5d6e7f8',
    );
    expect(healed.metadata.generation).toBe(4);
  });

  it('shows drift as OutOfSync without selfHeal, and a missing kind as a failed sync', async () => {
    await raw(cluster, 'POST', applications, {
      body: paymentsApplication({}),
    });
    await until(
      `${applications}/payments`,
      app => app.status?.health?.status === 'Healthy',
    );
    await raw(
      cluster,
      'PATCH',
      '/api/v1/namespaces/payments/services/payments',
      {
        contentType: 'application/merge-patch+json',
        body: { spec: { ports: [{ port: 8080 }] } },
      },
    );
    const drifted = await until(
      `${applications}/payments`,
      app => app.status?.sync?.status === 'OutOfSync',
    );
    expect(
      drifted.status.resources.map((r: any) => [r.kind, r.status]),
    ).toEqual([
      ['Service', 'OutOfSync'],
      ['Deployment', 'Synced'],
    ]);
    expect(drifted.status.sync.revision).toBe(head);

    // A kind the cluster does not serve fails the sync once, without retries.
    head = 'c'.repeat(40);
    commits.set(head, {
      'rollout.yaml':
        'apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: { name: payments }\n',
    });
    const app = await raw(cluster, 'GET', `${applications}/payments`);
    await raw(cluster, 'PUT', `${applications}/payments`, {
      body: {
        ...app.body,
        spec: {
          ...app.body.spec,
          syncPolicy: { automated: {} },
        },
      },
    });
    const failed = await until(
      `${applications}/payments`,
      a => a.status?.operationState?.phase === 'Failed',
    );
    expect(failed.status.operationState.message).toBe(
      'one or more objects failed to apply, reason: The Kubernetes API could not find argoproj.io/v1alpha1/Rollout for requested resource payments/payments. Make sure the "Rollout" CRD is installed on the destination cluster.',
    );
    expect(failed.status.sync.status).toBe('OutOfSync');
    expect(failed.status.history).toHaveLength(1);
    expect(
      failed.status.resources.find((r: any) => r.kind === 'Rollout'),
    ).toEqual({
      group: 'argoproj.io',
      version: 'v1alpha1',
      kind: 'Rollout',
      namespace: 'payments',
      name: 'payments',
      status: 'OutOfSync',
      health: { status: 'Missing' },
    });
    await new Promise(resolve => setTimeout(resolve, 300));
    const later = await raw(cluster, 'GET', `${applications}/payments`);
    expect(later.body.status.operationState.finishedAt).toBe(
      failed.status.operationState.finishedAt,
    );
  });

  /** The manifests without the Service: its file removed, as a pull request deleting it would. */
  function withoutService(tag: string): Record<string, string> {
    const { 'service.yaml': _service, ...files } = manifestFiles(tag);
    return {
      ...files,
      'kustomization.yaml':
        'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [deployment.yaml]\n',
    };
  }

  const service = '/api/v1/namespaces/payments/services/payments';

  it('deletes an object whose file is removed from Git when automated sync prunes', async () => {
    await raw(cluster, 'POST', applications, {
      body: paymentsApplication({ automated: { prune: true } }),
    });
    await until(
      `${applications}/payments`,
      app =>
        app.status?.sync?.status === 'Synced' &&
        app.status.resources?.length === 2,
    );
    expect((await raw(cluster, 'GET', service)).status).toBe(200);

    head = 'b'.repeat(40);
    commits.set(head, withoutService('1a2b3c4'));
    const pruned = await until(
      `${applications}/payments`,
      app =>
        app.status?.sync?.revision === head &&
        app.status.sync.status === 'Synced' &&
        app.status.resources?.length === 1,
    );
    expect((await raw(cluster, 'GET', service)).status).toBe(404);
    expect(pruned.status.resources.map((r: any) => r.kind)).toEqual([
      'Deployment',
    ]);
    expect(pruned.status.operationState.syncResult.resources).toContainEqual(
      expect.objectContaining({
        kind: 'Service',
        name: 'payments',
        status: 'Pruned',
        message: 'pruned',
      }),
    );
    expect(pruned.status.history).toHaveLength(2);
  });

  it('keeps an object whose file is removed from Git without prune, marked requiresPruning, until a sync with prune', async () => {
    await raw(cluster, 'POST', applications, {
      body: paymentsApplication({ automated: { selfHeal: true } }),
    });
    await until(
      `${applications}/payments`,
      app =>
        app.status?.sync?.status === 'Synced' &&
        app.status.resources?.length === 2,
    );

    head = 'b'.repeat(40);
    commits.set(head, withoutService('1a2b3c4'));
    const outOfSync = await until(
      `${applications}/payments`,
      app =>
        app.status?.sync?.revision === head &&
        app.status.sync.status === 'OutOfSync',
    );
    expect(outOfSync.status.resources).toContainEqual({
      version: 'v1',
      kind: 'Service',
      namespace: 'payments',
      name: 'payments',
      status: 'OutOfSync',
      health: { status: 'Healthy' },
      requiresPruning: true,
    });
    // Automated sync could only prune here, so it does not run: nothing deployed, nothing deleted.
    await new Promise(resolve => setTimeout(resolve, 300));
    const later = await raw(cluster, 'GET', `${applications}/payments`);
    expect(later.body.status.sync.status).toBe('OutOfSync');
    expect(later.body.status.history).toHaveLength(1);
    expect((await raw(cluster, 'GET', service)).status).toBe(200);

    // `argocd app sync --prune` deletes it.
    await raw(cluster, 'PATCH', `${applications}/payments`, {
      contentType: 'application/merge-patch+json',
      body: {
        operation: {
          sync: { prune: true },
          initiatedBy: { username: 'alice' },
        },
      },
    });
    const synced = await until(
      `${applications}/payments`,
      app =>
        app.status?.sync?.status === 'Synced' &&
        app.status.resources?.length === 1,
    );
    expect((await raw(cluster, 'GET', service)).status).toBe(404);
    expect(synced.status.operationState.operation).toEqual({
      sync: { revision: head, prune: true },
      initiatedBy: { username: 'alice' },
    });
    expect(synced.status.history).toHaveLength(2);
  });

  it('leaves the object and the Application OutOfSync after a requested sync without prune', async () => {
    await raw(cluster, 'POST', applications, {
      body: paymentsApplication({}),
    });
    await until(
      `${applications}/payments`,
      app =>
        app.status?.sync?.status === 'Synced' &&
        app.status.resources?.length === 2,
    );
    head = 'b'.repeat(40);
    commits.set(head, withoutService('1a2b3c4'));
    // A person syncs once Argo CD shows the new commit: a sync deploys the revision the last
    // refresh resolved, as Argo CD's repo server caches it.
    await until(
      `${applications}/payments`,
      app =>
        app.status?.sync?.revision === head &&
        app.status.sync.status === 'OutOfSync',
    );
    await raw(cluster, 'PATCH', `${applications}/payments`, {
      contentType: 'application/merge-patch+json',
      body: {
        operation: { sync: {}, initiatedBy: { username: 'alice' } },
      },
    });
    const synced = await until(
      `${applications}/payments`,
      app =>
        app.status?.operationState?.syncResult?.revision === head &&
        app.status.operationState.phase === 'Succeeded',
    );
    expect(synced.status.sync.status).toBe('OutOfSync');
    expect(synced.status.operationState.syncResult.resources).toContainEqual(
      expect.objectContaining({
        kind: 'Service',
        status: 'PruneSkipped',
        message: 'ignored (requires pruning)',
      }),
    );
    expect((await raw(cluster, 'GET', service)).status).toBe(200);
  });

  it('reports tracked live objects as its resources without a manifest reader', async () => {
    await cluster.standIn.stop();
    cluster = await startTestCluster({
      controllers: { crossplane: false, workloads: true, delayMs: 30 },
    });
    await raw(cluster, 'POST', '/api/v1/namespaces', {
      body: { metadata: { name: 'argocd' } },
    });
    await raw(cluster, 'POST', '/api/v1/namespaces', {
      body: { metadata: { name: 'web' } },
    });
    await raw(cluster, 'POST', applications, {
      body: application('web', true),
    });
    await raw(cluster, 'POST', '/apis/apps/v1/namespaces/web/deployments', {
      body: {
        metadata: {
          name: 'web',
          labels: { 'app.kubernetes.io/instance': 'web' },
        },
        spec: {
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: {
              containers: [{ name: 'web', image: 'ghcr.io/acme/web:9f8e7d6' }],
            },
          },
        },
      },
    });
    const app = await until(
      `${applications}/web`,
      a =>
        a.status?.sync?.status === 'Synced' &&
        a.status?.resources?.[0]?.health?.status === 'Healthy',
    );
    expect(app.status.resources).toEqual([
      {
        group: 'apps',
        version: 'v1',
        kind: 'Deployment',
        namespace: 'web',
        name: 'web',
        status: 'Synced',
        health: { status: 'Healthy' },
      },
    ]);
    expect(app.status.summary).toEqual({
      images: ['ghcr.io/acme/web:9f8e7d6'],
    });
    // The Pods carry no tracking label of their own, so they are no managed resources.
    expect(app.status.health).toEqual({ status: 'Healthy' });
  });
});
