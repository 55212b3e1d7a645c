import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { KubeConfig } from '@kubernetes/client-node';

// The key Backstage's Kubernetes plugin accepts next to the older top-level `authProvider`.
const AUTH_PROVIDER_METADATA_KEY = 'kubernetes.io/auth-provider';

/** One cluster from `kubernetes.clusterLocatorMethods[type=config].clusters[]`. */
export interface KubernetesCluster {
  name: string;
  title: string;
  url: string;
  /**
   * How to reach the cluster, or why it cannot be reached (an auth provider this plugin does
   * not support, a missing token). The error belongs to this cluster only.
   */
  connection: { kubeConfig: KubeConfig } | { error: string };
}

function readCluster(cluster: Config): KubernetesCluster {
  const name = cluster.getString('name');
  const url = cluster.getString('url');
  const title = cluster.getOptionalString('title') ?? name;
  // The metadata key contains dots, so it is read from the block rather than as a config path.
  const authMetadata =
    cluster.getOptional<Record<string, string>>('authMetadata') ?? {};
  const authProvider =
    authMetadata[AUTH_PROVIDER_METADATA_KEY] ??
    cluster.getOptionalString('authProvider');
  if (authProvider !== 'serviceAccount') {
    return {
      name,
      title,
      url,
      connection: {
        error: `cluster ${name} uses auth provider '${
          authProvider ?? '(none)'
        }'; Paved's plugins read clusters with a service account token only (authProvider: serviceAccount)`,
      },
    };
  }
  const token =
    cluster.getOptionalString('serviceAccountToken') ??
    authMetadata.serviceAccountToken;
  if (!token) {
    return {
      name,
      title,
      url,
      connection: {
        error: `cluster ${name} has authProvider serviceAccount but no serviceAccountToken`,
      },
    };
  }
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [
      {
        name,
        server: url,
        caData: cluster.getOptionalString('caData'),
        caFile: cluster.getOptionalString('caFile'),
        // Only an explicit `true` turns verification off; anything else keeps it on.
        skipTLSVerify: cluster.getOptionalBoolean('skipTLSVerify') === true,
      },
    ],
    users: [{ name: `${name}-service-account`, token }],
    contexts: [{ name, cluster: name, user: `${name}-service-account` }],
    currentContext: name,
  });
  return { name, title, url, connection: { kubeConfig } };
}

/**
 * The Kubernetes clusters Backstage's Kubernetes plugin is configured with, each with its own
 * KubeConfig. Reading the same config keeps one list of clusters for every plugin.
 */
export class KubernetesClusters {
  static fromConfig(config: Config): KubernetesClusters {
    const clusters = new Map<string, KubernetesCluster>();
    const methods =
      config.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ?? [];
    for (const method of methods) {
      if (method.getString('type') !== 'config') {
        continue;
      }
      for (const clusterConfig of method.getOptionalConfigArray('clusters') ??
        []) {
        const cluster = readCluster(clusterConfig);
        if (clusters.has(cluster.name)) {
          throw new Error(
            `Duplicate Kubernetes cluster name '${cluster.name}' in kubernetes.clusterLocatorMethods`,
          );
        }
        clusters.set(cluster.name, cluster);
      }
    }
    return new KubernetesClusters(clusters);
  }

  private constructor(
    private readonly clusters: Map<string, KubernetesCluster>,
  ) {}

  list(): KubernetesCluster[] {
    return [...this.clusters.values()];
  }

  get(name: string): KubernetesCluster | undefined {
    return this.clusters.get(name);
  }
}

/** The configured clusters, read once per plugin from root config. */
export const kubernetesClustersServiceRef =
  createServiceRef<KubernetesClusters>({
    id: 'paved.kubernetes-clusters',
    scope: 'plugin',
    defaultFactory: async service =>
      createServiceFactory({
        service,
        deps: { config: coreServices.rootConfig },
        factory: ({ config }) => KubernetesClusters.fromConfig(config),
      }),
  });
