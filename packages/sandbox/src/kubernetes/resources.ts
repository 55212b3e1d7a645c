/*
 * The resource types the stand-in serves: the built-in core/v1 ones and
 * those defined by CustomResourceDefinitions.
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
  /** Custom resources differ from core types in a few rules: generation, mandatory resourceVersion on update, delete returning the object. */
  custom: boolean;
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

function coreType(
  plural: string,
  kind: string,
  namespaced: boolean,
  shortNames: string[],
  extraFieldSelectors: string[],
  statusSubresource = false,
): ResourceType {
  return {
    group: '',
    versions: new Map([['v1', { statusSubresource }]]),
    storageVersion: 'v1',
    plural,
    singular: kind.toLowerCase(),
    kind,
    listKind: `${kind}List`,
    namespaced,
    shortNames,
    categories: [],
    custom: false,
    extraFieldSelectors,
  };
}

export const NAMESPACES = coreType(
  'namespaces',
  'Namespace',
  false,
  ['ns'],
  ['status.phase'],
  true,
);

export const CORE_TYPES: ResourceType[] = [
  NAMESPACES,
  coreType('secrets', 'Secret', true, [], ['type']),
  coreType('configmaps', 'ConfigMap', true, ['cm'], []),
  coreType(
    'events',
    'Event',
    true,
    ['ev'],
    [
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
  ),
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
  custom: false,
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
    custom: true,
    extraFieldSelectors: [],
  };
}
