import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import {
  ConnectionSecret,
  InfrastructureRequest,
  REQUEST_ID_LABEL,
  REQUESTED_FOR_ANNOTATION,
  RequestResourceDetail,
} from '@paved/plugin-crossplane-common';
import {
  KubernetesClusters,
  kubernetesErrorMessage,
} from '@paved/plugin-kubernetes-clusters-node';
import { RequestedKind, TrackedResource } from './ResourceTracker';

/** Annotation naming the owning team, as the demo's databases carry it. */
const OWNER_ANNOTATION = 'paved.dev/owner';

/** How creating a resource on its cluster ended. */
export type CreateOutcome =
  | { result: 'created' }
  /** The cluster refused the resource itself: retrying cannot help. */
  | { result: 'refused'; message: string }
  /** The cluster could not be reached or answered with a passing error: try again later. */
  | { result: 'retry'; message: string };

/** How changing a resource's spec ended: `generation` is the one the change made. */
export type UpdateOutcome =
  | { result: 'updated'; generation?: number }
  | { result: 'gone' }
  | Exclude<CreateOutcome, { result: 'created' }>;

/** How deleting a resource ended: `deleting` while finalizers run, `gone` when it is no more. */
export type DeleteOutcome =
  | { result: 'deleting' }
  | { result: 'gone' }
  | Exclude<CreateOutcome, { result: 'created' }>;

/** What a passing or refusing cluster error means for a write of `resource`. */
function failedWrite(
  error: unknown,
  resource: InfrastructureRequest['resource'],
  what: string,
): Exclude<CreateOutcome, { result: 'created' }> {
  const where = `cluster ${resource.cluster}`;
  if (!(error instanceof ApiException)) {
    return {
      result: 'retry',
      message: `${where} unreachable: ${kubernetesErrorMessage(error)}`,
    };
  }
  if ([400, 403, 404, 409, 422].includes(error.code)) {
    return {
      result: 'refused',
      message: `${where} refused to ${what} the ${
        resource.kind
      }: ${kubernetesErrorMessage(error)}`,
    };
  }
  return {
    result: 'retry',
    message: `${where} answered ${error.code}: ${kubernetesErrorMessage(
      error,
    )}`,
  };
}

/** The manifest Paved creates for a request: its spec, labelled with the request. */
export function manifestOf(request: InfrastructureRequest) {
  const { resource } = request;
  return {
    apiVersion: resource.apiVersion,
    kind: resource.kind,
    metadata: {
      name: resource.name,
      ...(resource.namespace ? { namespace: resource.namespace } : {}),
      labels: { [REQUEST_ID_LABEL]: request.id },
      annotations: {
        [REQUESTED_FOR_ANNOTATION]: request.entityRef,
        [OWNER_ANNOTATION]: request.ownerRef,
      },
    },
    spec: request.parameters,
  };
}

/**
 * Creates requested resources on their cluster with the plugin's cluster credentials (the
 * caller's permission was checked before), and reads what a request page shows live. Never
 * reads a Secret's values into anything kept or returned: only its keys.
 */
export class ResourceWriter {
  constructor(private readonly clusters: KubernetesClusters) {}

  private kubeConfigOf(clusterName: string): KubeConfig | { error: string } {
    const cluster = this.clusters.get(clusterName);
    if (!cluster) {
      return { error: `cluster ${clusterName} is no longer configured` };
    }
    return 'kubeConfig' in cluster.connection
      ? cluster.connection.kubeConfig
      : { error: cluster.connection.error };
  }

  /** Creates the request's resource, of `kind` (the offering's, which knows the plural). */
  async create(
    request: InfrastructureRequest,
    kind: RequestedKind,
  ): Promise<CreateOutcome> {
    const { resource } = request;
    const kubeConfig = this.kubeConfigOf(resource.cluster);
    if ('error' in kubeConfig) {
      return { result: 'retry', message: kubeConfig.error };
    }
    const api = kubeConfig.makeApiClient(CustomObjectsApi);
    const { group, version, plural } = kind;
    const body = manifestOf(request);
    try {
      if (resource.namespace) {
        await api.createNamespacedCustomObject({
          group,
          version,
          plural,
          namespace: resource.namespace,
          body,
        });
      } else {
        await api.createClusterCustomObject({ group, version, plural, body });
      }
      return { result: 'created' };
    } catch (error) {
      const where = `cluster ${resource.cluster}`;
      if (!(error instanceof ApiException)) {
        return {
          result: 'retry',
          message: `${where} unreachable: ${kubernetesErrorMessage(error)}`,
        };
      }
      if (error.code === 409) {
        return this.existingOutcome(request, api, { group, version, plural });
      }
      if (error.code === 404 && resource.namespace) {
        return {
          result: 'refused',
          message: `${where} has no namespace ${resource.namespace} (or does not serve ${plural}.${group}/${version}); the platform team creates team namespaces`,
        };
      }
      if ([400, 404, 422].includes(error.code)) {
        return {
          result: 'refused',
          message: `${where} refused the ${
            resource.kind
          }: ${kubernetesErrorMessage(error)}`,
        };
      }
      return {
        result: 'retry',
        message: `${where} answered ${error.code}: ${kubernetesErrorMessage(
          error,
        )}`,
      };
    }
  }

  /**
   * Merge-patches the request's parameters into the live resource's spec, labelling it with
   * the request so the tracker follows this change.
   */
  async update(
    request: InfrastructureRequest,
    kind: RequestedKind,
  ): Promise<UpdateOutcome> {
    const { resource } = request;
    const kubeConfig = this.kubeConfigOf(resource.cluster);
    if ('error' in kubeConfig) {
      return { result: 'retry', message: kubeConfig.error };
    }
    const api = kubeConfig.makeApiClient(CustomObjectsApi);
    const { group, version, plural } = kind;
    const body = {
      metadata: { labels: { [REQUEST_ID_LABEL]: request.id } },
      spec: request.parameters,
    };
    const mergePatch = setHeaderOptions(
      'Content-Type',
      PatchStrategy.MergePatch,
    );
    try {
      const patched = (
        resource.namespace
          ? await api.patchNamespacedCustomObject(
              {
                group,
                version,
                plural,
                namespace: resource.namespace,
                name: resource.name,
                body,
              },
              mergePatch,
            )
          : await api.patchClusterCustomObject(
              { group, version, plural, name: resource.name, body },
              mergePatch,
            )
      ) as { metadata?: { generation?: number } };
      const generation = patched.metadata?.generation;
      return {
        result: 'updated',
        ...(generation !== undefined ? { generation } : {}),
      };
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) {
        return { result: 'gone' };
      }
      return failedWrite(error, resource, 'change');
    }
  }

  /** Deletes the request's resource; Crossplane then deletes what it composed. */
  async delete(
    request: InfrastructureRequest,
    kind: RequestedKind,
  ): Promise<DeleteOutcome> {
    const { resource } = request;
    const kubeConfig = this.kubeConfigOf(resource.cluster);
    if ('error' in kubeConfig) {
      return { result: 'retry', message: kubeConfig.error };
    }
    const api = kubeConfig.makeApiClient(CustomObjectsApi);
    const { group, version, plural } = kind;
    try {
      if (resource.namespace) {
        await api.deleteNamespacedCustomObject({
          group,
          version,
          plural,
          namespace: resource.namespace,
          name: resource.name,
        });
      } else {
        await api.deleteClusterCustomObject({
          group,
          version,
          plural,
          name: resource.name,
        });
      }
      return { result: 'deleting' };
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) {
        return { result: 'gone' };
      }
      return failedWrite(error, resource, 'delete');
    }
  }

  /** A resource of the name exists: ours from an earlier attempt, or someone else's. */
  private async existingOutcome(
    request: InfrastructureRequest,
    api: CustomObjectsApi,
    kind: { group: string; version: string; plural: string },
  ): Promise<CreateOutcome> {
    const { resource } = request;
    try {
      const existing = (
        resource.namespace
          ? await api.getNamespacedCustomObject({
              ...kind,
              namespace: resource.namespace,
              name: resource.name,
            })
          : await api.getClusterCustomObject({ ...kind, name: resource.name })
      ) as { metadata?: { labels?: Record<string, string> } };
      if (existing.metadata?.labels?.[REQUEST_ID_LABEL] === request.id) {
        return { result: 'created' };
      }
      return {
        result: 'refused',
        message: `a ${resource.kind} named ${resource.name} already exists${
          resource.namespace ? ` in ${resource.namespace}` : ''
        } on cluster ${resource.cluster}, not made by this request`,
      };
    } catch (error) {
      return {
        result: 'retry',
        message: `cluster ${resource.cluster}: ${kubernetesErrorMessage(
          error,
        )}`,
      };
    }
  }

  /** The keys of a connection Secret, or undefined while it does not exist. Values are dropped here. */
  async secretKeys(
    cluster: string,
    ref: { namespace?: string; name: string },
  ): Promise<ConnectionSecret | undefined> {
    const kubeConfig = this.kubeConfigOf(cluster);
    if ('error' in kubeConfig) throw new Error(kubeConfig.error);
    const api = kubeConfig.makeApiClient(CoreV1Api);
    try {
      const secret = await api.readNamespacedSecret({
        name: ref.name,
        namespace: ref.namespace ?? 'default',
      });
      return {
        ...(ref.namespace ? { namespace: ref.namespace } : {}),
        name: ref.name,
        keys: Object.keys(secret.data ?? {}).sort(),
      };
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) {
        return undefined;
      }
      throw error;
    }
  }

  /** What the request page shows of the live resource: conditions, composed resources, Events, Secret. */
  async detail(
    tracked: TrackedResource | undefined,
  ): Promise<RequestResourceDetail> {
    if (!tracked) {
      return { exists: false, conditions: [], composed: [], events: [] };
    }
    const detail: RequestResourceDetail = {
      exists: true,
      conditions: tracked.conditions,
      composed: tracked.composed,
      events: [],
    };
    try {
      if (tracked.namespace) {
        const kubeConfig = this.kubeConfigOf(tracked.cluster);
        if ('error' in kubeConfig) throw new Error(kubeConfig.error);
        const core = kubeConfig.makeApiClient(CoreV1Api);
        const events = await core.listNamespacedEvent({
          namespace: tracked.namespace,
          fieldSelector: `involvedObject.name=${tracked.name},involvedObject.kind=${tracked.kind}`,
        });
        detail.events = events.items
          .map(event => ({
            type: event.type ?? 'Normal',
            reason: event.reason ?? '',
            message: event.message ?? '',
            ...(event.count ? { count: event.count } : {}),
            ...(event.lastTimestamp
              ? { lastTimestamp: new Date(event.lastTimestamp).toISOString() }
              : {}),
          }))
          .sort((a, b) =>
            (a.lastTimestamp ?? '').localeCompare(b.lastTimestamp ?? ''),
          );
      }
      if (tracked.connectionSecret) {
        const secret = await this.secretKeys(
          tracked.cluster,
          tracked.connectionSecret,
        );
        if (secret) detail.secret = secret;
      }
    } catch (error) {
      detail.error = `Could not read the resource's events and Secret from cluster ${
        tracked.cluster
      }: ${kubernetesErrorMessage(error)}`;
    }
    return detail;
  }
}
