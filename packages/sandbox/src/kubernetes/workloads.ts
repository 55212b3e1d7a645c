/*
 * Stand-ins for the parts of kube-controller-manager, the scheduler, the
 * kubelet and metrics-server that make a Deployment look like a running
 * application:
 * - the deployment controller keeps one ReplicaSet per pod template
 *   (named `{deployment}-{pod-template-hash}`), scales it to the wanted
 *   replicas, retires older ones once the new one is available, and reports
 *   replicas and the Available/Progressing conditions;
 * - the ReplicaSet controller creates and deletes owned Pods;
 * - the "kubelet" binds each Pending Pod to a node and, after the delay,
 *   reports it Running with ready containers;
 * - "metrics-server" publishes a PodMetrics for each Running Pod.
 * Deleting a Deployment deletes its ReplicaSets, and a ReplicaSet its Pods,
 * as the garbage collector would. Nothing runs; images are never pulled.
 */
import { DelayedActions } from './delayedActions';
import { createHash } from 'node:crypto';
import { isForced } from './crossplane';
import { LocalClient, ObjectRef, timestamp, tolerateGone } from './localClient';
import { typeKey } from './resources';
import { isObject } from './schema';
import { KubeObject, ObjectStore, StoreEvent } from './store';

export const NODE_NAME = 'sandbox-node-1';
const NODE_IP = '10.0.0.11';
const POD_TEMPLATE_HASH = 'pod-template-hash';
const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
/** apimachinery's rand.SafeEncodeString alphabet, which pod-template-hash values use. */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

const DEPLOYMENTS = { group: 'apps', plural: 'deployments' };
const REPLICA_SETS = { group: 'apps', plural: 'replicasets' };
const PODS = { group: '', plural: 'pods' };
const POD_METRICS = { group: 'metrics.k8s.io', plural: 'pods' };

type Json = Record<string, any>;

function specOf(object: KubeObject): Json {
  return isObject(object.spec) ? object.spec : {};
}

function statusOf(object: KubeObject): Json {
  return isObject(object.status) ? object.status : {};
}

function hash(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** A stable pod-template-hash for a template: 10 characters of the safe alphabet. */
function templateHash(template: unknown): string {
  return [...hash(JSON.stringify(template ?? {})).subarray(0, 10)]
    .map(byte => SAFE_ALPHABET[byte % SAFE_ALPHABET.length])
    .join('');
}

function ownerUids(object: KubeObject): string[] {
  const refs = object.metadata.ownerReferences;
  return Array.isArray(refs) ? refs.map((r: Json) => r.uid) : [];
}

function controllerRef(owner: KubeObject) {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

function isPodReady(pod: KubeObject): boolean {
  const status = statusOf(pod);
  return (
    status.phase === 'Running' &&
    (status.conditions ?? []).some(
      (c: Json) => c.type === 'Ready' && c.status === 'True',
    )
  );
}

/** Kubernetes' int-or-percent fields (maxUnavailable), resolved against a replica count, rounding down. */
function scaledValue(value: unknown, total: number): number {
  if (typeof value === 'string' && value.endsWith('%')) {
    return Math.floor((total * Number(value.slice(0, -1))) / 100);
  }
  return typeof value === 'number' ? value : 0;
}

/** Leaves out zero counts, as the API types' `omitempty` does. */
function counts(values: Record<string, number>): Json {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v > 0));
}

/** Keeps a condition's transition time while its status stays the same. */
function condition(previous: Json[] | undefined, next: Json): Json {
  const now = timestamp();
  const before = previous?.find(c => c.type === next.type);
  const unchanged =
    before?.status === next.status &&
    before?.reason === next.reason &&
    before?.message === next.message;
  return {
    ...next,
    lastUpdateTime: (unchanged && before?.lastUpdateTime) || now,
    lastTransitionTime:
      (before?.status === next.status && before?.lastTransitionTime) || now,
  };
}

/** A usage figure for a container that stays put across reads: a fraction of its request, or a small default. */
function usage(pod: KubeObject, container: Json) {
  const seed = hash(`${pod.metadata.uid}/${container.name}`);
  const requests = isObject(container.resources?.requests)
    ? container.resources.requests
    : {};
  const cpuRequestMillis = parseCpuMillis(requests.cpu) ?? 100;
  const memoryRequestMi = parseMemoryMi(requests.memory) ?? 128;
  const cpuNanos = Math.round(
    cpuRequestMillis * 1e6 * (0.05 + (seed[0] / 255) * 0.55),
  );
  const memoryKi = Math.round(
    memoryRequestMi * 1024 * (0.3 + (seed[1] / 255) * 0.5),
  );
  return { cpu: `${cpuNanos}n`, memory: `${memoryKi}Ki` };
}

function parseCpuMillis(quantity: unknown): number | undefined {
  if (typeof quantity === 'number') return quantity * 1000;
  if (typeof quantity !== 'string') return undefined;
  return quantity.endsWith('m')
    ? Number(quantity.slice(0, -1))
    : Number(quantity) * 1000;
}

function parseMemoryMi(quantity: unknown): number | undefined {
  if (typeof quantity !== 'string') return undefined;
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|K|M|G)?$/.exec(quantity);
  if (!match) return undefined;
  const factor: Record<string, number> = {
    Ki: 1 / 1024,
    Mi: 1,
    Gi: 1024,
    K: 1000 / 1048576,
    M: 1e6 / 1048576,
    G: 1e9 / 1048576,
  };
  return Number(match[1]) * (factor[match[2] ?? ''] ?? 1 / 1048576);
}

/** A pseudo-random but stable address in the pod network for a pod. */
function podIp(pod: KubeObject): string {
  const seed = hash(pod.metadata.uid);
  return `10.244.${seed[0] % 64}.${(seed[1] % 250) + 2}`;
}

export class WorkloadController {
  private readonly delayed = new DelayedActions();
  private readonly queued = new Set<string>();
  private readonly starting = new Set<string>();
  private flush?: NodeJS.Timeout;
  private unsubscribe = () => {};

  constructor(
    private readonly client: LocalClient,
    private readonly store: ObjectStore,
    private readonly options: { delayMs: number },
  ) {}

  start(): void {
    this.unsubscribe = this.store.subscribeAll(event => this.onEvent(event));
    for (const kind of [DEPLOYMENTS, REPLICA_SETS, PODS]) {
      for (const object of this.client.list(kind.group, kind.plural)) {
        this.enqueue(kind, object);
      }
    }
  }

  stop(): void {
    this.unsubscribe();
    clearTimeout(this.flush);
    this.delayed.cancelAll();
  }

  private onEvent(event: StoreEvent) {
    const { object } = event;
    switch (event.resource) {
      case typeKey(DEPLOYMENTS.group, DEPLOYMENTS.plural):
        if (event.type === 'DELETED') {
          this.delayed.later(0, () =>
            this.collectGarbage(REPLICA_SETS, object),
          );
        } else {
          this.enqueue(DEPLOYMENTS, object);
        }
        return;
      case typeKey(REPLICA_SETS.group, REPLICA_SETS.plural):
        if (event.type === 'DELETED') {
          this.delayed.later(0, () => this.collectGarbage(PODS, object));
        } else {
          this.enqueue(REPLICA_SETS, object);
        }
        this.enqueueOwners(DEPLOYMENTS, object);
        return;
      case typeKey(PODS.group, PODS.plural):
        if (event.type !== 'DELETED') {
          this.enqueue(PODS, object);
        }
        this.enqueueOwners(REPLICA_SETS, object);
        this.delayed.later(0, () => this.syncMetrics(object));
        return;
      default:
        return;
    }
  }

  private enqueue(kind: { group: string; plural: string }, object: KubeObject) {
    this.queued.add(
      JSON.stringify([
        kind.group,
        kind.plural,
        object.metadata.namespace,
        object.metadata.name,
      ]),
    );
    // Reconcile after the write that caused the event has been announced to every watcher.
    this.flush ??= setTimeout(() => {
      this.flush = undefined;
      const keys = [...this.queued];
      this.queued.clear();
      for (const key of keys) {
        const [group, plural, namespace, name] = JSON.parse(key);
        this.reconcile({ group, plural, namespace, name });
      }
    }, 0);
  }

  private enqueueOwners(
    ownerKind: { group: string; plural: string },
    object: KubeObject,
  ) {
    const uids = new Set(ownerUids(object));
    if (uids.size === 0) {
      return;
    }
    for (const owner of this.client.list(
      ownerKind.group,
      ownerKind.plural,
      object.metadata.namespace,
    )) {
      if (uids.has(owner.metadata.uid)) {
        this.enqueue(ownerKind, owner);
      }
    }
  }

  private reconcile(ref: ObjectRef) {
    const object = this.client.get(ref);
    if (!object || isForced(object) || object.metadata.deletionTimestamp) {
      return;
    }
    tolerateGone(() => {
      if (ref.plural === DEPLOYMENTS.plural) this.reconcileDeployment(object);
      else if (ref.plural === REPLICA_SETS.plural)
        this.reconcileReplicaSet(object);
      else this.runPod(object);
    });
  }

  /** What the garbage collector does for owned objects once their owner is gone. */
  private collectGarbage(
    dependentKind: { group: string; plural: string },
    owner: KubeObject,
  ) {
    for (const dependent of this.client.list(
      dependentKind.group,
      dependentKind.plural,
      owner.metadata.namespace,
    )) {
      if (ownerUids(dependent).includes(owner.metadata.uid)) {
        this.client.delete({
          ...dependentKind,
          namespace: dependent.metadata.namespace,
          name: dependent.metadata.name,
        });
      }
    }
  }

  private owned(
    kind: { group: string; plural: string },
    owner: KubeObject,
  ): KubeObject[] {
    return this.client
      .list(kind.group, kind.plural, owner.metadata.namespace)
      .filter(object => ownerUids(object).includes(owner.metadata.uid));
  }

  private reconcileDeployment(deployment: KubeObject) {
    const spec = specOf(deployment);
    const namespace = deployment.metadata.namespace;
    const template = structuredClone(spec.template ?? {});
    const podHash = templateHash(template);
    const replicaSets = this.owned(REPLICA_SETS, deployment);
    const revisions = replicaSets.map(rs =>
      Number(rs.metadata.annotations?.[REVISION_ANNOTATION] ?? 0),
    );
    const desired = Number(spec.replicas ?? 1);
    const name = `${deployment.metadata.name}-${podHash}`;
    let current = replicaSets.find(rs => rs.metadata.name === name);
    const labels = {
      ...template.metadata?.labels,
      [POD_TEMPLATE_HASH]: podHash,
    };
    if (!current) {
      current = this.client.create(
        { ...REPLICA_SETS, namespace },
        {
          metadata: {
            name,
            namespace,
            labels,
            annotations: {
              [REVISION_ANNOTATION]: String(Math.max(0, ...revisions) + 1),
              'deployment.kubernetes.io/desired-replicas': String(desired),
            },
            ownerReferences: [controllerRef(deployment)],
          },
          spec: {
            replicas: desired,
            selector: {
              ...spec.selector,
              matchLabels: {
                ...spec.selector?.matchLabels,
                [POD_TEMPLATE_HASH]: podHash,
              },
            },
            template: {
              ...template,
              metadata: { ...template.metadata, labels },
            },
          },
        },
      );
      this.recordScaling(deployment, name, 'up', desired);
    } else if (specOf(current).replicas !== desired) {
      this.scale(current, desired);
      this.recordScaling(
        deployment,
        name,
        desired > specOf(current).replicas ? 'up' : 'down',
        desired,
      );
    }
    const revision = current.metadata.annotations?.[REVISION_ANNOTATION];
    if (
      revision &&
      deployment.metadata.annotations?.[REVISION_ANNOTATION] !== revision
    ) {
      this.client.mergePatch(
        { ...DEPLOYMENTS, namespace, name: deployment.metadata.name },
        { metadata: { annotations: { [REVISION_ANNOTATION]: revision } } },
      );
    }
    const currentStatus = statusOf(current);
    const newAvailable = Number(currentStatus.availableReplicas ?? 0);
    // Older templates go once the new ReplicaSet is fully available, as after a rolling update.
    const old = replicaSets.filter(rs => rs.metadata.name !== name);
    if (newAvailable >= desired) {
      for (const rs of old.filter(r => specOf(r).replicas !== 0)) {
        this.scale(rs, 0);
        this.recordScaling(deployment, rs.metadata.name, 'down', 0);
      }
    }
    this.writeDeploymentStatus(deployment, current, [current, ...old]);
  }

  private scale(replicaSet: KubeObject, replicas: number) {
    this.client.mergePatch(
      {
        ...REPLICA_SETS,
        namespace: replicaSet.metadata.namespace,
        name: replicaSet.metadata.name,
      },
      { spec: { replicas } },
    );
  }

  private recordScaling(
    deployment: KubeObject,
    replicaSet: string,
    direction: 'up' | 'down',
    replicas: number,
  ) {
    this.client.recordEvent(deployment, 'deployment-controller', {
      type: 'Normal',
      reason: 'ScalingReplicaSet',
      message: `Scaled ${direction} replica set ${replicaSet} to ${replicas}`,
    });
  }

  private writeDeploymentStatus(
    deployment: KubeObject,
    current: KubeObject,
    replicaSets: KubeObject[],
  ) {
    const spec = specOf(deployment);
    const desired = Number(spec.replicas ?? 1);
    const sum = (field: string) =>
      replicaSets
        .map(rs =>
          this.client.get({
            ...REPLICA_SETS,
            namespace: rs.metadata.namespace,
            name: rs.metadata.name,
          }),
        )
        .reduce(
          (total, rs) => total + Number(rs ? statusOf(rs)[field] ?? 0 : 0),
          0,
        );
    const replicas = sum('replicas');
    const available = sum('availableReplicas');
    const updated = Number(statusOf(current).replicas ?? 0);
    const maxUnavailable = scaledValue(
      spec.strategy?.rollingUpdate?.maxUnavailable ?? '25%',
      desired,
    );
    const previous = statusOf(deployment).conditions as Json[] | undefined;
    const minimumAvailable = available >= desired - maxUnavailable;
    const rolledOut =
      updated === desired && replicas === desired && available === desired;
    const status = {
      observedGeneration: deployment.metadata.generation,
      ...counts({
        replicas,
        updatedReplicas: updated,
        readyReplicas: sum('readyReplicas'),
        availableReplicas: available,
        unavailableReplicas: Math.max(0, desired - available),
      }),
      conditions: [
        condition(
          previous,
          minimumAvailable
            ? {
                type: 'Available',
                status: 'True',
                reason: 'MinimumReplicasAvailable',
                message: 'Deployment has minimum availability.',
              }
            : {
                type: 'Available',
                status: 'False',
                reason: 'MinimumReplicasUnavailable',
                message: 'Deployment does not have minimum availability.',
              },
        ),
        condition(previous, {
          type: 'Progressing',
          status: 'True',
          reason: rolledOut ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated',
          message: rolledOut
            ? `ReplicaSet "${current.metadata.name}" has successfully progressed.`
            : `ReplicaSet "${current.metadata.name}" is progressing.`,
        }),
      ],
    };
    this.writeStatus(DEPLOYMENTS, deployment, status);
  }

  /** Writes status through the status subresource if it differs, ignoring condition timestamps. */
  private writeStatus(
    kind: { group: string; plural: string },
    object: KubeObject,
    status: Json,
  ) {
    const strip = (value: Json) =>
      JSON.stringify({
        ...value,
        conditions: (value.conditions ?? []).map(
          ({ lastUpdateTime: _u, lastTransitionTime: _t, ...rest }: Json) =>
            rest,
        ),
      });
    if (strip(statusOf(object)) === strip(status)) {
      return;
    }
    this.client.replaceStatus(
      {
        ...kind,
        namespace: object.metadata.namespace,
        name: object.metadata.name,
      },
      status,
    );
  }

  private reconcileReplicaSet(replicaSet: KubeObject) {
    const spec = specOf(replicaSet);
    const desired = Number(spec.replicas ?? 1);
    const namespace = replicaSet.metadata.namespace;
    const pods = this.owned(PODS, replicaSet).filter(
      pod => !pod.metadata.deletionTimestamp,
    );
    for (let i = pods.length; i < desired; i += 1) {
      const template = structuredClone(spec.template ?? {});
      const pod = this.client.create(
        { ...PODS, namespace },
        {
          metadata: {
            ...template.metadata,
            generateName: `${replicaSet.metadata.name}-`,
            namespace,
            ownerReferences: [controllerRef(replicaSet)],
          },
          spec: { ...template.spec, nodeName: NODE_NAME },
        },
      );
      pods.push(pod);
      this.client.recordEvent(replicaSet, 'replicaset-controller', {
        type: 'Normal',
        reason: 'SuccessfulCreate',
        message: `Created pod: ${pod.metadata.name}`,
      });
    }
    // Not-yet-running Pods go first, then the newest, as the ReplicaSet controller prefers.
    const surplus = [...pods]
      .sort(
        (a, b) =>
          Number(isPodReady(a)) - Number(isPodReady(b)) ||
          (b.metadata.creationTimestamp > a.metadata.creationTimestamp
            ? 1
            : -1),
      )
      .slice(0, Math.max(0, pods.length - desired));
    for (const pod of surplus) {
      this.client.delete({ ...PODS, namespace, name: pod.metadata.name });
      this.client.recordEvent(replicaSet, 'replicaset-controller', {
        type: 'Normal',
        reason: 'SuccessfulDelete',
        message: `Deleted pod: ${pod.metadata.name}`,
      });
    }
    const remaining = pods.filter(pod => !surplus.includes(pod));
    const ready = remaining.filter(pod =>
      isPodReady(
        this.client.get({ ...PODS, namespace, name: pod.metadata.name }) ?? pod,
      ),
    ).length;
    this.writeStatus(REPLICA_SETS, replicaSet, {
      replicas: remaining.length,
      ...counts({
        fullyLabeledReplicas: remaining.length,
        readyReplicas: ready,
        availableReplicas: ready,
      }),
      observedGeneration: replicaSet.metadata.generation,
    });
  }

  /** The scheduler's and kubelet's part: bind a Pending Pod to the node, then after the delay report it Running. */
  private runPod(pod: KubeObject) {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const status = statusOf(pod);
    if (status.phase !== 'Pending' || this.starting.has(key)) {
      return;
    }
    this.starting.add(key);
    const ref = {
      ...PODS,
      namespace: pod.metadata.namespace,
      name: pod.metadata.name,
    };
    const containers = (specOf(pod).containers ?? []) as Json[];
    const scheduledAt = timestamp();
    if (!specOf(pod).nodeName) {
      this.client.mergePatch(ref, { spec: { nodeName: NODE_NAME } });
    }
    this.client.replaceStatus(ref, {
      ...status,
      conditions: [
        {
          type: 'PodScheduled',
          status: 'True',
          lastProbeTime: null,
          lastTransitionTime: scheduledAt,
        },
      ],
      hostIP: NODE_IP,
      hostIPs: [{ ip: NODE_IP }],
      startTime: scheduledAt,
      containerStatuses: containers.map(container => ({
        name: container.name,
        image: container.image,
        imageID: '',
        ready: false,
        started: false,
        restartCount: 0,
        state: { waiting: { reason: 'ContainerCreating' } },
        lastState: {},
      })),
    });
    this.client.recordEvent(pod, 'default-scheduler', {
      type: 'Normal',
      reason: 'Scheduled',
      message: `Successfully assigned ${key} to ${NODE_NAME}`,
    });
    this.delayed.later(this.options.delayMs, () => {
      this.starting.delete(key);
      const current = this.client.get(ref);
      if (!current || isForced(current) || current.metadata.deletionTimestamp) {
        return;
      }
      const startedAt = timestamp();
      const ip = podIp(current);
      const readyCondition = (type: string) => ({
        type,
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: startedAt,
      });
      tolerateGone(() => {
        this.client.replaceStatus(ref, {
          ...statusOf(current),
          phase: 'Running',
          conditions: [
            readyCondition('PodReadyToStartContainers'),
            readyCondition('Initialized'),
            readyCondition('Ready'),
            readyCondition('ContainersReady'),
            {
              type: 'PodScheduled',
              status: 'True',
              lastProbeTime: null,
              lastTransitionTime: scheduledAt,
            },
          ],
          podIP: ip,
          podIPs: [{ ip }],
          containerStatuses: containers.map(container => ({
            name: container.name,
            image: container.image,
            imageID: `${String(container.image).split(':')[0]}@sha256:${hash(
              String(container.image),
            ).toString('hex')}`,
            containerID: `containerd://${hash(
              `${current.metadata.uid}/${container.name}`,
            ).toString('hex')}`,
            ready: true,
            started: true,
            restartCount: 0,
            state: { running: { startedAt } },
            lastState: {},
          })),
        });
        this.client.recordEvent(current, 'kubelet', {
          type: 'Normal',
          reason: 'Started',
          message: `Started container ${containers
            .map(c => c.name)
            .join(', ')}`,
        });
      });
    });
  }

  /** metrics-server's part: a PodMetrics for every Running Pod, gone with the Pod. */
  private syncMetrics(changed: KubeObject) {
    const ref = {
      ...POD_METRICS,
      namespace: changed.metadata.namespace,
      name: changed.metadata.name,
    };
    const pod = this.client.get({
      ...PODS,
      namespace: ref.namespace,
      name: ref.name,
    });
    const metrics = this.client.get(ref);
    if (!pod || statusOf(pod).phase !== 'Running') {
      if (metrics) {
        this.client.delete(ref);
      }
      return;
    }
    if (metrics) {
      return;
    }
    const containers = (specOf(pod).containers ?? []) as Json[];
    tolerateGone(() => {
      this.client.create(
        { ...POD_METRICS, namespace: ref.namespace },
        {
          metadata: {
            name: pod.metadata.name,
            namespace: pod.metadata.namespace,
            labels: pod.metadata.labels,
          },
          timestamp: timestamp(),
          window: '15s',
          containers: containers.map(container => ({
            name: container.name,
            usage: usage(pod, container),
          })),
        },
      );
    });
  }
}
