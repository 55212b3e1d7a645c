/**
 * The Kubernetes clusters Paved's backend plugins (Argo CD, Crossplane) talk to: read once from
 * `kubernetes.clusterLocatorMethods`, each with its own KubeConfig, behind one service ref.
 *
 * @packageDocumentation
 */
export {
  KubernetesClusters,
  kubernetesClustersServiceRef,
  type KubernetesCluster,
} from './KubernetesClusters';
export {
  WatchedCollection,
  type WatchedCollectionOptions,
  type WatchedObject,
} from './WatchedCollection';
export {
  describeClusterError,
  kubernetesErrorMessage,
  type WatchedKind,
} from './clusterErrors';
