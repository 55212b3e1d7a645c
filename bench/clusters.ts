/*
 * The clusters side of the benches, run as a child process so the stand-ins' CPU and memory stay
 * out of the measured backend's process, as a real cluster's would. Starts three Kubernetes API
 * stand-ins (`dev`, `staging`, `prod`) with the controllers and namespaces the parent asks for
 * (`ClustersOptions`, JSON in argv[2]; by default every controller off) and answers the parent
 * over IPC:
 *   { type: 'create' }         -> { type: 'created', applications, jsonBytes }   (Argo CD bench)
 *   { type: 'resetCounts' }    -> { type: 'counts', counts }   (the counts before the reset)
 *   { type: 'counts' }         -> { type: 'counts', counts }
 *   { type: 'deleteAll' }      -> { type: 'deleted' }   (the Applications of 'create')
 *   { type: 'stop' }           -> exits
 * It announces itself with { type: 'ready', clusters, token }. `BenchClusters` is the parent's
 * handle on it.
 */
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import {
  ControllerOptions,
  KubernetesRequestCounts,
  KubernetesStandIn,
  StandInAddress,
  standInKubeConfig,
  startKubernetesStandIn,
} from '@paved/sandbox';
import { randomBytes } from 'node:crypto';
import { BenchApplication, benchApplications } from './argocdApplications';
import { inParallel } from './measure';
import { StandInProcess } from './standInProcess';

export const CLUSTER_NAMES = ['dev', 'staging', 'prod'];

/** What the parent asks of the clusters when it starts them. */
export interface ClustersOptions {
  /** The stand-ins' simulated controllers; all off unless named. */
  controllers?: Partial<ControllerOptions>;
  /** Namespaces created on every cluster before it reports ready. */
  namespaces?: string[];
}

export type ClustersMessage =
  | {
      type: 'ready';
      token: string;
      clusters: StandInAddress[];
    }
  | {
      type: 'created';
      applications: BenchApplication[];
      /** The Applications' size as JSON, to set the cache's memory against. */
      jsonBytes: number;
    }
  | { type: 'counts'; counts: Record<string, KubernetesRequestCounts> }
  | { type: 'deleted' };

export type ParentMessage =
  | { type: 'create' }
  | { type: 'resetCounts' }
  | { type: 'counts' }
  | { type: 'deleteAll' }
  | { type: 'stop' };

/** The parent's handle on the child process holding the three stand-in clusters. */
export type BenchClusters = StandInProcess<ClustersMessage, ParentMessage>;

export const BenchClusters = {
  async start(options: ClustersOptions = {}): Promise<{
    clusters: BenchClusters;
    access: StandInAddress[];
    token: string;
  }> {
    const { process: clusters, ready } = await StandInProcess.start<
      ClustersMessage,
      ParentMessage
    >(__filename, [JSON.stringify(options)], 'bench clusters');
    return { clusters, access: ready.clusters, token: ready.token };
  },
};

async function main(options: ClustersOptions) {
  const token = randomBytes(24).toString('hex');
  const clusters: KubernetesStandIn[] = [];
  for (const clusterName of CLUSTER_NAMES) {
    clusters.push(
      await startKubernetesStandIn({
        clusterName,
        token,
        tls: clusters[0]?.tls,
        controllers: {
          argoCd: false,
          crossplane: false,
          workloads: false,
          ...options.controllers,
        },
      }),
    );
  }
  const clientFor = (standIn: KubernetesStandIn) => {
    const kubeConfig = standInKubeConfig(standIn, token);
    return {
      core: kubeConfig.makeApiClient(CoreV1Api),
      custom: kubeConfig.makeApiClient(CustomObjectsApi),
    };
  };
  const clients = new Map(clusters.map(c => [c.clusterName, clientFor(c)]));
  for (const { core } of clients.values()) {
    for (const name of options.namespaces ?? []) {
      await core.createNamespace({ body: { metadata: { name } } });
    }
  }
  // The Argo CD bench's Applications, made when it asks for them; the same every time.
  let applications: ReturnType<typeof benchApplications> | undefined;
  const fixtures = () => (applications ??= benchApplications());
  const send = (message: ClustersMessage) => process.send!(message);
  const counts = () =>
    Object.fromEntries(clusters.map(c => [c.clusterName, c.requests()]));

  process.on('message', async (message: ParentMessage) => {
    switch (message.type) {
      case 'create': {
        for (const cluster of CLUSTER_NAMES) {
          const namespaces = new Set(
            fixtures()
              .filter(f => f.app.cluster === cluster)
              .map(f => f.app.namespace),
          );
          for (const name of namespaces) {
            await clients
              .get(cluster)!
              .core.createNamespace({ body: { metadata: { name } } });
          }
        }
        await inParallel(fixtures(), 16, ({ app, body }) =>
          clients.get(app.cluster)!.custom.createNamespacedCustomObject({
            group: 'argoproj.io',
            version: 'v1alpha1',
            plural: 'applications',
            namespace: app.namespace,
            body,
          }),
        );
        send({
          type: 'created',
          applications: fixtures().map(f => f.app),
          jsonBytes: fixtures().reduce(
            (sum, f) => sum + Buffer.byteLength(JSON.stringify(f.body)),
            0,
          ),
        });
        return;
      }
      case 'resetCounts': {
        const before = counts();
        clusters.forEach(c => c.resetRequestCounts());
        send({ type: 'counts', counts: before });
        return;
      }
      case 'counts':
        send({ type: 'counts', counts: counts() });
        return;
      case 'deleteAll':
        await inParallel(fixtures(), 16, ({ app }) =>
          clients.get(app.cluster)!.custom.deleteNamespacedCustomObject({
            group: 'argoproj.io',
            version: 'v1alpha1',
            plural: 'applications',
            namespace: app.namespace,
            name: app.name,
          }),
        );
        send({ type: 'deleted' });
        return;
      case 'stop':
        await Promise.all(clusters.map(c => c.stop()));
        process.exit(0);
        return;
      default:
        return;
    }
  });
  // Without the parent there is nobody to serve.
  process.on('disconnect', () => process.exit(0));
  send({
    type: 'ready',
    token,
    clusters: clusters.map(({ clusterName, url, caData }) => ({
      clusterName,
      url,
      caData,
    })),
  });
}

if (require.main === module) {
  main(JSON.parse(process.argv[2] ?? '{}') as ClustersOptions).catch(error => {
    process.stderr.write(`bench clusters failed: ${error.stack ?? error}\n`);
    process.exit(1);
  });
}
