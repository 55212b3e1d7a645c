/*
 * The stand-in as @kubernetes/client-node sees it: the generated API
 * clients and an informer, over real HTTP.
 */
import {
  ADD,
  ApiException,
  ApiextensionsV1Api,
  CONNECT,
  DELETE,
  KubernetesObject,
  PatchStrategy,
  UPDATE,
  makeInformer,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { TestCluster, startTestCluster } from './__testUtils__/standIn';

const argo = {
  group: 'argoproj.io',
  version: 'v1alpha1',
  plural: 'applications',
};

function application(name: string, labels: Record<string, string> = {}) {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, labels },
    spec: {
      project: 'default',
      source: {
        repoURL: 'https://git.example.com/paved/deploy.git',
        path: `apps/${name}`,
        targetRevision: 'HEAD',
      },
      destination: {
        server: 'https://kubernetes.default.svc',
        namespace: name,
      },
    },
  };
}

/** Runs `action` and returns the ApiException it must fail with. */
async function failure(
  action: () => Promise<unknown>,
): Promise<ApiException<string>> {
  try {
    await action();
  } catch (error) {
    if (error instanceof ApiException) {
      return error as ApiException<string>;
    }
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('@kubernetes/client-node against the stand-in', () => {
  let cluster: TestCluster;

  beforeEach(async () => {
    cluster = await startTestCluster();
    await cluster.core.createNamespace({
      body: { metadata: { name: 'argocd' } },
    });
  });

  afterEach(() => cluster.standIn.stop());

  it('manages namespaces, secrets and configmaps with CoreV1Api', async () => {
    const { core } = cluster;
    const namespaces = await core.listNamespace();
    expect(namespaces.items.map(ns => ns.metadata?.name)).toEqual(
      expect.arrayContaining(['argocd', 'default', 'kube-system']),
    );
    const argocd = await core.readNamespace({ name: 'argocd' });
    expect(argocd.status?.phase).toBe('Active');
    expect(argocd.metadata?.labels?.['kubernetes.io/metadata.name']).toBe(
      'argocd',
    );

    const secret = await core.createNamespacedSecret({
      namespace: 'argocd',
      body: {
        metadata: { name: 'repo-creds' },
        stringData: { password: 's3cret' },
      },
    });
    expect(secret.type).toBe('Opaque');
    expect(secret.data?.password).toBe(
      Buffer.from('s3cret').toString('base64'),
    );
    expect(secret.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);

    await core.createNamespacedConfigMap({
      namespace: 'argocd',
      body: {
        metadata: { name: 'argocd-cm', labels: { part: 'argocd' } },
        data: { url: 'x' },
      },
    });
    await core.createNamespacedConfigMap({
      namespace: 'argocd',
      body: { metadata: { name: 'other', labels: { part: 'other' } } },
    });
    const selected = await core.listNamespacedConfigMap({
      namespace: 'argocd',
      labelSelector: 'part in (argocd)',
    });
    expect(selected.items.map(cm => cm.metadata?.name)).toEqual(['argocd-cm']);
    expect(Number(selected.metadata?.resourceVersion)).toBeGreaterThan(0);
    expect(
      (
        await core.readNamespacedConfigMap({
          name: 'argocd-cm',
          namespace: 'argocd',
        })
      ).data,
    ).toEqual({ url: 'x' });

    const deleted = await core.deleteNamespacedConfigMap({
      name: 'argocd-cm',
      namespace: 'argocd',
    });
    expect(deleted.status).toBe('Success');
    const gone = await failure(() =>
      core.readNamespacedConfigMap({ name: 'argocd-cm', namespace: 'argocd' }),
    );
    expect(gone.code).toBe(404);
    expect(JSON.parse(gone.body)).toMatchObject({
      reason: 'NotFound',
      message: 'configmaps "argocd-cm" not found',
    });

    const duplicate = await failure(() =>
      core.createNamespacedSecret({
        namespace: 'argocd',
        body: { metadata: { name: 'repo-creds' } },
      }),
    );
    expect(duplicate.code).toBe(409);
    expect(JSON.parse(duplicate.body)).toMatchObject({
      reason: 'AlreadyExists',
      message: 'secrets "repo-creds" already exists',
    });
  });

  it('creates, lists, patches, replaces and deletes Applications with CustomObjectsApi', async () => {
    const { custom } = cluster;
    const created = await custom.createNamespacedCustomObject({
      ...argo,
      namespace: 'argocd',
      body: application('payments', { team: 'payments' }),
    });
    expect(created.metadata).toMatchObject({
      name: 'payments',
      namespace: 'argocd',
      generation: 1,
    });
    await custom.createNamespacedCustomObject({
      ...argo,
      namespace: 'argocd',
      body: application('search', { team: 'search' }),
    });

    const list = await custom.listNamespacedCustomObject({
      ...argo,
      namespace: 'argocd',
      labelSelector: 'team!=search',
    });
    expect(list.kind).toBe('ApplicationList');
    expect(
      list.items.map((item: KubernetesObject) => item.metadata?.name),
    ).toEqual(['payments']);

    const merged = await custom.patchNamespacedCustomObject(
      {
        ...argo,
        namespace: 'argocd',
        name: 'payments',
        body: { spec: { source: { targetRevision: 'v2' } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(merged.spec.source).toMatchObject({
      targetRevision: 'v2',
      path: 'apps/payments',
    });
    expect(merged.metadata.generation).toBe(2);

    const jsonPatched = await custom.patchNamespacedCustomObject(
      {
        ...argo,
        namespace: 'argocd',
        name: 'payments',
        body: [
          { op: 'test', path: '/spec/source/targetRevision', value: 'v2' },
          { op: 'add', path: '/metadata/labels/tier', value: 'gold' },
        ],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    expect(jsonPatched.metadata.labels).toEqual({
      team: 'payments',
      tier: 'gold',
    });
    expect(jsonPatched.metadata.generation).toBe(2);

    const stale = await failure(() =>
      custom.replaceNamespacedCustomObject({
        ...argo,
        namespace: 'argocd',
        name: 'payments',
        body: { ...created, spec: { ...created.spec, project: 'other' } },
      }),
    );
    expect(stale.code).toBe(409);
    expect(JSON.parse(stale.body)).toMatchObject({
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on applications.argoproj.io "payments": the object has been modified; please apply your changes to the latest version and try again',
    });

    const replaced = await custom.replaceNamespacedCustomObject({
      ...argo,
      namespace: 'argocd',
      name: 'payments',
      body: { ...jsonPatched, spec: { ...jsonPatched.spec, project: 'other' } },
    });
    expect(replaced.spec.project).toBe('other');
    expect(Number(replaced.metadata.resourceVersion)).toBeGreaterThan(
      Number(jsonPatched.metadata.resourceVersion),
    );

    await custom.deleteNamespacedCustomObject({
      ...argo,
      namespace: 'argocd',
      name: 'payments',
    });
    const gone = await failure(() =>
      custom.getNamespacedCustomObject({
        ...argo,
        namespace: 'argocd',
        name: 'payments',
      }),
    );
    expect(gone.code).toBe(404);
    expect(JSON.parse(gone.body).message).toBe(
      'applications.argoproj.io "payments" not found',
    );
  });

  it('serves a CRD created over the API, status subresource included', async () => {
    const widgets = {
      group: 'example.paved.dev',
      version: 'v1',
      plural: 'widgets',
    };
    await cluster.kubeConfig
      .makeApiClient(ApiextensionsV1Api)
      .createCustomResourceDefinition({
        body: {
          metadata: { name: 'widgets.example.paved.dev' },
          spec: {
            group: 'example.paved.dev',
            scope: 'Namespaced',
            names: {
              plural: 'widgets',
              singular: 'widget',
              kind: 'Widget',
              listKind: 'WidgetList',
            },
            versions: [
              {
                name: 'v1',
                served: true,
                storage: true,
                subresources: { status: {} },
                schema: {
                  openAPIV3Schema: {
                    type: 'object',
                    properties: {
                      spec: {
                        type: 'object',
                        properties: { size: { type: 'integer' } },
                      },
                      status: {
                        type: 'object',
                        properties: { ready: { type: 'boolean' } },
                      },
                    },
                  },
                },
              },
            ],
          },
        },
      });
    const groups = await cluster.apis.getAPIVersions();
    expect(groups.groups.map(g => g.name)).toEqual(
      expect.arrayContaining([
        'argoproj.io',
        'apiextensions.crossplane.io',
        'example.paved.dev',
      ]),
    );

    const { custom } = cluster;
    const created = await custom.createNamespacedCustomObject({
      ...widgets,
      namespace: 'argocd',
      body: {
        apiVersion: 'example.paved.dev/v1',
        kind: 'Widget',
        metadata: { name: 'w' },
        spec: { size: 1 },
        status: { ready: true },
      },
    });
    expect(created.status).toBeUndefined();

    const withStatus = await custom.patchNamespacedCustomObjectStatus(
      {
        ...widgets,
        namespace: 'argocd',
        name: 'w',
        body: { status: { ready: true }, spec: { size: 5 } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(withStatus.status).toEqual({ ready: true });
    expect(withStatus.spec).toEqual({ size: 1 });
    expect(withStatus.metadata.generation).toBe(1);

    const mainUpdate = await custom.replaceNamespacedCustomObject({
      ...widgets,
      namespace: 'argocd',
      name: 'w',
      body: { ...withStatus, spec: { size: 2 }, status: { ready: false } },
    });
    expect(mainUpdate.status).toEqual({ ready: true });
    expect(mainUpdate.spec).toEqual({ size: 2 });
    expect(mainUpdate.metadata.generation).toBe(2);

    const statusRead = await custom.getNamespacedCustomObjectStatus({
      ...widgets,
      namespace: 'argocd',
      name: 'w',
    });
    expect(statusRead.status).toEqual({ ready: true });
  });

  it('keeps an informer in sync, including after a 410 Expired forces a relist', async () => {
    const { custom } = cluster;
    const listCalls: number[] = [];
    const informer = makeInformer(
      cluster.kubeConfig,
      '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications',
      () => {
        listCalls.push(Date.now());
        return custom.listNamespacedCustomObject({
          ...argo,
          namespace: 'argocd',
        });
      },
    );
    const seen: string[] = [];
    const waiters: Array<{ entry: string; resolve: () => void }> = [];
    const record = (verb: string) => (object: KubernetesObject) => {
      const entry = `${verb} ${object.metadata?.name}`;
      seen.push(entry);
      waiters.filter(w => w.entry === entry).forEach(w => w.resolve());
    };
    const waitFor = (entry: string) =>
      seen.includes(entry)
        ? Promise.resolve()
        : new Promise<void>(resolve => waiters.push({ entry, resolve }));
    informer.on(ADD, record('add'));
    informer.on(UPDATE, record('update'));
    informer.on(DELETE, record('delete'));

    await custom.createNamespacedCustomObject({
      ...argo,
      namespace: 'argocd',
      body: application('before'),
    });
    await informer.start();
    try {
      await waitFor('add before');

      await custom.createNamespacedCustomObject({
        ...argo,
        namespace: 'argocd',
        body: application('payments'),
      });
      await waitFor('add payments');
      await custom.patchNamespacedCustomObject(
        {
          ...argo,
          namespace: 'argocd',
          name: 'payments',
          body: { metadata: { labels: { synced: 'yes' } } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      await waitFor('update payments');
      await custom.deleteNamespacedCustomObject({
        ...argo,
        namespace: 'argocd',
        name: 'payments',
      });
      await waitFor('delete payments');
      expect(informer.get('payments', 'argocd')).toBeUndefined();
      expect(listCalls).toHaveLength(1);

      const reconnected = new Promise<void>(resolve =>
        informer.on(CONNECT, () => resolve()),
      );
      cluster.standIn.expireWatches();
      await reconnected;
      await custom.createNamespacedCustomObject({
        ...argo,
        namespace: 'argocd',
        body: application('after'),
      });
      await waitFor('add after');
      expect(listCalls).toHaveLength(2);
      expect(
        informer
          .list('argocd')
          .map(o => o.metadata?.name)
          .sort(),
      ).toEqual(['after', 'before']);
    } finally {
      await informer.stop();
    }
  });
});
