/*
 * Workloads as Backstage's Kubernetes tab reads them: every type it lists
 * is served, and a Deployment turns into a ReplicaSet and Running Pods with
 * the statuses and metrics the tab shows.
 */
import { AppsV1Api, V1Deployment } from '@kubernetes/client-node';
import {
  TestCluster,
  nextMatching,
  openWatch,
  raw,
  startTestCluster,
} from './__testUtils__/standIn';

// What @backstage/plugin-kubernetes-backend's DEFAULT_OBJECTS lists for an entity, plus pod metrics.
const BACKSTAGE_OBJECT_PATHS = [
  '/api/v1/namespaces/shop/pods',
  '/api/v1/namespaces/shop/services',
  '/api/v1/namespaces/shop/configmaps',
  '/api/v1/namespaces/shop/limitranges',
  '/api/v1/namespaces/shop/resourcequotas',
  '/apis/apps/v1/namespaces/shop/deployments',
  '/apis/apps/v1/namespaces/shop/replicasets',
  '/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers',
  '/apis/batch/v1/namespaces/shop/jobs',
  '/apis/batch/v1/namespaces/shop/cronjobs',
  '/apis/networking.k8s.io/v1/namespaces/shop/ingresses',
  '/apis/apps/v1/namespaces/shop/statefulsets',
  '/apis/apps/v1/namespaces/shop/daemonsets',
  '/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods',
];

const SELECTOR = 'backstage.io/kubernetes-id=cart';

function deployment(image: string, replicas: number): V1Deployment {
  const labels = { app: 'cart', 'backstage.io/kubernetes-id': 'cart' };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'cart', labels },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'cart' } },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: 'cart',
              image,
              resources: { requests: { cpu: '100m', memory: '128Mi' } },
            },
          ],
        },
      },
    },
  };
}

async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const value = await read();
    if (done(value)) {
      return value;
    }
    if (attempt === 100) {
      throw new Error(`never got there: ${JSON.stringify(value)}`);
    }
    await new Promise(resolve => setTimeout(resolve, 20));
  }
}

describe('workloads', () => {
  let cluster: TestCluster;
  let apps: AppsV1Api;
  const list = async (path: string) =>
    (
      await raw(
        cluster,
        'GET',
        `${path}?labelSelector=${encodeURIComponent(SELECTOR)}`,
      )
    ).body;

  beforeEach(async () => {
    cluster = await startTestCluster({
      controllers: {
        crossplane: false,
        argoCd: false,
        workloads: true,
        delayMs: 50,
      },
    });
    apps = cluster.kubeConfig.makeApiClient(AppsV1Api);
    await cluster.core.createNamespace({
      body: { metadata: { name: 'shop' } },
    });
  });

  afterEach(() => cluster.standIn.stop());

  it('serves every type Backstage lists for an entity, by label selector', async () => {
    for (const path of BACKSTAGE_OBJECT_PATHS) {
      const answer = await raw(
        cluster,
        'GET',
        `${path}?labelSelector=${encodeURIComponent(SELECTOR)}`,
      );
      expect({ path, status: answer.status, items: answer.body.items }).toEqual(
        { path, status: 200, items: [] },
      );
    }
    const groups = (await raw(cluster, 'GET', '/apis')).body.groups.map(
      (g: any) => g.preferredVersion.groupVersion,
    );
    expect(groups).toEqual(
      expect.arrayContaining([
        'apps/v1',
        'autoscaling/v2',
        'batch/v1',
        'networking.k8s.io/v1',
        'metrics.k8s.io/v1beta1',
      ]),
    );
    // Built-in groups come before CRD groups, as on a real apiserver.
    expect(groups.indexOf('apps/v1')).toBeLessThan(
      groups.indexOf('argoproj.io/v1alpha1'),
    );
    const core = (await raw(cluster, 'GET', '/api/v1')).body.resources;
    expect(core).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'pods',
          shortNames: ['po'],
          categories: ['all'],
        }),
        {
          name: 'pods/status',
          singularName: '',
          namespaced: true,
          kind: 'Pod',
          verbs: ['get', 'patch', 'update'],
        },
      ]),
    );
    const metrics = (await raw(cluster, 'GET', '/apis/metrics.k8s.io/v1beta1'))
      .body.resources;
    expect(metrics).toEqual([
      expect.objectContaining({
        name: 'pods',
        kind: 'PodMetrics',
        verbs: ['get', 'list'],
      }),
    ]);
    // metrics-server answers neither watches nor writes.
    expect(
      (
        await raw(
          cluster,
          'GET',
          '/apis/metrics.k8s.io/v1beta1/pods?watch=true',
        )
      ).status,
    ).toBe(405);
    expect(
      (
        await raw(
          cluster,
          'POST',
          '/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods',
          {
            body: { metadata: { name: 'x' } },
          },
        )
      ).status,
    ).toBe(405);
  });

  it('reads back resource quantities written as YAML numbers as strings, as the apiserver does', async () => {
    const body = deployment('ghcr.io/acme/cart:1.0.0', 1) as any;
    body.spec.template.spec.containers[0].resources.limits = {
      cpu: 1,
      memory: '512Mi',
    };
    const created = await raw(
      cluster,
      'POST',
      '/apis/apps/v1/namespaces/shop/deployments',
      { body },
    );
    expect(created.status).toBe(201);
    expect(
      created.body.spec.template.spec.containers[0].resources.limits,
    ).toEqual({ cpu: '1', memory: '512Mi' });
  });

  it('runs a Deployment as a ReplicaSet of Running, ready Pods with metrics', async () => {
    const created = await apps.createNamespacedDeployment({
      namespace: 'shop',
      body: deployment('ghcr.io/acme/cart:1a2b3c4', 2),
    });
    // The apiserver's defaults, and no status until the controller writes one.
    expect(created.spec?.strategy?.type).toBe('RollingUpdate');
    expect(created.metadata?.generation).toBe(1);
    expect(created.status).toBeUndefined();

    const available = await eventually(
      () => apps.readNamespacedDeployment({ name: 'cart', namespace: 'shop' }),
      d => d.status?.availableReplicas === 2,
    );
    expect(available.status).toMatchObject({
      observedGeneration: 1,
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
    });
    expect(
      available.status?.conditions?.map(c => [c.type, c.status, c.reason]),
    ).toEqual([
      ['Available', 'True', 'MinimumReplicasAvailable'],
      ['Progressing', 'True', 'NewReplicaSetAvailable'],
    ]);

    const [replicaSet] = (
      await list('/apis/apps/v1/namespaces/shop/replicasets')
    ).items;
    const hash = replicaSet.metadata.labels['pod-template-hash'];
    expect(replicaSet.metadata.name).toBe(`cart-${hash}`);
    expect(replicaSet.metadata.ownerReferences).toEqual([
      expect.objectContaining({
        kind: 'Deployment',
        name: 'cart',
        uid: available.metadata?.uid,
        controller: true,
      }),
    ]);
    expect(replicaSet.status).toMatchObject({
      replicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
    });

    const pods = (await list('/api/v1/namespaces/shop/pods')).items;
    expect(pods).toHaveLength(2);
    for (const pod of pods) {
      expect(pod.metadata.name).toMatch(
        new RegExp(`^cart-${hash}-[a-z0-9]{5}$`),
      );
      expect(pod.metadata.ownerReferences[0]).toMatchObject({
        kind: 'ReplicaSet',
        uid: replicaSet.metadata.uid,
      });
      expect(pod.spec.nodeName).toBe('sandbox-node-1');
      expect(pod.status.phase).toBe('Running');
      expect(pod.status.podIP).toMatch(/^10\.244\./);
      expect(pod.status.containerStatuses).toEqual([
        expect.objectContaining({
          name: 'cart',
          image: 'ghcr.io/acme/cart:1a2b3c4',
          ready: true,
          restartCount: 0,
          state: { running: { startedAt: expect.stringMatching(/Z$/) } },
        }),
      ]);
      expect(
        pod.status.conditions.find((c: any) => c.type === 'Ready').status,
      ).toBe('True');
    }

    const metrics = await eventually(
      () => list('/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods'),
      m => m.items.length === 2,
    );
    expect(metrics.kind).toBe('PodMetricsList');
    expect(metrics.items.map((m: any) => m.metadata.name).sort()).toEqual(
      pods.map((p: any) => p.metadata.name).sort(),
    );
    expect(metrics.items[0].containers).toEqual([
      {
        name: 'cart',
        usage: {
          cpu: expect.stringMatching(/^\d+n$/),
          memory: expect.stringMatching(/^\d+Ki$/),
        },
      },
    ]);
  });

  it('rolls out a new image to a new ReplicaSet and retires the old one', async () => {
    await apps.createNamespacedDeployment({
      namespace: 'shop',
      body: deployment('ghcr.io/acme/cart:1a2b3c4', 1),
    });
    await eventually(
      () => apps.readNamespacedDeployment({ name: 'cart', namespace: 'shop' }),
      d => d.status?.availableReplicas === 1,
    );
    const watch = openWatch(cluster, '/api/v1/namespaces/shop/pods?watch=true');
    await raw(
      cluster,
      'PATCH',
      '/apis/apps/v1/namespaces/shop/deployments/cart',
      {
        contentType: 'application/json-patch+json',
        body: [
          {
            op: 'replace',
            path: '/spec/template/spec/containers/0/image',
            value: 'ghcr.io/acme/cart:5d6e7f8',
          },
        ],
      },
    );
    // The new Pod runs before the old one goes.
    const newRunning = await nextMatching(
      watch,
      e =>
        e.object.status.phase === 'Running' &&
        e.object.spec.containers[0].image.endsWith(':5d6e7f8'),
    );
    const oldDeleted = await nextMatching(watch, e => e.type === 'DELETED');
    watch.close();
    expect(oldDeleted.object.spec.containers[0].image).toBe(
      'ghcr.io/acme/cart:1a2b3c4',
    );

    const rolledOut = await eventually(
      () => apps.readNamespacedDeployment({ name: 'cart', namespace: 'shop' }),
      d =>
        d.status?.replicas === 1 &&
        d.status?.conditions?.[1]?.reason === 'NewReplicaSetAvailable',
    );
    expect(rolledOut.metadata?.generation).toBe(2);
    expect(
      rolledOut.metadata?.annotations?.['deployment.kubernetes.io/revision'],
    ).toBe('2');
    expect(rolledOut.status).toMatchObject({
      observedGeneration: 2,
      replicas: 1,
      updatedReplicas: 1,
      availableReplicas: 1,
    });
    const replicaSets = (
      await list('/apis/apps/v1/namespaces/shop/replicasets')
    ).items.map((rs: any) => [
      rs.metadata.annotations['deployment.kubernetes.io/revision'],
      rs.spec.replicas,
    ]);
    expect(replicaSets.sort()).toEqual([
      ['1', 0],
      ['2', 1],
    ]);
    const pods = (await list('/api/v1/namespaces/shop/pods')).items;
    expect(pods.map((p: any) => p.metadata.name)).toEqual([
      newRunning.object.metadata.name,
    ]);

    // Deleting the Deployment takes its ReplicaSets, Pods and their metrics along.
    await apps.deleteNamespacedDeployment({ name: 'cart', namespace: 'shop' });
    const gone = await eventually(
      async () => [
        ...(await list('/apis/apps/v1/namespaces/shop/replicasets')).items,
        ...(await list('/api/v1/namespaces/shop/pods')).items,
        ...(
          await list('/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods')
        ).items,
      ],
      items => items.length === 0,
    );
    expect(gone).toEqual([]);
  });

  it('gives a Service a cluster IP and keeps status writes to /status', async () => {
    const created = await cluster.core.createNamespacedService({
      namespace: 'shop',
      body: {
        metadata: { name: 'cart', labels: { app: 'cart' } },
        spec: { selector: { app: 'cart' }, ports: [{ port: 80 }] },
        status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } },
      },
    });
    expect(created.spec).toMatchObject({
      type: 'ClusterIP',
      clusterIP: expect.stringMatching(/^10\.96\./),
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
    });
    expect(created.status).toEqual({ loadBalancer: {} });
    const other = await cluster.core.createNamespacedService({
      namespace: 'shop',
      body: { metadata: { name: 'other' }, spec: { ports: [{ port: 80 }] } },
    });
    expect(other.spec?.clusterIP).not.toBe(created.spec?.clusterIP);
  });
});
