import { LoggerService } from '@backstage/backend-plugin-api';
import {
  OFFERED_LABEL,
  OfferingClusterState,
} from '@paved/plugin-crossplane-common';
import {
  KubernetesCluster,
  WatchedCollection,
  describeClusterError,
} from '@paved/plugin-kubernetes-clusters-node';
import {
  OfferingDefinition,
  XrdResource,
  offeringFromXrd,
} from './offeringSchema';

const GROUP = 'apiextensions.crossplane.io';
const PLURAL = 'compositeresourcedefinitions';
// Crossplane 2 serves v2 beside v1; Crossplane 1 serves only v1.
const VERSIONS = ['v2', 'v1'];

/** An offering on one cluster. */
export interface ClusterOffering {
  cluster: string;
  offering: OfferingDefinition;
}

/**
 * The offered XRDs of every configured cluster, kept current by list + watch. Reading from it
 * never calls Kubernetes; each replica keeps its own.
 */
export class OfferingCache {
  private readonly clusters: Array<{
    cluster: KubernetesCluster;
    offerings?: WatchedCollection<OfferingDefinition, XrdResource>;
  }>;

  private readonly logger: LoggerService;

  constructor(
    clusters: KubernetesCluster[],
    options: {
      allow: string[];
      logger: LoggerService;
      /** Called when an offering appeared, changed or went. */
      onChange?: () => void;
    },
  ) {
    this.logger = options.logger;
    const allow = new Set(options.allow);
    const isOffered = (xrd: XrdResource) =>
      xrd.metadata.labels?.[OFFERED_LABEL] === 'true' ||
      allow.has(xrd.metadata.name);
    this.clusters = clusters.map(cluster => {
      if (!('kubeConfig' in cluster.connection)) {
        return { cluster };
      }
      const logger = options.logger.child({ cluster: cluster.name });
      // Every XRD is watched, not only labelled ones: an offering may lose its label.
      const offerings = new WatchedCollection<OfferingDefinition, XrdResource>({
        kubeConfig: cluster.connection.kubeConfig,
        resource: { group: GROUP, versions: VERSIONS, plural: PLURAL },
        toItem: (xrd, apiVersion) => {
          if (!isOffered(xrd)) {
            return undefined;
          }
          const result = offeringFromXrd({
            ...xrd,
            apiVersion: xrd.apiVersion ?? apiVersion,
          });
          if ('reason' in result) {
            logger.warn('XRD is marked as offered but cannot be offered', {
              xrd: xrd.metadata.name,
              reason: result.reason,
            });
            return undefined;
          }
          return result.offering;
        },
        describeError: error =>
          describeClusterError(error, cluster, {
            group: GROUP,
            plural: PLURAL,
            notServedHint: 'is Crossplane installed there?',
          }),
        logger,
        onChange: options.onChange,
      });
      return { cluster, offerings };
    });
  }

  start() {
    const logger = this.logger;
    for (const { cluster, offerings } of this.clusters) {
      if (!offerings) {
        logger.warn('Cluster is not readable', {
          cluster: cluster.name,
          error: (cluster.connection as { error: string }).error,
        });
        continue;
      }
      offerings.start();
    }
  }

  stop() {
    this.clusters.forEach(({ offerings }) => offerings?.stop());
  }

  /** Each cluster's state, in configured order. */
  clusterStates(): OfferingClusterState[] {
    return this.clusters.map(({ cluster, offerings }) => {
      const base = { name: cluster.name, title: cluster.title };
      if (!offerings) {
        const { error } = cluster.connection as { error: string };
        return { ...base, status: 'error', error };
      }
      return {
        ...base,
        status: offerings.status,
        ...(offerings.error ? { error: offerings.error } : {}),
        ...(offerings.lastContactAt
          ? { lastContactAt: offerings.lastContactAt.toISOString() }
          : {}),
      };
    });
  }

  /** Every offering last known on every cluster, in configured cluster order. */
  offerings(): ClusterOffering[] {
    return this.clusters.flatMap(({ cluster, offerings }) =>
      [...(offerings?.values() ?? [])].map(offering => ({
        cluster: cluster.name,
        offering,
      })),
    );
  }
}
