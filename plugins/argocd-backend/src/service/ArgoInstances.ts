import { Config } from '@backstage/config';
import {
  KubernetesCluster,
  KubernetesClusters,
} from '@paved/plugin-kubernetes-clusters-node';

/** Where Argo CD's installation manifests put it, and so its AppProjects. */
const DEFAULT_CONTROL_PLANE_NAMESPACE = 'argocd';

/** An Argo CD installation whose Application resources live on one Kubernetes cluster. */
export interface ArgoInstance {
  name: string;
  title: string;
  cluster: KubernetesCluster;
  /** Namespaces whose Applications are read; undefined means all namespaces. */
  namespaces?: string[];
  /** The namespace Argo CD runs in, which holds its AppProjects. */
  controlPlaneNamespace: string;
  /** Base URL of the Argo CD UI, for links; no trailing slash. */
  url?: string;
}

/**
 * Reads `argocd.instances`, or makes one instance per configured cluster when it is absent.
 * Throws at start-up when an instance names a cluster that is not configured.
 */
export function readArgoInstances(
  config: Config,
  clusters: KubernetesClusters,
): ArgoInstance[] {
  const configured = config.getOptionalConfigArray('argocd.instances');
  if (!configured) {
    return clusters.list().map(cluster => ({
      name: cluster.name,
      title: cluster.title,
      cluster,
      controlPlaneNamespace: DEFAULT_CONTROL_PLANE_NAMESPACE,
    }));
  }
  const names = new Set<string>();
  return configured.map(instance => {
    const name = instance.getString('name');
    if (names.has(name)) {
      throw new Error(
        `Duplicate Argo CD instance name '${name}' in argocd.instances`,
      );
    }
    names.add(name);
    const clusterName = instance.getString('cluster');
    const cluster = clusters.get(clusterName);
    if (!cluster) {
      const known = clusters.list().map(c => c.name);
      throw new Error(
        `Argo CD instance '${name}' names cluster '${clusterName}', which is not configured in kubernetes.clusterLocatorMethods (configured: ${
          known.length ? known.join(', ') : 'none'
        })`,
      );
    }
    const namespaces = instance.getOptionalStringArray('namespaces');
    return {
      name,
      title: instance.getOptionalString('title') ?? name,
      cluster,
      namespaces: namespaces?.length ? namespaces : undefined,
      controlPlaneNamespace:
        instance.getOptionalString('controlPlaneNamespace') ??
        DEFAULT_CONTROL_PLANE_NAMESPACE,
      url: instance.getOptionalString('url')?.replace(/\/+$/, ''),
    };
  });
}
