import { LoggerService } from '@backstage/backend-plugin-api';
import {
  Offering,
  REQUEST_ID_LABEL,
  ResourceCondition,
} from '@paved/plugin-crossplane-common';
import {
  KubernetesCluster,
  WatchedCollection,
  describeClusterError,
} from '@paved/plugin-kubernetes-clusters-node';
import type { ClusterOffering } from './OfferingCache';

/** The kind teams create for an offering: the claim of a v1 XRD that has one, else the XR. */
export interface RequestedKind {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

export function requestedKindOf(
  offering: Pick<
    Offering,
    'group' | 'version' | 'kind' | 'plural' | 'scope' | 'claim'
  >,
): RequestedKind {
  if (offering.claim) {
    return {
      group: offering.group,
      version: offering.version,
      kind: offering.claim.kind,
      plural: offering.claim.plural,
      namespaced: true,
    };
  }
  return {
    group: offering.group,
    version: offering.version,
    kind: offering.kind,
    plural: offering.plural,
    namespaced: offering.scope === 'Namespaced',
  };
}

/** What Paved keeps of a live composite resource or claim. */
export interface TrackedResource {
  cluster: string;
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  /** The request that created it, from its {@link REQUEST_ID_LABEL} label. */
  requestId?: string;
  conditions: ResourceCondition[];
  /** What Crossplane composed for it (v2 `spec.crossplane.resourceRefs`, a claim's XR). */
  composed: Array<{
    apiVersion: string;
    kind: string;
    name: string;
    namespace?: string;
  }>;
  /** Where its connection details are written, when it says. */
  connectionSecret?: { namespace?: string; name: string };
  deleting: boolean;
}

interface ResourceObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    deletionTimestamp?: string;
  };
  spec?: {
    crossplane?: {
      resourceRefs?: Array<{
        apiVersion: string;
        kind: string;
        name: string;
        namespace?: string;
      }>;
    };
    resourceRef?: { apiVersion: string; kind: string; name: string };
    writeConnectionSecretToRef?: { name: string; namespace?: string };
  };
  status?: { conditions?: ResourceCondition[] };
}

/** Reads what the request timeline needs from a composite resource (v2) or a claim (v1). */
export function trackedResourceOf(
  cluster: string,
  object: ResourceObject,
  kind: RequestedKind,
): TrackedResource {
  const { metadata, spec, status } = object;
  const namespace = metadata.namespace;
  // A v2 XR lists what it composed; a v1 claim points at its XR.
  let composed: TrackedResource['composed'] = [];
  if (spec?.crossplane?.resourceRefs) {
    composed = spec.crossplane.resourceRefs.map(ref => {
      const refNamespace = ref.namespace ?? namespace;
      return refNamespace ? { ...ref, namespace: refNamespace } : ref;
    });
  } else if (spec?.resourceRef) {
    composed = [spec.resourceRef];
  }
  const secretRef = composed.find(
    ref => ref.kind === 'Secret' && ref.apiVersion === 'v1',
  );
  let connectionSecret: TrackedResource['connectionSecret'];
  if (spec?.writeConnectionSecretToRef) {
    connectionSecret = {
      name: spec.writeConnectionSecretToRef.name,
      namespace: spec.writeConnectionSecretToRef.namespace ?? namespace,
    };
  } else if (secretRef) {
    connectionSecret = { name: secretRef.name, namespace: secretRef.namespace };
  }
  return {
    cluster,
    apiVersion: `${kind.group}/${kind.version}`,
    kind: kind.kind,
    ...(namespace ? { namespace } : {}),
    name: metadata.name,
    ...(metadata.labels?.[REQUEST_ID_LABEL]
      ? { requestId: metadata.labels[REQUEST_ID_LABEL] }
      : {}),
    conditions: (status?.conditions ?? []).map(c => ({
      type: c.type,
      status: c.status,
      ...(c.reason ? { reason: c.reason } : {}),
      ...(c.message ? { message: c.message } : {}),
      ...(c.lastTransitionTime
        ? { lastTransitionTime: c.lastTransitionTime }
        : {}),
    })),
    composed,
    ...(connectionSecret ? { connectionSecret } : {}),
    deleting: Boolean(metadata.deletionTimestamp),
  };
}

function kindKey(cluster: string, apiVersion: string, kind: string) {
  return `${cluster}|${apiVersion}|${kind}`;
}

/**
 * The live resources of every offered kind on every cluster, kept by list + watch: what the
 * request timeline, quotas and name checks read without calling Kubernetes. Follows the
 * offerings: a newly offered XRD is watched as soon as it appears.
 */
export class ResourceTracker {
  private readonly collections = new Map<
    string,
    WatchedCollection<TrackedResource, ResourceObject>
  >();
  private stopped = false;
  private listener?: (resource: TrackedResource) => void;

  constructor(
    private readonly options: {
      clusters: KubernetesCluster[];
      logger: LoggerService;
    },
  ) {}

  /** Calls `listener` for each new version of a resource Paved created. */
  onResource(listener: (resource: TrackedResource) => void) {
    this.listener = listener;
  }

  /** Watches the kinds of `offerings` (per cluster) and stops watching the others. */
  follow(offerings: ClusterOffering[]) {
    if (this.stopped) return;
    const wanted = new Map<
      string,
      { cluster: KubernetesCluster; kind: RequestedKind }
    >();
    for (const { cluster: clusterName, offering } of offerings) {
      const cluster = this.options.clusters.find(c => c.name === clusterName);
      if (!cluster) continue;
      const kind = requestedKindOf(offering);
      wanted.set(
        kindKey(clusterName, `${kind.group}/${kind.version}`, kind.kind),
        { cluster, kind },
      );
    }
    for (const [key, collection] of this.collections) {
      if (!wanted.has(key)) {
        collection.stop();
        this.collections.delete(key);
      }
    }
    for (const [key, { cluster, kind }] of wanted) {
      if (this.collections.has(key) || !('kubeConfig' in cluster.connection)) {
        continue;
      }
      const collection = new WatchedCollection<TrackedResource, ResourceObject>(
        {
          kubeConfig: cluster.connection.kubeConfig,
          resource: {
            group: kind.group,
            versions: [kind.version],
            plural: kind.plural,
          },
          toItem: object => {
            const tracked = trackedResourceOf(cluster.name, object, kind);
            if (tracked.requestId) {
              this.listener?.(tracked);
            }
            return tracked;
          },
          describeError: error =>
            describeClusterError(error, cluster, {
              ...kind,
              notServedHint: 'is its XRD still installed and served?',
            }),
          logger: this.options.logger.child({
            cluster: cluster.name,
            kind: `${kind.plural}.${kind.group}`,
          }),
        },
      );
      this.collections.set(key, collection);
      collection.start();
    }
  }

  stop() {
    this.stopped = true;
    this.collections.forEach(c => c.stop());
    this.collections.clear();
  }

  /** The resource as last seen, or undefined when it does not exist (or is not watched yet). */
  get(ref: {
    cluster: string;
    apiVersion: string;
    kind: string;
    namespace?: string;
    name: string;
  }): TrackedResource | undefined {
    return this.collections
      .get(kindKey(ref.cluster, ref.apiVersion, ref.kind))
      ?.get(ref.name, ref.namespace);
  }

  /** Names of the resources of a kind in a namespace of a cluster. */
  namesIn(ref: {
    cluster: string;
    apiVersion: string;
    kind: string;
    namespace?: string;
  }): string[] {
    const collection = this.collections.get(
      kindKey(ref.cluster, ref.apiVersion, ref.kind),
    );
    return [...(collection?.values() ?? [])]
      .filter(r => r.namespace === ref.namespace)
      .map(r => r.name);
  }

  /** Whether the kind's resources on the cluster are known: listed, and the watch is current. */
  isReady(ref: { cluster: string; apiVersion: string; kind: string }): boolean {
    return (
      this.collections.get(kindKey(ref.cluster, ref.apiVersion, ref.kind))
        ?.status === 'ready'
    );
  }

  /** Every resource Paved created that the trackers know, for re-checking after a restart. */
  requested(): TrackedResource[] {
    return [...this.collections.values()].flatMap(c =>
      [...c.values()].filter(r => r.requestId),
    );
  }
}
