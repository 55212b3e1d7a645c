/*
 * Kubernetes stand-ins with the simulated Crossplane controllers, serving the sandbox offerings,
 * for tests that follow a request from the form to its connection Secret over real HTTP.
 */
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
} from '@kubernetes/client-node';
import {
  standInClusterConfig,
  standInKubeConfig,
  startKubernetesStandIn,
} from '@paved/sandbox';
import { AddressInfo, Server, Socket, connect, createServer } from 'node:net';

const KUBERNETES_TOKEN = 'crossplane-requests-test-token';

/** A custom resource kind as `CustomObjectsApi` names it. */
export interface CustomKind {
  group: string;
  version: string;
  plural: string;
}

export interface TestCluster {
  /** Clients of the stand-in itself, which keep working while the plugin cannot reach it. */
  objects: CustomObjectsApi;
  core: CoreV1Api;
  /** The `kubernetes.clusterLocatorMethods[type=config].clusters[]` entry the plugin uses. */
  config: ReturnType<typeof standInClusterConfig>;
  /** The object, or undefined when the cluster has none of that name. */
  get(
    kind: CustomKind,
    namespace: string,
    name: string,
  ): Promise<any | undefined>;
  /** The objects of a kind in a namespace. */
  list(kind: CustomKind, namespace: string): Promise<any[]>;
  /** HTTP requests the stand-in served since it started or since {@link TestCluster.resetRequestCount}. */
  requestCount(): number;
  resetRequestCount(): void;
  /** Refuses the plugin's connections and drops open ones, as a cluster gone off the network. */
  disconnect(): Promise<void>;
  /** Accepts the plugin's connections again, at the same address. */
  reconnect(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A TCP relay on a fixed loopback port in front of a stand-in. TLS passes through untouched,
 * so the plugin sees the stand-in's certificate; closing the relay is an outage that keeps the
 * cluster's state, unlike restarting the stand-in.
 */
async function startRelay(target: URL) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;

  async function listen() {
    const relay = createServer(client => {
      const upstream = connect(Number(target.port), target.hostname);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      relay.once('error', reject);
      relay.listen(port, '127.0.0.1', resolve);
    });
    port = (relay.address() as AddressInfo).port;
    server = relay;
  }

  async function close() {
    const closing = server;
    server = undefined;
    sockets.forEach(socket => socket.destroy());
    if (closing) {
      await new Promise<void>(resolve => closing.close(() => resolve()));
    }
  }

  await listen();
  return { url: `https://127.0.0.1:${port}`, listen, close };
}

/**
 * Starts a stand-in cluster with the sandbox offerings and a namespace per team, whose
 * Crossplane controller provisions in `delayMs`. The plugin reaches it through a relay.
 */
export async function startCluster(
  name: string,
  options: { namespaces: string[]; delayMs?: number },
): Promise<TestCluster> {
  const standIn = await startKubernetesStandIn({
    clusterName: name,
    token: KUBERNETES_TOKEN,
    controllers: {
      crossplane: true,
      argoCd: false,
      workloads: false,
      delayMs: options.delayMs ?? 100,
    },
  });
  const kubeConfig = standInKubeConfig(standIn, KUBERNETES_TOKEN);
  const objects = kubeConfig.makeApiClient(CustomObjectsApi);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  for (const namespace of options.namespaces) {
    await core.createNamespace({ body: { metadata: { name: namespace } } });
  }
  const relay = await startRelay(new URL(standIn.url));
  return {
    objects,
    core,
    config: {
      ...standInClusterConfig(standIn, KUBERNETES_TOKEN),
      url: relay.url,
    },
    async get(kind, namespace, objectName) {
      try {
        return await objects.getNamespacedCustomObject({
          ...kind,
          namespace,
          name: objectName,
        });
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) {
          return undefined;
        }
        throw error;
      }
    },
    async list(kind, namespace) {
      const { items } = await objects.listNamespacedCustomObject({
        ...kind,
        namespace,
      });
      return items;
    },
    requestCount: () => standIn.requests().total,
    resetRequestCount: () => standIn.resetRequestCounts(),
    disconnect: relay.close,
    reconnect: relay.listen,
    async stop() {
      await relay.close();
      await standIn.stop();
    },
  };
}
