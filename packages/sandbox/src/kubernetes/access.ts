/*
 * How a client reaches a stand-in cluster: a KubeConfig for @kubernetes/client-node, and the
 * cluster entry Backstage's `kubernetes.clusterLocatorMethods` (and Paved's Argo CD plugin) read.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { KubernetesStandIn } from './server';

/** What a client needs to know of a stand-in, e.g. when it runs in another process. */
export type StandInAddress = Pick<
  KubernetesStandIn,
  'clusterName' | 'url' | 'caData'
>;

/** A KubeConfig whose current context is the stand-in, authenticated with `token`. */
export function standInKubeConfig(
  standIn: StandInAddress,
  token: string,
): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [
      {
        name: standIn.clusterName,
        server: standIn.url,
        caData: standIn.caData,
      },
    ],
    users: [{ name: 'sandbox-admin', token }],
    contexts: [
      {
        name: standIn.clusterName,
        cluster: standIn.clusterName,
        user: 'sandbox-admin',
      },
    ],
    currentContext: standIn.clusterName,
  });
  return kubeConfig;
}

/** The stand-in as a `kubernetes.clusterLocatorMethods[type=config].clusters[]` entry. */
export function standInClusterConfig(standIn: StandInAddress, token: string) {
  return {
    name: standIn.clusterName,
    title: `${standIn.clusterName} (stand-in)`,
    url: standIn.url,
    authProvider: 'serviceAccount',
    serviceAccountToken: token,
    caData: standIn.caData,
  };
}
