import { LoggerService } from '@backstage/backend-plugin-api';
import {
  Offering,
  OfferingClusterState,
  REQUEST_ID_LABEL,
  REQUESTED_FOR_ANNOTATION,
  ResourceCondition,
} from '@paved/plugin-crossplane-common';
import {
  KubernetesCluster,
  WatchedCollection,
  describeClusterError,
} from '@paved/plugin-kubernetes-clusters-node';
import type { ClusterOffering } from './OfferingCache';
import {
  LEGACY_CROSSPLANE_FIELDS,
  V2_CROSSPLANE_FIELDS,
} from './offeringSchema';

/** Label Backstage's Kubernetes plugin matches an entity's `backstage.io/kubernetes-id` with. */
export const KUBERNETES_ID_LABEL = 'backstage.io/kubernetes-id';

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
  /** The XRD name of the offering it is of. */
  offering: string;
  /** The request that created it, from its {@link REQUEST_ID_LABEL} label. */
  requestId?: string;
  /** The entity Paved created it for, from its {@link REQUESTED_FOR_ANNOTATION} annotation. */
  requestedFor?: string;
  /** Its {@link KUBERNETES_ID_LABEL} label, which ties it to an entity's annotation of that name. */
  kubernetesId?: string;
  /** Its `spec` without Crossplane's own fields: what a request form fills in. */
  parameters: Record<string, unknown>;
  /** `metadata.generation`: bumped by the cluster on every change of the spec. */
  generation?: number;
  /** The generation the controller last reported on (status or conditions), when it says. */
  observedGeneration?: number;
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
    annotations?: Record<string, string>;
    generation?: number;
    deletionTimestamp?: string;
  };
  spec?: {
    [field: string]: unknown;
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
  status?: {
    observedGeneration?: number;
    conditions?: Array<ResourceCondition & { observedGeneration?: number }>;
  };
}

/** The generation the controller reported on: `status.observedGeneration`, else the oldest of its conditions'. */
function observedGenerationOf(status: ResourceObject['status']) {
  if (typeof status?.observedGeneration === 'number') {
    return status.observedGeneration;
  }
  const observed = (status?.conditions ?? [])
    .map(c => c.observedGeneration)
    .filter((g): g is number => typeof g === 'number');
  return observed.length > 0 ? Math.min(...observed) : undefined;
}

/** Reads what the request timeline needs from a composite resource (v2) or a claim (v1). */
export function trackedResourceOf(
  cluster: string,
  object: ResourceObject,
  kind: RequestedKind,
  offering: Pick<Offering, 'name' | 'scope'>,
): TrackedResource {
  const { metadata, spec, status } = object;
  const crossplaneFields: readonly string[] =
    offering.scope === 'LegacyCluster'
      ? LEGACY_CROSSPLANE_FIELDS
      : V2_CROSSPLANE_FIELDS;
  const parameters = Object.fromEntries(
    Object.entries(spec ?? {}).filter(
      ([field]) => !crossplaneFields.includes(field),
    ),
  );
  const requestedFor = metadata.annotations?.[REQUESTED_FOR_ANNOTATION];
  const kubernetesId = metadata.labels?.[KUBERNETES_ID_LABEL];
  const observedGeneration = observedGenerationOf(status);
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
    offering: offering.name,
    ...(metadata.labels?.[REQUEST_ID_LABEL]
      ? { requestId: metadata.labels[REQUEST_ID_LABEL] }
      : {}),
    ...(requestedFor ? { requestedFor } : {}),
    ...(kubernetesId ? { kubernetesId } : {}),
    parameters,
    ...(metadata.generation !== undefined
      ? { generation: metadata.generation }
      : {}),
    ...(observedGeneration !== undefined ? { observedGeneration } : {}),
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

function resourceKey(resource: TrackedResource) {
  return `${kindKey(resource.cluster, resource.apiVersion, resource.kind)}|${
    resource.namespace ?? ''
  }|${resource.name}`;
}

/** The keys an entity finds its resources under: the entity it was requested for, its kubernetes-id. */
function entityKeysOf(entity: {
  entityRef?: string;
  kubernetesId?: string;
}): string[] {
  const keys: string[] = [];
  if (entity.entityRef) {
    keys.push(`ref:${entity.entityRef.toLocaleLowerCase('en-US')}`);
  }
  if (entity.kubernetesId) keys.push(`kubernetes-id:${entity.kubernetesId}`);
  return keys;
}

/**
 * The live resources of every offered kind on every cluster, kept by list + watch: what the
 * request timeline, quotas, name checks and an entity's Infrastructure tab read without
 * calling Kubernetes. Follows the offerings: a newly offered XRD is watched as soon as it
 * appears. Resources are indexed by the entity they belong to, so an entity's view reads only
 * its own whatever the number of resources.
 */
export class ResourceTracker {
  private readonly collections = new Map<
    string,
    WatchedCollection<TrackedResource, ResourceObject>
  >();
  /** Entity key → resource key → resource. */
  private readonly byEntity = new Map<string, Map<string, TrackedResource>>();
  /** Resource key → the entity keys it is indexed under. */
  private readonly indexedUnder = new Map<string, string[]>();
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
      {
        cluster: KubernetesCluster;
        kind: RequestedKind;
        offering: Pick<Offering, 'name' | 'scope'>;
      }
    >();
    for (const { cluster: clusterName, offering } of offerings) {
      const cluster = this.options.clusters.find(c => c.name === clusterName);
      if (!cluster) continue;
      const kind = requestedKindOf(offering);
      wanted.set(
        kindKey(clusterName, `${kind.group}/${kind.version}`, kind.kind),
        { cluster, kind, offering },
      );
    }
    for (const [key, collection] of this.collections) {
      if (!wanted.has(key)) {
        collection.stop();
        for (const resource of collection.values()) this.unindex(resource);
        this.collections.delete(key);
      }
    }
    for (const [key, { cluster, kind, offering }] of wanted) {
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
            const tracked = trackedResourceOf(
              cluster.name,
              object,
              kind,
              offering,
            );
            this.index(tracked);
            if (tracked.requestId) {
              this.listener?.(tracked);
            }
            return tracked;
          },
          onForget: resource => this.unindex(resource),
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
    this.byEntity.clear();
    this.indexedUnder.clear();
  }

  private index(resource: TrackedResource) {
    const key = resourceKey(resource);
    this.unindexKey(key);
    const entityKeys = entityKeysOf({
      entityRef: resource.requestedFor,
      kubernetesId: resource.kubernetesId,
    });
    for (const entityKey of entityKeys) {
      let resources = this.byEntity.get(entityKey);
      if (!resources) {
        resources = new Map();
        this.byEntity.set(entityKey, resources);
      }
      resources.set(key, resource);
    }
    if (entityKeys.length > 0) this.indexedUnder.set(key, entityKeys);
  }

  private unindex(resource: TrackedResource) {
    this.unindexKey(resourceKey(resource));
  }

  private unindexKey(key: string) {
    for (const entityKey of this.indexedUnder.get(key) ?? []) {
      const resources = this.byEntity.get(entityKey);
      resources?.delete(key);
      if (resources?.size === 0) this.byEntity.delete(entityKey);
    }
    this.indexedUnder.delete(key);
  }

  /**
   * The resources of an entity: those Paved created for it (annotation
   * `paved.dev/requested-for`) and those labelled with its `backstage.io/kubernetes-id`.
   */
  ofEntity(entity: {
    entityRef: string;
    kubernetesId?: string;
  }): TrackedResource[] {
    const found = new Map<string, TrackedResource>();
    for (const entityKey of entityKeysOf(entity)) {
      for (const [key, resource] of this.byEntity.get(entityKey) ?? []) {
        found.set(key, resource);
      }
    }
    return [...found.values()];
  }

  /**
   * How reading resources goes on each cluster: `error` with the first message when any kind
   * cannot be read, `loading` while any is being listed, else `ready`. Clusters offering
   * nothing are `ready` with nothing to read.
   */
  clusterStates(): Array<Omit<OfferingClusterState, 'title'>> {
    return this.options.clusters.map(cluster => {
      if (!('kubeConfig' in cluster.connection)) {
        return {
          name: cluster.name,
          status: 'error' as const,
          error: cluster.connection.error,
        };
      }
      const collections = [...this.collections.entries()]
        .filter(([key]) => key.startsWith(`${cluster.name}|`))
        .map(([, collection]) => collection);
      const failed = collections.find(c => c.status === 'error');
      if (failed) {
        return {
          name: cluster.name,
          status: 'error' as const,
          ...(failed.error ? { error: failed.error } : {}),
        };
      }
      return {
        name: cluster.name,
        status: collections.some(c => c.status === 'loading')
          ? ('loading' as const)
          : ('ready' as const),
      };
    });
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
