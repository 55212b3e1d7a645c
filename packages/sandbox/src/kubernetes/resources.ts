/*
 * The resource types the stand-in serves: built-in ones (core, apps,
 * batch, autoscaling, policy, networking, metrics) and those defined by
 * CustomResourceDefinitions.
 */
import { JSONSchemaProps, isObject } from './schema';
import { FieldError } from './status';

export interface ServedVersion {
  schema?: JSONSchemaProps;
  statusSubresource: boolean;
}

export interface ResourceType {
  /** '' for the core group. */
  group: string;
  /** Served versions, preferred first. */
  versions: Map<string, ServedVersion>;
  /** The version objects are kept in; other versions are served by rewriting apiVersion only, like a CRD with conversion strategy None. */
  storageVersion: string;
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** The verbs served over HTTP, as discovery lists them; in-process controllers may write any type. */
  verbs: string[];
  /** Custom resources differ from core types in a few rules: mandatory resourceVersion on update, delete returning the object, list items keeping apiVersion and kind. */
  custom: boolean;
  /** Whether the apiserver keeps `metadata.generation`: set to 1 on create and bumped on changes to the spec. */
  tracksGeneration: boolean;
  /** Field selectors beyond metadata.name and metadata.namespace. */
  extraFieldSelectors: string[];
}

export const VERBS = [
  'create',
  'delete',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];

export function typeKey(group: string, plural: string): string {
  return `${group}/${plural}`;
}

export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

interface BuiltInOptions {
  namespaced?: boolean;
  shortNames?: string[];
  categories?: string[];
  extraFieldSelectors?: string[];
  statusSubresource?: boolean;
  tracksGeneration?: boolean;
  verbs?: string[];
}

/** A type compiled into the apiserver (or, for metrics, served by an aggregated API server): no schema, no validation beyond names. */
function builtIn(
  groupVersion: string,
  plural: string,
  kind: string,
  options: BuiltInOptions = {},
): ResourceType {
  const [group, version] = groupVersion.includes('/')
    ? groupVersion.split('/')
    : ['', groupVersion];
  return {
    group,
    versions: new Map([
      [version, { statusSubresource: options.statusSubresource ?? false }],
    ]),
    storageVersion: version,
    plural,
    singular: kind.toLowerCase(),
    kind,
    listKind: `${kind}List`,
    namespaced: options.namespaced ?? true,
    shortNames: options.shortNames ?? [],
    categories: options.categories ?? [],
    verbs: options.verbs ?? VERBS,
    custom: false,
    tracksGeneration: options.tracksGeneration ?? false,
    extraFieldSelectors: options.extraFieldSelectors ?? [],
  };
}

export const NAMESPACES = builtIn('v1', 'namespaces', 'Namespace', {
  namespaced: false,
  shortNames: ['ns'],
  extraFieldSelectors: ['status.phase'],
  statusSubresource: true,
});

/** Workload types: the apiserver keeps their generation and lets only controllers write their status. */
const workload = (options: BuiltInOptions): BuiltInOptions => ({
  statusSubresource: true,
  tracksGeneration: true,
  categories: ['all'],
  ...options,
});

/** metrics-server's PodMetrics, which only answers get and list. */
export const POD_METRICS = builtIn(
  'metrics.k8s.io/v1beta1',
  'pods',
  'PodMetrics',
  {
    verbs: ['get', 'list'],
  },
);

/**
 * The built-in types served, with the short names, categories and field
 * selectors of Kubernetes 1.32. Besides Namespaces, Secrets, ConfigMaps and
 * Events they are what Backstage's Kubernetes plugin lists for an entity.
 */
export const BUILT_IN_TYPES: ResourceType[] = [
  NAMESPACES,
  builtIn('v1', 'secrets', 'Secret', { extraFieldSelectors: ['type'] }),
  builtIn('v1', 'configmaps', 'ConfigMap', { shortNames: ['cm'] }),
  builtIn('v1', 'events', 'Event', {
    shortNames: ['ev'],
    extraFieldSelectors: [
      'involvedObject.kind',
      'involvedObject.namespace',
      'involvedObject.name',
      'involvedObject.uid',
      'involvedObject.apiVersion',
      'involvedObject.resourceVersion',
      'involvedObject.fieldPath',
      'reason',
      'reportingComponent',
      'type',
    ],
  }),
  builtIn('v1', 'pods', 'Pod', {
    shortNames: ['po'],
    categories: ['all'],
    statusSubresource: true,
    extraFieldSelectors: [
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'spec.serviceAccountName',
      'spec.hostNetwork',
      'status.phase',
      'status.podIP',
      'status.nominatedNodeName',
    ],
  }),
  builtIn('v1', 'services', 'Service', {
    shortNames: ['svc'],
    categories: ['all'],
    statusSubresource: true,
  }),
  builtIn('v1', 'limitranges', 'LimitRange', { shortNames: ['limits'] }),
  builtIn('v1', 'resourcequotas', 'ResourceQuota', {
    shortNames: ['quota'],
    statusSubresource: true,
  }),
  builtIn(
    'apps/v1',
    'deployments',
    'Deployment',
    workload({ shortNames: ['deploy'] }),
  ),
  builtIn(
    'apps/v1',
    'replicasets',
    'ReplicaSet',
    workload({ shortNames: ['rs'], extraFieldSelectors: ['status.replicas'] }),
  ),
  builtIn(
    'apps/v1',
    'statefulsets',
    'StatefulSet',
    workload({ shortNames: ['sts'] }),
  ),
  builtIn(
    'apps/v1',
    'daemonsets',
    'DaemonSet',
    workload({ shortNames: ['ds'] }),
  ),
  builtIn(
    'autoscaling/v2',
    'horizontalpodautoscalers',
    'HorizontalPodAutoscaler',
    workload({ shortNames: ['hpa'] }),
  ),
  builtIn('policy/v1', 'poddisruptionbudgets', 'PodDisruptionBudget', {
    shortNames: ['pdb'],
    statusSubresource: true,
    tracksGeneration: true,
  }),
  builtIn(
    'batch/v1',
    'jobs',
    'Job',
    workload({ extraFieldSelectors: ['status.successful'] }),
  ),
  builtIn('batch/v1', 'cronjobs', 'CronJob', workload({ shortNames: ['cj'] })),
  builtIn(
    'networking.k8s.io/v1',
    'ingresses',
    'Ingress',
    workload({ shortNames: ['ing'], categories: [] }),
  ),
  builtIn('networking.k8s.io/v1', 'networkpolicies', 'NetworkPolicy', {
    shortNames: ['netpol'],
    tracksGeneration: true,
  }),
  POD_METRICS,
];

export const CRD_TYPE: ResourceType = {
  group: 'apiextensions.k8s.io',
  versions: new Map([['v1', { statusSubresource: true }]]),
  storageVersion: 'v1',
  plural: 'customresourcedefinitions',
  singular: 'customresourcedefinition',
  kind: 'CustomResourceDefinition',
  listKind: 'CustomResourceDefinitionList',
  namespaced: false,
  shortNames: ['crd', 'crds'],
  categories: ['api-extensions'],
  verbs: VERBS,
  custom: false,
  tracksGeneration: true,
  extraFieldSelectors: [],
};

const KUBE_VERSION = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

/** Kubernetes version priority: GA before beta before alpha, higher numbers first, others last by name. */
export function compareVersions(a: string, b: string): number {
  const rank = (version: string): [number, number, number] => {
    const match = KUBE_VERSION.exec(version);
    if (!match) {
      return [0, 0, 0];
    }
    const stability = { alpha: 1, beta: 2 }[match[2] ?? ''] ?? 3;
    return [stability, Number(match[1]), Number(match[3] ?? 0)];
  };
  const [ra, rb] = [rank(a), rank(b)];
  for (let i = 0; i < 3; i += 1) {
    if (ra[i] !== rb[i]) {
      return rb[i] - ra[i];
    }
  }
  return a < b ? -1 : 1;
}

interface CrdVersion {
  name?: unknown;
  served?: unknown;
  storage?: unknown;
  schema?: { openAPIV3Schema?: unknown };
  subresources?: { status?: unknown };
}

/**
 * Checks the parts of a CustomResourceDefinition the stand-in relies on,
 * with the apiserver's wording, and returns any field errors.
 */
export function validateCrd(crd: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  const required = (field: string, detail = 'Required value') =>
    errors.push({ reason: 'FieldValueRequired', field, detail });
  const spec = isObject(crd.spec) ? crd.spec : {};
  const names = isObject(spec.names) ? spec.names : {};
  const metadata = isObject(crd.metadata) ? crd.metadata : {};
  if (!spec.group) required('spec.group');
  if (!names.plural) required('spec.names.plural');
  if (!names.kind) required('spec.names.kind');
  if (!names.listKind) required('spec.names.listKind');
  if (
    spec.group &&
    names.plural &&
    metadata.name !== `${names.plural}.${spec.group}`
  ) {
    errors.push({
      reason: 'FieldValueInvalid',
      field: 'metadata.name',
      detail: `Invalid value: "${metadata.name}": must be spec.names.plural+"."+spec.group`,
    });
  }
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') {
    errors.push({
      reason: 'FieldValueNotSupported',
      field: 'spec.scope',
      detail: `Unsupported value: "${
        spec.scope ?? ''
      }": supported values: "Cluster", "Namespaced"`,
    });
  }
  const versions = (
    Array.isArray(spec.versions) ? spec.versions : []
  ) as CrdVersion[];
  if (versions.length === 0) {
    required(
      'spec.versions',
      'Required value: must have exactly one version marked as storage version',
    );
  } else if (versions.filter(v => v.storage === true).length !== 1) {
    errors.push({
      reason: 'FieldValueInvalid',
      field: 'spec.versions',
      detail: `Invalid value: ${JSON.stringify(
        versions.map(v => v.name),
      )}: must have exactly one version marked as storage version`,
    });
  }
  versions.forEach((version, index) => {
    if (!version.name) required(`spec.versions[${index}].name`);
    if (!isObject(version.schema?.openAPIV3Schema)) {
      required(
        `spec.versions[${index}].schema.openAPIV3Schema`,
        'Required value: schemas are required',
      );
    }
  });
  return errors;
}

/** Turns a (valid) CustomResourceDefinition into the resource type it defines. */
export function typeFromCrd(crd: Record<string, any>): ResourceType {
  const spec = crd.spec;
  const versions = (spec.versions as CrdVersion[])
    .filter(version => version.served === true)
    .sort((a, b) => compareVersions(String(a.name), String(b.name)));
  const storage = (spec.versions as CrdVersion[]).find(v => v.storage === true);
  return {
    group: spec.group,
    versions: new Map(
      versions.map(version => [
        String(version.name),
        {
          schema: version.schema?.openAPIV3Schema as JSONSchemaProps,
          statusSubresource: isObject(version.subresources?.status),
        },
      ]),
    ),
    storageVersion: String(storage?.name),
    plural: spec.names.plural,
    singular: spec.names.singular || String(spec.names.kind).toLowerCase(),
    kind: spec.names.kind,
    listKind: spec.names.listKind,
    namespaced: spec.scope === 'Namespaced',
    shortNames: spec.names.shortNames ?? [],
    categories: spec.names.categories ?? [],
    verbs: VERBS,
    custom: true,
    tracksGeneration: true,
    extraFieldSelectors: [],
  };
}
