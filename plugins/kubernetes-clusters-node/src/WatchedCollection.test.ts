/*
 * WatchedCollection against the Kubernetes stand-in over HTTPS: list, watch, 410 relist, version
 * fallback, errors and stop, as ArgoApplicationCache and OfferingCache rely on them.
 */
import { mockServices } from '@backstage/backend-test-utils';
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import {
  KubernetesStandIn,
  standInKubeConfig,
  startKubernetesStandIn,
} from '@paved/sandbox';
import { WatchedCollection, WatchedObject } from './WatchedCollection';

const TOKEN = 'watched-collection-test-token';
const NAMESPACE = 'argocd';
const applications = {
  group: 'argoproj.io',
  version: 'v1alpha1',
  plural: 'applications',
};

interface Application extends WatchedObject {
  metadata: {
    name: string;
    namespace: string;
    resourceVersion: string;
    labels?: Record<string, string>;
  };
}

interface Item {
  key: string;
  team?: string;
  apiVersion: string;
}

/** Polls `check` until it stops throwing, then fails with its last error after `timeoutMs`. */
async function eventually(check: () => void, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw error;
      }
      await new Promise(resolve => setTimeout(resolve, 20));
    }
  }
}

// Longer than eventually() waits, so a failing poll reports its assertion rather than a timeout.
jest.setTimeout(15_000);

describe('WatchedCollection', () => {
  let standIn: KubernetesStandIn;
  let kubeConfig: KubeConfig;
  let api: CustomObjectsApi;
  const collections: WatchedCollection<unknown, any>[] = [];

  beforeEach(async () => {
    // No controllers: nothing but the test changes the Applications and their resourceVersions.
    standIn = await startKubernetesStandIn({
      clusterName: 'test',
      token: TOKEN,
      port: 0,
      controllers: { argoCd: false, crossplane: false, workloads: false },
    });
    kubeConfig = standInKubeConfig(standIn, TOKEN);
    api = kubeConfig.makeApiClient(CustomObjectsApi);
    await kubeConfig
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: NAMESPACE } } });
  });

  afterEach(async () => {
    collections.splice(0).forEach(collection => collection.stop());
    await standIn.stop();
  });

  function createApplication(
    name: string,
    labels: Record<string, string> = {},
  ) {
    return api.createNamespacedCustomObject({
      ...applications,
      namespace: NAMESPACE,
      body: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: { name, labels },
        spec: {
          project: 'default',
          source: {
            repoURL: 'https://git.example.com/acme/deploy.git',
            path: name,
            targetRevision: 'main',
          },
          destination: {
            server: 'https://kubernetes.default.svc',
            namespace: name,
          },
        },
      },
    });
  }

  function labelApplication(name: string, labels: Record<string, string>) {
    return api.patchNamespacedCustomObject(
      {
        ...applications,
        namespace: NAMESPACE,
        name,
        body: { metadata: { labels } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  function deleteApplication(name: string) {
    return api.deleteNamespacedCustomObject({
      ...applications,
      namespace: NAMESPACE,
      name,
    });
  }

  function watchApplications(
    options: {
      kubeConfig?: KubeConfig;
      versions?: string[];
      describeError?: (error: unknown) => string;
    } = {},
  ) {
    const calls = { toItem: 0, onChange: 0, forgotten: [] as string[] };
    const collection = new WatchedCollection<Item, Application>({
      kubeConfig: options.kubeConfig ?? kubeConfig,
      resource: {
        group: applications.group,
        versions: options.versions ?? [applications.version],
        plural: applications.plural,
        namespace: NAMESPACE,
      },
      toItem: (application, apiVersion) => {
        calls.toItem += 1;
        return {
          key: `${application.metadata.namespace}/${application.metadata.name}`,
          team: application.metadata.labels?.team,
          apiVersion,
        };
      },
      describeError: options.describeError ?? (error => String(error)),
      logger: mockServices.logger.mock(),
      onChange: () => {
        calls.onChange += 1;
      },
      onForget: item => {
        calls.forgotten.push(item.key);
      },
    });
    collections.push(collection);
    collection.start();
    return { collection, calls };
  }

  const keys = (collection: WatchedCollection<Item, Application>) =>
    [...collection.values()].map(item => item.key).sort();

  /** Waits until the collection has listed and its watch is open on the stand-in. */
  async function warmUp(collection: WatchedCollection<Item, Application>) {
    await eventually(() => {
      expect(collection.status).toBe('ready');
      expect(standIn.requests().byVerb.watch).toBeGreaterThanOrEqual(1);
    });
  }

  it('lists the existing objects and keys them by namespace and name', async () => {
    await createApplication('payments', { team: 'money' });
    await createApplication('search');

    const { collection } = watchApplications();
    expect(collection.status).toBe('loading');
    await eventually(() => expect(collection.status).toBe('ready'));

    expect(collection.error).toBeUndefined();
    expect(collection.servedVersion).toBe('v1alpha1');
    expect(collection.lastContactAt).toBeInstanceOf(Date);
    expect(collection.size).toBe(2);
    expect(keys(collection)).toEqual(['argocd/payments', 'argocd/search']);
    expect(collection.get('payments', NAMESPACE)).toEqual({
      key: 'argocd/payments',
      team: 'money',
      apiVersion: 'argoproj.io/v1alpha1',
    });
    expect(collection.get('payments')).toBeUndefined();
    expect(collection.get('payments', 'other')).toBeUndefined();
  });

  it('follows objects created, modified and deleted after the list', async () => {
    await createApplication('payments');
    const { collection, calls } = watchApplications();
    await warmUp(collection);
    const changesAfterList = calls.onChange;

    await createApplication('search');
    await eventually(() =>
      expect(keys(collection)).toEqual(['argocd/payments', 'argocd/search']),
    );
    expect(calls.onChange).toBe(changesAfterList + 1);

    await labelApplication('payments', { team: 'money' });
    await eventually(() =>
      expect(collection.get('payments', NAMESPACE)?.team).toBe('money'),
    );
    expect(calls.onChange).toBe(changesAfterList + 2);

    await deleteApplication('search');
    await eventually(() =>
      expect(keys(collection)).toEqual(['argocd/payments']),
    );
    expect(calls.onChange).toBe(changesAfterList + 3);
    expect(collection.get('search', NAMESPACE)).toBeUndefined();
    // The last item kept for the deleted object, for callers that index their items.
    expect(calls.forgotten).toEqual(['argocd/search']);
  });

  it('lists again after a 410 and neither calls toItem nor onChange for unchanged objects', async () => {
    await createApplication('payments');
    await createApplication('search');
    const { collection, calls } = watchApplications();
    await warmUp(collection);
    const before = { ...calls };

    standIn.resetRequestCounts();
    standIn.expireWatches();
    // The next watch opens only after the list that follows the 410 was taken in.
    await eventually(() => {
      expect(standIn.requests().byVerb.list).toBe(1);
      expect(standIn.requests().byVerb.watch).toBe(1);
    });

    expect(collection.status).toBe('ready');
    expect(keys(collection)).toEqual(['argocd/payments', 'argocd/search']);
    expect(calls).toEqual(before);
  });

  it('converges after a 410 on objects changed while the watch was expired', async () => {
    await createApplication('payments');
    await createApplication('search');
    const { collection } = watchApplications();
    await warmUp(collection);

    standIn.resetRequestCounts();
    standIn.expireWatches();
    await createApplication('billing', { team: 'money' });
    await deleteApplication('search');

    await eventually(() => {
      expect(keys(collection)).toEqual(['argocd/billing', 'argocd/payments']);
      expect(standIn.requests().byVerb.list).toBeGreaterThanOrEqual(1);
    });
    expect(collection.status).toBe('ready');
    expect(collection.get('billing', NAMESPACE)?.team).toBe('money');

    // The collection is watching again, not only relisted once.
    await createApplication('after-expiry');
    await eventually(() =>
      expect(collection.get('after-expiry', NAMESPACE)).toBeDefined(),
    );
  });

  it('forgets on a relist the objects whose deletion it never saw', async () => {
    await createApplication('payments');
    await createApplication('search');
    const { collection, calls } = watchApplications();
    await warmUp(collection);
    const changes = calls.onChange;

    // The same address and CA, but a fresh store: 'search' is gone without a DELETE event.
    const port = Number(new URL(standIn.url).port);
    const tls = standIn.tls;
    await standIn.stop();
    standIn = await startKubernetesStandIn({
      clusterName: 'test',
      token: TOKEN,
      port,
      tls,
      controllers: { argoCd: false, crossplane: false, workloads: false },
    });
    await kubeConfig
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: NAMESPACE } } });
    await createApplication('payments');
    await eventually(() => expect(standIn.requests().byVerb.watch).toBe(1));

    standIn.expireWatches();
    await eventually(() =>
      expect(keys(collection)).toEqual(['argocd/payments']),
    );
    expect(standIn.requests().byVerb.list).toBeGreaterThanOrEqual(1);
    expect(collection.status).toBe('ready');
    expect(calls.onChange).toBeGreaterThan(changes);
    expect(calls.forgotten).toEqual(['argocd/search']);
  });

  it('falls back to the next version when the first is not served', async () => {
    await createApplication('payments');
    const { collection } = watchApplications({
      versions: ['v1', 'v1alpha1'],
    });
    await warmUp(collection);

    expect(collection.servedVersion).toBe('v1alpha1');
    expect(collection.error).toBeUndefined();
    expect(collection.get('payments', NAMESPACE)?.apiVersion).toBe(
      'argoproj.io/v1alpha1',
    );
    // The watch runs on the served version too.
    await createApplication('search');
    await eventually(() =>
      expect(collection.get('search', NAMESPACE)).toBeDefined(),
    );
  });

  it('reports an error with the caller’s text when no version is served', async () => {
    const { collection } = watchApplications({
      versions: ['v1', 'v2'],
      describeError: error =>
        `test cluster answered ${(error as { code?: unknown }).code}`,
    });
    await eventually(() => expect(collection.status).toBe('error'));
    expect(collection.error).toBe('test cluster answered 404');
    expect(collection.size).toBe(0);
  });

  it('reports an unreachable cluster through describeError and keeps no items', async () => {
    const unreachable = new KubeConfig();
    unreachable.loadFromOptions({
      clusters: [
        { name: 'gone', server: 'https://127.0.0.1:1', caData: standIn.caData },
      ],
      users: [{ name: 'user', token: TOKEN }],
      contexts: [{ name: 'gone', cluster: 'gone', user: 'user' }],
      currentContext: 'gone',
    });
    const errors: unknown[] = [];
    const { collection, calls } = watchApplications({
      kubeConfig: unreachable,
      describeError: error => {
        errors.push(error);
        return 'cluster gone unreachable at https://127.0.0.1:1';
      },
    });

    await eventually(() => expect(collection.status).toBe('error'));
    expect(collection.error).toBe(
      'cluster gone unreachable at https://127.0.0.1:1',
    );
    expect(String(errors[0])).toMatch(/ECONNREFUSED/);
    expect(collection.size).toBe(0);
    expect([...collection.values()]).toEqual([]);
    expect(collection.lastContactAt).toBeUndefined();
    expect(calls.onChange).toBe(0);
  });

  it('keeps what it had when the cluster goes away', async () => {
    await createApplication('payments');
    const { collection } = watchApplications({
      describeError: () => 'test cluster unreachable',
    });
    await warmUp(collection);

    await standIn.stop();
    await eventually(() => expect(collection.status).toBe('error'));
    expect(collection.error).toBe('test cluster unreachable');
    expect(keys(collection)).toEqual(['argocd/payments']);
  });

  it('answers values() and get() without calling the cluster', async () => {
    await createApplication('payments');
    await createApplication('search');
    const { collection } = watchApplications();
    await warmUp(collection);

    standIn.resetRequestCounts();
    for (let i = 0; i < 100; i++) {
      expect(keys(collection)).toHaveLength(2);
      expect(collection.get('payments', NAMESPACE)).toBeDefined();
      expect(collection.get('missing', NAMESPACE)).toBeUndefined();
    }
    expect(standIn.requests()).toEqual({ total: 0, watches: 0, byVerb: {} });
  });

  it('stops watching when stopped', async () => {
    await createApplication('payments');
    const { collection: stopped, calls } = watchApplications();
    const { collection: running } = watchApplications();
    await eventually(() => {
      expect(stopped.status).toBe('ready');
      expect(running.status).toBe('ready');
      expect(standIn.requests().byVerb.watch).toBe(2);
    });
    const changes = calls.onChange;

    stopped.stop();
    await createApplication('search');
    // The running collection is told of it over the same kind of watch the stopped one had.
    await eventually(() =>
      expect(running.get('search', NAMESPACE)).toBeDefined(),
    );
    expect(stopped.get('search', NAMESPACE)).toBeUndefined();
    expect(keys(stopped)).toEqual(['argocd/payments']);
    expect(calls.onChange).toBe(changes);

    // A 410 makes a running collection list again; a stopped one stays silent.
    standIn.resetRequestCounts();
    standIn.expireWatches();
    await eventually(() => expect(standIn.requests().byVerb.watch).toBe(1));
    expect(standIn.requests().byVerb.list).toBe(1);
  });
});
