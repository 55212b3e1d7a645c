/*
 * Where kustomize puts labels: `labels` entries (metadata only, with
 * `includeTemplates` also pod templates, with `includeSelectors` also every
 * selector) and `commonLabels` (like `includeSelectors`), following the
 * field specs of kustomize's builtinpluginconsts.
 */
import type { Manifest } from './manifests';
import { isObject } from './schema';

/**
 * One place for labels: `path` below the object (lists on the way are
 * walked item by item); `create` adds missing fields, otherwise only an
 * existing field gets the labels.
 */
export interface FieldSpec {
  path: string;
  create: boolean;
  kind?: string;
  group?: string;
  version?: string;
}

export const TEMPLATE_LABEL_FIELDS: FieldSpec[] = [
  { path: 'metadata/labels', create: true },
  ...['Deployment', 'ReplicaSet', 'DaemonSet'].map(kind => ({
    path: 'spec/template/metadata/labels',
    create: true,
    kind,
  })),
  {
    path: 'spec/template/metadata/labels',
    create: true,
    kind: 'ReplicationController',
    version: 'v1',
  },
  {
    path: 'spec/template/metadata/labels',
    create: true,
    kind: 'StatefulSet',
    group: 'apps',
  },
  {
    path: 'spec/volumeClaimTemplates/metadata/labels',
    create: true,
    kind: 'StatefulSet',
    group: 'apps',
  },
  {
    path: 'spec/template/metadata/labels',
    create: true,
    kind: 'Job',
    group: 'batch',
  },
  ...[
    'spec/jobTemplate/metadata/labels',
    'spec/jobTemplate/spec/template/metadata/labels',
  ].map(path => ({ path, create: true, kind: 'CronJob', group: 'batch' })),
];

const AFFINITY_SELECTORS = [
  'podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm',
  'podAffinity/requiredDuringSchedulingIgnoredDuringExecution',
  'podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm',
  'podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution',
].map(term => `spec/template/spec/affinity/${term}/labelSelector/matchLabels`);

/** `commonLabels` and `labels` with `includeSelectors`: templates plus every selector. */
export const SELECTOR_LABEL_FIELDS: FieldSpec[] = [
  ...['Service', 'ReplicationController'].map(kind => ({
    path: 'spec/selector',
    create: true,
    kind,
    version: 'v1',
  })),
  ...['Deployment', 'ReplicaSet', 'DaemonSet'].map(kind => ({
    path: 'spec/selector/matchLabels',
    create: true,
    kind,
  })),
  {
    path: 'spec/selector/matchLabels',
    create: true,
    kind: 'StatefulSet',
    group: 'apps',
  },
  ...['Deployment', 'StatefulSet'].flatMap(kind =>
    [
      ...AFFINITY_SELECTORS,
      'spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels',
    ].map(path => ({ path, create: false, kind, group: 'apps' })),
  ),
  {
    path: 'spec/selector/matchLabels',
    create: false,
    kind: 'Job',
    group: 'batch',
  },
  {
    path: 'spec/jobTemplate/spec/selector/matchLabels',
    create: false,
    kind: 'CronJob',
    group: 'batch',
  },
  {
    path: 'spec/selector/matchLabels',
    create: false,
    kind: 'PodDisruptionBudget',
    group: 'policy',
  },
  ...[
    'spec/podSelector/matchLabels',
    'spec/ingress/from/podSelector/matchLabels',
    'spec/egress/to/podSelector/matchLabels',
  ].map(path => ({
    path,
    create: false,
    kind: 'NetworkPolicy',
    group: 'networking.k8s.io',
  })),
  ...TEMPLATE_LABEL_FIELDS,
];

export const METADATA_LABEL_FIELDS: FieldSpec[] = [
  { path: 'metadata/labels', create: true },
];

/** Sets `labels` at `path` below `node`, walking lists item by item, creating missing maps only when `create`. */
function setLabelsAt(
  node: unknown,
  path: string[],
  labels: Record<string, string>,
  create: boolean,
) {
  if (Array.isArray(node)) {
    node.forEach(item => setLabelsAt(item, path, labels, create));
    return;
  }
  if (!isObject(node)) {
    return;
  }
  const [field, ...rest] = path;
  if (!isObject(node[field]) && !Array.isArray(node[field])) {
    if (!create) return;
    node[field] = {};
  }
  if (rest.length === 0) {
    Object.assign(node[field] as object, labels);
  } else {
    setLabelsAt(node[field], rest, labels, create);
  }
}

/** Sets `labels` wherever `fields` say, in each manifest of a matching kind. */
export function applyLabels(
  manifests: Manifest[],
  labels: Record<string, string> | undefined,
  fields: FieldSpec[],
) {
  if (!labels || Object.keys(labels).length === 0) return;
  for (const manifest of manifests) {
    const [group, version] = manifest.apiVersion.includes('/')
      ? manifest.apiVersion.split('/')
      : ['', manifest.apiVersion];
    for (const spec of fields) {
      if (
        (spec.kind === undefined || spec.kind === manifest.kind) &&
        (spec.group === undefined || spec.group === group) &&
        (spec.version === undefined || spec.version === version)
      ) {
        setLabelsAt(manifest, spec.path.split('/'), labels, spec.create);
      }
    }
  }
}
