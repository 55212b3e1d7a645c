/*
 * The defaults the apiserver fills into built-in workload types (its
 * SetDefaults_* functions), so objects read back the way they would from a
 * real cluster and the simulated controllers can rely on them. Only the
 * commonly read fields are covered; anything set by the client is kept.
 */
import { isObject } from './schema';
import { KubeObject } from './store';

type Json = Record<string, any>;

function setDefault(target: Json, field: string, value: unknown) {
  if (target[field] === undefined) {
    target[field] = value;
  }
}

function defaultContainer(container: unknown) {
  if (!isObject(container)) {
    return;
  }
  const image = String(container.image ?? '');
  const tag = image.includes('@')
    ? 'digest'
    : image.split('/').pop()?.split(':')[1];
  setDefault(
    container,
    'imagePullPolicy',
    !tag || tag === 'latest' ? 'Always' : 'IfNotPresent',
  );
  setDefault(container, 'terminationMessagePath', '/dev/termination-log');
  setDefault(container, 'terminationMessagePolicy', 'File');
  setDefault(container, 'resources', {});
  // The apiserver stores quantities as strings: `cpu: 1` in YAML reads back as "1", and
  // clients (Backstage's Kubernetes plugin among them) parse them as strings.
  if (isObject(container.resources)) {
    for (const list of ['limits', 'requests']) {
      const quantities = container.resources[list];
      if (isObject(quantities)) {
        for (const [name, quantity] of Object.entries(quantities)) {
          if (typeof quantity === 'number') quantities[name] = String(quantity);
        }
      }
    }
  }
  for (const port of Array.isArray(container.ports) ? container.ports : []) {
    if (isObject(port)) setDefault(port, 'protocol', 'TCP');
  }
}

function defaultPodSpec(spec: unknown) {
  if (!isObject(spec)) {
    return;
  }
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'schedulerName', 'default-scheduler');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'securityContext', {});
  for (const list of ['containers', 'initContainers']) {
    (Array.isArray(spec[list]) ? spec[list] : []).forEach(defaultContainer);
  }
}

function templateSpec(spec: Json): unknown {
  return isObject(spec.template) ? spec.template.spec : undefined;
}

/** The QoS class the apiserver records on a new Pod, from its containers' requests and limits. */
function qosClass(spec: Json): string {
  const containers = (Array.isArray(spec.containers) ? spec.containers : [])
    .filter(isObject)
    .map(c => (isObject(c.resources) ? c.resources : {}));
  const requests = containers.map(r =>
    isObject(r.requests) ? r.requests : {},
  );
  const limits = containers.map(r => (isObject(r.limits) ? r.limits : {}));
  const hasAny = [...requests, ...limits].some(r => Object.keys(r).length);
  if (!hasAny) {
    return 'BestEffort';
  }
  const guaranteed = containers.every(
    (_, i) =>
      ['cpu', 'memory'].every(resource => limits[i][resource] !== undefined) &&
      Object.entries(requests[i]).every(
        ([resource, quantity]) => limits[i][resource] === quantity,
      ),
  );
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** Allocates Service cluster IPs from 10.96.0.0/12, as a kubeadm cluster does. */
export class ClusterIpAllocator {
  private next = 10;

  allocate(): string {
    const n = this.next;
    this.next += 1;
    return `10.96.${Math.floor(n / 250)}.${(n % 250) + 1}`;
  }
}

/**
 * Fills in the defaults of a built-in type's spec. `existing` is the stored
 * object on updates, whose allocated fields (a Service's cluster IP) carry over.
 */
export function applyBuiltInDefaults(
  group: string,
  plural: string,
  object: KubeObject,
  ips: ClusterIpAllocator,
  existing?: KubeObject,
) {
  const spec: Json = isObject(object.spec) ? object.spec : {};
  switch (`${group}/${plural}`) {
    case '/pods':
      object.spec = spec;
      defaultPodSpec(spec);
      return;
    case 'apps/deployments':
      object.spec = spec;
      setDefault(spec, 'replicas', 1);
      setDefault(spec, 'revisionHistoryLimit', 10);
      setDefault(spec, 'progressDeadlineSeconds', 600);
      setDefault(spec, 'strategy', {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
      });
      defaultPodSpec(templateSpec(spec));
      return;
    case 'apps/replicasets':
      object.spec = spec;
      setDefault(spec, 'replicas', 1);
      defaultPodSpec(templateSpec(spec));
      return;
    case 'apps/statefulsets':
      object.spec = spec;
      setDefault(spec, 'replicas', 1);
      setDefault(spec, 'podManagementPolicy', 'OrderedReady');
      setDefault(spec, 'revisionHistoryLimit', 10);
      setDefault(spec, 'updateStrategy', {
        type: 'RollingUpdate',
        rollingUpdate: { partition: 0 },
      });
      defaultPodSpec(templateSpec(spec));
      return;
    case 'apps/daemonsets':
      object.spec = spec;
      setDefault(spec, 'revisionHistoryLimit', 10);
      setDefault(spec, 'updateStrategy', {
        type: 'RollingUpdate',
        rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
      });
      defaultPodSpec(templateSpec(spec));
      return;
    case 'batch/jobs':
      object.spec = spec;
      setDefault(spec, 'parallelism', 1);
      setDefault(spec, 'completions', 1);
      setDefault(spec, 'backoffLimit', 6);
      setDefault(spec, 'completionMode', 'NonIndexed');
      setDefault(spec, 'suspend', false);
      defaultPodSpec(templateSpec(spec));
      return;
    case 'batch/cronjobs':
      object.spec = spec;
      setDefault(spec, 'concurrencyPolicy', 'Allow');
      setDefault(spec, 'suspend', false);
      setDefault(spec, 'successfulJobsHistoryLimit', 3);
      setDefault(spec, 'failedJobsHistoryLimit', 1);
      return;
    case '/services': {
      object.spec = spec;
      setDefault(spec, 'type', 'ClusterIP');
      setDefault(spec, 'sessionAffinity', 'None');
      if (spec.type !== 'ExternalName') {
        const previous = isObject(existing?.spec) ? existing!.spec : {};
        setDefault(spec, 'clusterIP', previous.clusterIP ?? ips.allocate());
        setDefault(spec, 'clusterIPs', [spec.clusterIP]);
        setDefault(spec, 'ipFamilies', ['IPv4']);
        setDefault(spec, 'ipFamilyPolicy', 'SingleStack');
        setDefault(spec, 'internalTrafficPolicy', 'Cluster');
      }
      for (const port of Array.isArray(spec.ports) ? spec.ports : []) {
        if (isObject(port)) {
          setDefault(port, 'protocol', 'TCP');
          setDefault(port, 'targetPort', port.port);
        }
      }
      return;
    }
    default:
      return;
  }
}

/** The status the apiserver gives a new object of a built-in type whose status only controllers write. */
export function initialBuiltInStatus(
  group: string,
  plural: string,
  object: KubeObject,
): Json | undefined {
  switch (`${group}/${plural}`) {
    case '/pods':
      return {
        phase: 'Pending',
        qosClass: qosClass(isObject(object.spec) ? object.spec : {}),
      };
    case '/services':
      return { loadBalancer: {} };
    default:
      return undefined;
  }
}
