/*
 * The columns the apiserver prints for built-in types in Table responses,
 * after Kubernetes 1.32's pkg/printers/internalversion: `kubectl get pods`
 * shows READY, STATUS, RESTARTS, AGE because the server sends them.
 */
import { KubeObject } from './store';

export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

export type Cell = string | number | boolean | null;

export interface TablePrinter {
  columns: TableColumn[];
  cells(object: KubeObject, now: number): Cell[];
}

type ColumnSpec = [
  name: string,
  type?: TableColumn['type'],
  priority?: number,
  format?: string,
];

export function columns(...specs: ColumnSpec[]): TableColumn[] {
  return specs.map(([name, type = 'string', priority = 0, format = '']) => ({
    name,
    type,
    format,
    description: `${name} of the object`,
    priority,
  }));
}

const NAME: ColumnSpec = ['Name', 'string', 0, 'name'];
const AGE: ColumnSpec = ['Age'];
const WORKLOAD_WIDE: ColumnSpec[] = [
  ['Containers', 'string', 1],
  ['Images', 'string', 1],
  ['Selector', 'string', 1],
];

/** apimachinery's duration.HumanDuration: 45s, 3m20s, 5h12m, 3d4h, 2y10d. */
export function humanDuration(milliseconds: number): string {
  const seconds = Math.floor(milliseconds / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8)
    return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8)
    return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (hours < 24 * 365 * 8) {
    return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  }
  return `${years}y`;
}

/** Time since a timestamp as the AGE column shows it; `<unknown>` without one. */
export function since(timestamp: unknown, now: number): string {
  const time = typeof timestamp === 'string' ? Date.parse(timestamp) : NaN;
  return Number.isNaN(time) ? '<unknown>' : humanDuration(now - time);
}

const record = (value: unknown): Record<string, any> =>
  typeof value === 'object' && value !== null ? (value as any) : {};
const list = (value: unknown): any[] => (Array.isArray(value) ? value : []);
const count = (value: unknown): number =>
  typeof value === 'number' ? value : 0;
/** printBoolPtr: True, False, or <unset> for a field left out. */
const boolPointer = (value: unknown): string => {
  if (value === undefined) return '<unset>';
  return value ? 'True' : 'False';
};
const orNone = (text: string | undefined): string => text || '<none>';

/** labels.FormatLabels: sorted `key=value` pairs, `<none>` when empty. */
function formatLabels(labels: unknown): string {
  const entries = Object.entries(record(labels)).sort(([a], [b]) =>
    a < b ? -1 : 1,
  );
  return orNone(entries.map(([key, value]) => `${key}=${value}`).join(','));
}

/** A LabelSelector the way metav1.LabelSelectorAsSelector prints it. */
function formatSelector(selector: unknown): string {
  const { matchLabels, matchExpressions } = record(selector);
  const parts = Object.entries(record(matchLabels)).map(
    ([key, value]) => `${key}=${value}`,
  );
  for (const expression of list(matchExpressions)) {
    const values = list(expression.values).slice().sort().join(',');
    switch (expression.operator) {
      case 'In':
        parts.push(`${expression.key} in (${values})`);
        break;
      case 'NotIn':
        parts.push(`${expression.key} notin (${values})`);
        break;
      case 'Exists':
        parts.push(String(expression.key));
        break;
      default:
        parts.push(`!${expression.key}`);
    }
  }
  return orNone(parts.sort().join(','));
}

function podTemplateCells(template: unknown, selector: unknown): Cell[] {
  const containers = list(record(record(template).spec).containers);
  return [
    containers.map(c => c.name).join(','),
    containers.map(c => c.image).join(','),
    formatSelector(selector),
  ];
}

function podCells(pod: KubeObject, now: number): Cell[] {
  const spec = record(pod.spec);
  const status = record(pod.status);
  let reason: string = status.reason || status.phase || '';
  let restarts = 0;
  let lastRestart = 0;
  let ready = 0;
  let running = false;
  const statuses = list(status.containerStatuses);
  for (const container of [...statuses].reverse()) {
    restarts += count(container.restartCount);
    const finished = Date.parse(
      record(record(container.lastState).terminated).finishedAt,
    );
    if (!Number.isNaN(finished) && finished > lastRestart)
      lastRestart = finished;
    const state = record(container.state);
    if (state.waiting?.reason) {
      reason = state.waiting.reason;
    } else if (state.terminated?.reason) {
      reason = state.terminated.reason;
    } else if (state.terminated) {
      reason = state.terminated.signal
        ? `Signal:${state.terminated.signal}`
        : `ExitCode:${state.terminated.exitCode}`;
    } else if (container.ready && state.running) {
      running = true;
      ready += 1;
    }
  }
  if (reason === 'Completed' && running) {
    const podReady = list(status.conditions).some(
      c => c.type === 'Ready' && c.status === 'True',
    );
    reason = podReady ? 'Running' : 'NotReady';
  }
  if (pod.metadata.deletionTimestamp) {
    reason = status.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  }
  const gates = list(spec.readinessGates);
  const gatesPassed = gates.filter(gate =>
    list(status.conditions).some(
      c => c.type === gate.conditionType && c.status === 'True',
    ),
  ).length;
  return [
    pod.metadata.name,
    `${ready}/${list(spec.containers).length}`,
    reason,
    lastRestart
      ? `${restarts} (${humanDuration(now - lastRestart)} ago)`
      : String(restarts),
    since(pod.metadata.creationTimestamp, now),
    orNone(status.podIP),
    orNone(spec.nodeName),
    orNone(status.nominatedNodeName),
    gates.length ? `${gatesPassed}/${gates.length}` : '<none>',
  ];
}

function serviceCells(service: KubeObject, now: number): Cell[] {
  const spec = record(service.spec);
  const type = spec.type || 'ClusterIP';
  const externalIps = list(spec.externalIPs);
  let external: string;
  if (type === 'ExternalName') {
    external = spec.externalName;
  } else if (type === 'LoadBalancer') {
    const ingress = list(record(record(service.status).loadBalancer).ingress)
      .map(entry => entry.ip || entry.hostname)
      .filter(Boolean);
    const all = [...ingress, ...externalIps];
    external = all.length ? all.join(',') : '<pending>';
  } else {
    external = orNone(externalIps.join(','));
  }
  const ports = list(spec.ports).map(port =>
    port.nodePort
      ? `${port.port}:${port.nodePort}/${port.protocol ?? 'TCP'}`
      : `${port.port}/${port.protocol ?? 'TCP'}`,
  );
  return [
    service.metadata.name,
    type,
    orNone(spec.clusterIP),
    external,
    orNone(ports.join(',')),
    since(service.metadata.creationTimestamp, now),
    formatLabels(spec.selector),
  ];
}

function jobStatus(job: KubeObject): string {
  const has = (type: string) =>
    list(record(job.status).conditions).some(
      c => c.type === type && c.status === 'True',
    );
  if (has('Complete')) return 'Complete';
  if (has('Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (has('Suspended')) return 'Suspended';
  if (has('FailureTarget')) return 'FailureTarget';
  if (has('SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

function jobCells(job: KubeObject, now: number): Cell[] {
  const spec = record(job.spec);
  const status = record(job.status);
  const succeeded = count(status.succeeded);
  let completions: string;
  if (typeof spec.completions === 'number') {
    completions = `${succeeded}/${spec.completions}`;
  } else if (count(spec.parallelism) > 1) {
    completions = `${succeeded}/1 of ${spec.parallelism}`;
  } else {
    completions = `${succeeded}/1`;
  }
  const started = Date.parse(status.startTime);
  const finished = Date.parse(status.completionTime);
  let duration = '';
  if (!Number.isNaN(started)) {
    duration = humanDuration(
      (Number.isNaN(finished) ? now : finished) - started,
    );
  }
  return [
    job.metadata.name,
    jobStatus(job),
    completions,
    duration,
    since(job.metadata.creationTimestamp, now),
    ...podTemplateCells(spec.template, spec.selector),
  ];
}

function hpaTargets(hpa: KubeObject): string {
  const metrics = list(record(hpa.spec).metrics);
  if (metrics.length === 0) return '<none>';
  const current = list(record(hpa.status).currentMetrics);
  return metrics
    .map((metric, index) => {
      const target = record(
        record(metric.resource ?? metric.containerResource).target,
      );
      const now = record(
        record(current[index]?.resource ?? current[index]?.containerResource)
          .current,
      );
      const name =
        metric.resource?.name ?? metric.containerResource?.name ?? metric.type;
      if (target.averageUtilization !== undefined) {
        const value =
          now.averageUtilization !== undefined
            ? `${now.averageUtilization}%`
            : '<unknown>';
        return `${name}: ${value}/${target.averageUtilization}%`;
      }
      const wanted = target.averageValue ?? target.value ?? '<unknown>';
      return `${name}: ${
        now.averageValue ?? now.value ?? '<unknown>'
      }/${wanted}`;
    })
    .join(', ');
}

/** What the apiserver's default table convertor shows for types without printers (CRDs, PodMetrics, LimitRanges). */
export const DEFAULT_PRINTER: TablePrinter = {
  columns: columns(NAME, ['Created At', 'date']),
  cells: object => [object.metadata.name, object.metadata.creationTimestamp],
};

const age = (object: KubeObject, now: number) =>
  since(object.metadata.creationTimestamp, now);

/** Printers by `group/plural` (the store's type key). */
export const BUILT_IN_PRINTERS: Record<string, TablePrinter> = {
  '/namespaces': {
    columns: columns(NAME, ['Status'], AGE),
    cells: (ns, now) => [
      ns.metadata.name,
      record(ns.status).phase ?? '',
      age(ns, now),
    ],
  },
  '/secrets': {
    columns: columns(NAME, ['Type'], ['Data', 'integer'], AGE),
    cells: (secret, now) => [
      secret.metadata.name,
      String(secret.type ?? 'Opaque'),
      Object.keys(record(secret.data)).length,
      age(secret, now),
    ],
  },
  '/configmaps': {
    columns: columns(NAME, ['Data', 'integer'], AGE),
    cells: (cm, now) => [
      cm.metadata.name,
      Object.keys(record(cm.data)).length +
        Object.keys(record(cm.binaryData)).length,
      age(cm, now),
    ],
  },
  '/events': {
    columns: columns(
      ['Last Seen'],
      ['Type'],
      ['Reason'],
      ['Object'],
      ['Subobject', 'string', 1],
      ['Source', 'string', 1],
      ['Message'],
      ['First Seen', 'string', 1],
      ['Count', 'integer', 1],
      ['Name', 'string', 1, 'name'],
    ),
    cells: (event: any, now) => {
      const involved = record(event.involvedObject);
      const source = record(event.source);
      const last =
        event.series?.lastObservedTime ??
        event.lastTimestamp ??
        event.eventTime;
      const first = event.firstTimestamp ?? event.eventTime;
      return [
        since(last, now),
        event.type ?? '',
        event.reason ?? '',
        `${String(involved.kind ?? '').toLowerCase()}/${involved.name ?? ''}`,
        involved.fieldPath ?? '',
        [source.component ?? event.reportingComponent, source.host]
          .filter(Boolean)
          .join(', '),
        String(event.message ?? '').trim(),
        since(first, now),
        count(event.series?.count ?? event.count),
        event.metadata.name,
      ];
    },
  },
  '/pods': {
    columns: columns(
      NAME,
      ['Ready'],
      ['Status'],
      ['Restarts'],
      AGE,
      ['IP', 'string', 1],
      ['Node', 'string', 1],
      ['Nominated Node', 'string', 1],
      ['Readiness Gates', 'string', 1],
    ),
    cells: podCells,
  },
  '/services': {
    columns: columns(
      NAME,
      ['Type'],
      ['Cluster-IP'],
      ['External-IP'],
      ['Port(s)'],
      AGE,
      ['Selector', 'string', 1],
    ),
    cells: serviceCells,
  },
  '/resourcequotas': {
    columns: columns(NAME, AGE, ['Request'], ['Limit']),
    cells: (quota, now) => {
      const status = record(quota.status);
      const pairs = (limits: boolean) =>
        Object.keys(record(status.hard))
          .filter(key => key.startsWith('limits.') === limits)
          .sort()
          .map(
            key =>
              `${key}: ${record(status.used)[key] ?? 0}/${status.hard[key]}`,
          )
          .join(', ');
      return [quota.metadata.name, age(quota, now), pairs(false), pairs(true)];
    },
  },
  'apps/deployments': {
    columns: columns(
      NAME,
      ['Ready'],
      ['Up-to-date', 'integer'],
      ['Available', 'integer'],
      AGE,
      ...WORKLOAD_WIDE,
    ),
    cells: (deployment, now) => {
      const spec = record(deployment.spec);
      const status = record(deployment.status);
      return [
        deployment.metadata.name,
        `${count(status.readyReplicas)}/${count(spec.replicas)}`,
        count(status.updatedReplicas),
        count(status.availableReplicas),
        age(deployment, now),
        ...podTemplateCells(spec.template, spec.selector),
      ];
    },
  },
  'apps/replicasets': {
    columns: columns(
      NAME,
      ['Desired', 'integer'],
      ['Current', 'integer'],
      ['Ready', 'integer'],
      AGE,
      ...WORKLOAD_WIDE,
    ),
    cells: (rs, now) => {
      const spec = record(rs.spec);
      const status = record(rs.status);
      return [
        rs.metadata.name,
        count(spec.replicas),
        count(status.replicas),
        count(status.readyReplicas),
        age(rs, now),
        ...podTemplateCells(spec.template, spec.selector),
      ];
    },
  },
  'apps/statefulsets': {
    columns: columns(
      NAME,
      ['Ready'],
      AGE,
      ['Containers', 'string', 1],
      ['Images', 'string', 1],
    ),
    cells: (sts, now) => {
      const spec = record(sts.spec);
      return [
        sts.metadata.name,
        `${count(record(sts.status).readyReplicas)}/${count(spec.replicas)}`,
        age(sts, now),
        ...podTemplateCells(spec.template, spec.selector).slice(0, 2),
      ];
    },
  },
  'apps/daemonsets': {
    columns: columns(
      NAME,
      ['Desired', 'integer'],
      ['Current', 'integer'],
      ['Ready', 'integer'],
      ['Up-to-date', 'integer'],
      ['Available', 'integer'],
      ['Node Selector'],
      AGE,
      ...WORKLOAD_WIDE,
    ),
    cells: (ds, now) => {
      const spec = record(ds.spec);
      const status = record(ds.status);
      return [
        ds.metadata.name,
        count(status.desiredNumberScheduled),
        count(status.currentNumberScheduled),
        count(status.numberReady),
        count(status.updatedNumberScheduled),
        count(status.numberAvailable),
        formatLabels(record(record(spec.template).spec).nodeSelector),
        age(ds, now),
        ...podTemplateCells(spec.template, spec.selector),
      ];
    },
  },
  'autoscaling/horizontalpodautoscalers': {
    columns: columns(
      NAME,
      ['Reference'],
      ['Targets'],
      ['MinPods'],
      ['MaxPods', 'integer'],
      ['Replicas', 'integer'],
      AGE,
    ),
    cells: (hpa, now) => {
      const spec = record(hpa.spec);
      const target = record(spec.scaleTargetRef);
      return [
        hpa.metadata.name,
        `${target.kind}/${target.name}`,
        hpaTargets(hpa),
        typeof spec.minReplicas === 'number'
          ? String(spec.minReplicas)
          : '<unset>',
        count(spec.maxReplicas),
        count(record(hpa.status).currentReplicas),
        age(hpa, now),
      ];
    },
  },
  'policy/poddisruptionbudgets': {
    columns: columns(
      NAME,
      ['Min Available'],
      ['Max Unavailable'],
      ['Allowed Disruptions', 'integer'],
      AGE,
    ),
    cells: (pdb, now) => {
      const spec = record(pdb.spec);
      const intOrString = (value: unknown) =>
        value === undefined || value === null ? 'N/A' : String(value);
      return [
        pdb.metadata.name,
        intOrString(spec.minAvailable),
        intOrString(spec.maxUnavailable),
        count(record(pdb.status).disruptionsAllowed),
        age(pdb, now),
      ];
    },
  },
  'batch/jobs': {
    columns: columns(
      NAME,
      ['Status'],
      ['Completions'],
      ['Duration'],
      AGE,
      ...WORKLOAD_WIDE,
    ),
    cells: jobCells,
  },
  'batch/cronjobs': {
    columns: columns(
      NAME,
      ['Schedule'],
      ['Timezone'],
      ['Suspend', 'boolean'],
      ['Active', 'integer'],
      ['Last Schedule'],
      AGE,
      ...WORKLOAD_WIDE,
    ),
    cells: (cj, now) => {
      const spec = record(cj.spec);
      const status = record(cj.status);
      const template = record(record(spec.jobTemplate).spec);
      return [
        cj.metadata.name,
        spec.schedule ?? '',
        orNone(spec.timeZone),
        boolPointer(spec.suspend),
        list(status.active).length,
        status.lastScheduleTime
          ? since(status.lastScheduleTime, now)
          : '<none>',
        age(cj, now),
        ...podTemplateCells(template.template, template.selector),
      ];
    },
  },
  'networking.k8s.io/networkpolicies': {
    columns: columns(NAME, ['Pod-Selector'], AGE),
    cells: (policy, now) => [
      policy.metadata.name,
      formatSelector(record(policy.spec).podSelector),
      age(policy, now),
    ],
  },
  'networking.k8s.io/ingresses': {
    columns: columns(NAME, ['Class'], ['Hosts'], ['Address'], ['Ports'], AGE),
    cells: (ingress, now) => {
      const spec = record(ingress.spec);
      const hosts = list(spec.rules)
        .map(rule => rule.host)
        .filter(Boolean);
      const address = list(record(record(ingress.status).loadBalancer).ingress)
        .map(entry => entry.ip || entry.hostname)
        .filter(Boolean);
      return [
        ingress.metadata.name,
        orNone(spec.ingressClassName),
        hosts.length ? hosts.join(',') : '*',
        address.join(','),
        list(spec.tls).length ? '80, 443' : '80',
        age(ingress, now),
      ];
    },
  },
};
