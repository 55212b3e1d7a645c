/*
 * Crossplane CompositeResourceDefinitions: the composite and claim CRDs
 * Crossplane's definition and offered controllers generate from an XRD,
 * with the fields Crossplane adds to every composite resource and claim,
 * and the XRD CRD's own validation rules. Shapes follow crossplane-runtime's
 * pkg/xcrd (v2.x): `LegacyCluster` XRDs get v1's composites and claims,
 * `Namespaced` and `Cluster` XRDs v2's composites with `spec.crossplane`.
 */
import { JSONSchemaProps, deepEqual, isObject } from './schema';
import { FieldError } from './status';
import { KubeObject } from './store';

export const XRD_GROUP = 'apiextensions.crossplane.io';
export const XRD_PLURAL = 'compositeresourcedefinitions';

export type XrdScope = 'Namespaced' | 'Cluster' | 'LegacyCluster';

interface Names {
  kind: string;
  plural: string;
  singular?: string;
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
}

interface XrdVersion {
  name: string;
  served: boolean;
  referenceable: boolean;
  schema?: { openAPIV3Schema?: JSONSchemaProps };
  additionalPrinterColumns?: unknown[];
}

export interface XrdSpec {
  group: string;
  names: Names;
  /** Defaulted by the XRD CRD: `LegacyCluster` through v1, `Namespaced` through v2. */
  scope?: XrdScope;
  claimNames?: Names;
  connectionSecretKeys?: string[];
  defaultCompositionRef?: { name: string };
  defaultCompositionUpdatePolicy?: string;
  defaultCompositeDeletePolicy?: string;
  versions: XrdVersion[];
}

export function scopeOf(xrd: KubeObject): XrdScope {
  return (xrd.spec as XrdSpec).scope ?? 'LegacyCluster';
}

/** v2-style composites (`Namespaced` or `Cluster`): Crossplane's fields under `spec.crossplane`, no claims. */
export function isModern(xrd: KubeObject): boolean {
  return scopeOf(xrd) !== 'LegacyCluster';
}

/** The version Compositions target and objects are stored in; the first one if none is marked. */
export function referenceableVersion(spec: XrdSpec): XrdVersion {
  return spec.versions.find(v => v.referenceable) ?? spec.versions[0];
}

const string: JSONSchemaProps = { type: 'string' };

const conditions: JSONSchemaProps = {
  type: 'array',
  items: {
    type: 'object',
    required: ['lastTransitionTime', 'reason', 'status', 'type'],
    properties: {
      lastTransitionTime: { type: 'string', format: 'date-time' },
      message: string,
      observedGeneration: { type: 'integer', format: 'int64' },
      reason: string,
      status: string,
      type: string,
    },
  },
};

const connectionDetails: JSONSchemaProps = {
  type: 'object',
  properties: { lastPublishedTime: { type: 'string', format: 'date-time' } },
};

const reference = (fields: string[]): JSONSchemaProps => ({
  type: 'object',
  required: fields.filter(field => field !== 'namespace'),
  properties: Object.fromEntries(fields.map(field => [field, string])),
});

const selector: JSONSchemaProps = {
  type: 'object',
  required: ['matchLabels'],
  properties: {
    matchLabels: { type: 'object', additionalProperties: string },
  },
};

/** Spec fields Crossplane adds to both composite resources and claims. */
function commonSpecProperties(): Record<string, JSONSchemaProps> {
  return {
    compositionRef: reference(['name']),
    compositionSelector: selector,
    compositionRevisionRef: reference(['name']),
    compositionRevisionSelector: selector,
    compositionUpdatePolicy: {
      type: 'string',
      enum: ['Automatic', 'Manual'],
    },
  };
}

function claimSpecProperties(): Record<string, JSONSchemaProps> {
  return {
    ...commonSpecProperties(),
    compositeDeletePolicy: {
      type: 'string',
      enum: ['Background', 'Foreground'],
    },
    resourceRef: reference(['apiVersion', 'kind', 'name']),
    writeConnectionSecretToRef: reference(['name']),
  };
}

function legacyCompositeSpecProperties(): Record<string, JSONSchemaProps> {
  return {
    ...commonSpecProperties(),
    claimRef: reference(['apiVersion', 'kind', 'name', 'namespace']),
    resourceRefs: {
      type: 'array',
      items: reference(['apiVersion', 'kind', 'name']),
    },
    writeConnectionSecretToRef: reference(['name', 'namespace']),
  };
}

/** v2 nests Crossplane's fields under `spec.crossplane`; only Cluster composites may reference composed resources in other namespaces. */
function modernCompositeSpecProperties(
  scope: XrdScope,
  defaultUpdatePolicy: string | undefined,
): Record<string, JSONSchemaProps> {
  const common = commonSpecProperties();
  const refFields = ['apiVersion', 'kind', 'name'];
  if (scope === 'Cluster') {
    refFields.push('namespace');
  }
  return {
    crossplane: {
      type: 'object',
      properties: {
        ...common,
        compositionUpdatePolicy: {
          ...common.compositionUpdatePolicy,
          ...(defaultUpdatePolicy ? { default: defaultUpdatePolicy } : {}),
        },
        resourceRefs: {
          type: 'array',
          items: {
            type: 'object',
            required: ['apiVersion', 'kind'],
            properties: Object.fromEntries(refFields.map(f => [f, string])),
          },
        },
      },
    },
  };
}

/** The XRD version's schema with Crossplane's spec and status fields merged in. */
function mergedSchema(
  version: XrdVersion,
  specAdditions: Record<string, JSONSchemaProps>,
  statusAdditions: Record<string, JSONSchemaProps>,
  modern: boolean,
): JSONSchemaProps {
  const given = structuredClone(version.schema?.openAPIV3Schema ?? {});
  const givenProperties = given.properties ?? {};
  const spec = givenProperties.spec ?? { type: 'object' };
  const status = givenProperties.status ?? { type: 'object' };
  const statusProperties = { ...status.properties };
  if (modern) {
    // Reserved for Crossplane's own status, as spec.crossplane is for its spec fields.
    delete statusProperties.crossplane;
  }
  return {
    ...given,
    type: 'object',
    required: [...new Set([...(given.required ?? []), 'spec'])],
    properties: {
      ...givenProperties,
      apiVersion: string,
      kind: string,
      // v2 composites' names become label values, hence the limit.
      metadata: modern
        ? {
            type: 'object',
            properties: { name: { type: 'string', maxLength: 63 } },
          }
        : { type: 'object' },
      spec: {
        ...spec,
        type: 'object',
        properties: { ...spec.properties, ...specAdditions },
      },
      status: {
        ...status,
        type: 'object',
        properties: { ...statusProperties, ...statusAdditions },
      },
    },
  };
}

type Column = [name: string, jsonPath: string, priority?: number];

const printerColumn = ([name, jsonPath, priority]: Column) => ({
  name,
  type: 'string',
  jsonPath,
  ...(priority ? { priority } : {}),
});

const AGE_COLUMN = {
  name: 'AGE',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
};

const SYNCED: Column = [
  'SYNCED',
  ".status.conditions[?(@.type=='Synced')].status",
];
const READY: Column = [
  'READY',
  ".status.conditions[?(@.type=='Ready')].status",
];

function ownedBy(xrd: KubeObject) {
  return [
    {
      apiVersion: `${XRD_GROUP}/v1`,
      kind: 'CompositeResourceDefinition',
      name: xrd.metadata.name,
      uid: xrd.metadata.uid,
      controller: true,
      blockOwnerDeletion: true,
    },
  ];
}

function crdNames(names: Names, category: string) {
  const singular = names.singular ?? names.kind.toLowerCase();
  return {
    kind: names.kind,
    plural: names.plural,
    singular,
    listKind: names.listKind ?? `${names.kind}List`,
    ...(names.shortNames ? { shortNames: names.shortNames } : {}),
    categories: [...new Set([...(names.categories ?? []), category])],
  };
}

/** A CRD Crossplane generates from the XRD: the composite's or the claim's. */
function generatedCrd(
  xrd: KubeObject,
  options: {
    names: Names;
    category: 'composite' | 'claim';
    scope: 'Cluster' | 'Namespaced';
    modern: boolean;
    printerColumns: (version: XrdVersion) => unknown[];
    specProperties: Record<string, JSONSchemaProps>;
    statusProperties: Record<string, JSONSchemaProps>;
  },
) {
  const spec = xrd.spec as XrdSpec;
  const storage = referenceableVersion(spec);
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${options.names.plural}.${spec.group}`,
      ownerReferences: ownedBy(xrd),
    },
    spec: {
      group: spec.group,
      names: crdNames(options.names, options.category),
      scope: options.scope,
      versions: spec.versions.map(version => ({
        name: version.name,
        served: version.served,
        storage: version === storage,
        subresources: { status: {} },
        additionalPrinterColumns: options.printerColumns(version),
        schema: {
          openAPIV3Schema: mergedSchema(
            version,
            options.specProperties,
            options.statusProperties,
            options.modern,
          ),
        },
      })),
    },
  };
}

/** The CRD for the XRD's composite resource: namespaced for `Namespaced` XRDs, cluster-scoped otherwise. */
export function compositeCrd(xrd: KubeObject) {
  const spec = xrd.spec as XrdSpec;
  const scope = scopeOf(xrd);
  if (scope === 'LegacyCluster') {
    return generatedCrd(xrd, {
      names: spec.names,
      category: 'composite',
      scope: 'Cluster',
      modern: false,
      printerColumns: version => [
        ...[
          SYNCED,
          READY,
          ['COMPOSITION', '.spec.compositionRef.name'] as Column,
        ].map(printerColumn),
        ...(version.additionalPrinterColumns ?? []),
        AGE_COLUMN,
      ],
      specProperties: legacyCompositeSpecProperties(),
      statusProperties: {
        conditions,
        connectionDetails,
        claimConditionTypes: { type: 'array', items: string },
      },
    });
  }
  return generatedCrd(xrd, {
    names: spec.names,
    category: 'composite',
    scope: scope === 'Namespaced' ? 'Namespaced' : 'Cluster',
    modern: true,
    // As upstream, the XRD's own columns come first.
    printerColumns: version => [
      ...(version.additionalPrinterColumns ?? []),
      ...(
        [
          SYNCED,
          READY,
          ['COMPOSITION', '.spec.crossplane.compositionRef.name'],
          [
            'COMPOSITIONREVISION',
            '.spec.crossplane.compositionRevisionRef.name',
            1,
          ],
        ] as Column[]
      ).map(printerColumn),
      AGE_COLUMN,
    ],
    specProperties: modernCompositeSpecProperties(
      scope,
      spec.defaultCompositionUpdatePolicy,
    ),
    statusProperties: { conditions },
  });
}

/** The namespaced CRD for the XRD's claim; undefined when the XRD offers no claim. */
export function claimCrd(xrd: KubeObject) {
  const spec = xrd.spec as XrdSpec;
  if (!spec.claimNames || isModern(xrd)) {
    return undefined;
  }
  return generatedCrd(xrd, {
    names: spec.claimNames,
    category: 'claim',
    scope: 'Namespaced',
    modern: false,
    printerColumns: version => [
      ...[
        SYNCED,
        READY,
        [
          'CONNECTION-SECRET',
          '.spec.writeConnectionSecretToRef.name',
        ] as Column,
      ].map(printerColumn),
      ...(version.additionalPrinterColumns ?? []),
      AGE_COLUMN,
    ],
    specProperties: claimSpecProperties(),
    statusProperties: { conditions, connectionDetails },
  });
}

/** A CEL rule's failure as the apiserver reports it: the object's field, `Invalid value: "<type>"`, the rule's message. */
function ruleError(field: string, type: string, message: string): FieldError {
  return {
    reason: 'FieldValueInvalid',
    field,
    detail: `Invalid value: "${type}": ${message}`,
  };
}

/**
 * The XRD CRD's `x-kubernetes-validations` (see its YAML), which the
 * stand-in does not evaluate as CEL: v2 refuses claims and XR connection
 * secrets, v1 allows them for `LegacyCluster` only, and scope, group and
 * names cannot change.
 */
export function xrdRuleErrors(
  xrd: KubeObject,
  version: string,
  existing?: KubeObject,
): FieldError[] {
  const spec = isObject(xrd.spec) ? xrd.spec : {};
  const legacy = spec.scope === 'LegacyCluster';
  const errors: FieldError[] = [];
  if (version === 'v2') {
    if (spec.claimNames !== undefined) {
      errors.push(
        ruleError(
          'spec',
          'object',
          "Claims aren't supported in apiextensions.crossplane.io/v2",
        ),
      );
    }
    if (spec.connectionSecretKeys !== undefined) {
      errors.push(
        ruleError(
          'spec',
          'object',
          "XR connection secrets aren't supported in apiextensions.crossplane.io/v2",
        ),
      );
    }
  } else {
    if (!legacy && spec.claimNames !== undefined) {
      errors.push(
        ruleError(
          'spec',
          'object',
          'Only LegacyCluster composite resources can offer claims',
        ),
      );
    }
    if (!legacy && spec.connectionSecretKeys !== undefined) {
      errors.push(
        ruleError(
          'spec',
          'object',
          'Only LegacyCluster composite resources support connection secrets',
        ),
      );
    }
  }
  const before = existing && isObject(existing.spec) ? existing.spec : {};
  for (const [field, type] of [
    ['group', 'string'],
    ['names', 'object'],
    ['scope', 'string'],
  ]) {
    if (existing && !deepEqual(before[field], spec[field])) {
      errors.push(ruleError(`spec.${field}`, type, 'Value is immutable'));
    }
  }
  return errors;
}

function condition(
  type: string,
  reason: string,
  previous: unknown[],
  time: string,
) {
  const before = previous.find(
    (entry): entry is Record<string, unknown> =>
      isObject(entry) && entry.type === type,
  );
  return {
    type,
    status: 'True',
    reason,
    lastTransitionTime:
      before?.status === 'True' && typeof before.lastTransitionTime === 'string'
        ? before.lastTransitionTime
        : time,
  };
}

/** The status Crossplane's definition and offered controllers settle on. */
export function xrdStatus(xrd: KubeObject, time: string) {
  const spec = xrd.spec as XrdSpec;
  const previous =
    isObject(xrd.status) && Array.isArray(xrd.status.conditions)
      ? xrd.status.conditions
      : [];
  const apiVersion = `${spec.group}/${referenceableVersion(spec).name}`;
  const claimNames = isModern(xrd) ? undefined : spec.claimNames;
  return {
    conditions: [
      condition('Established', 'WatchingCompositeResource', previous, time),
      ...(claimNames
        ? [
            condition(
              'Offered',
              'WatchingCompositeResourceClaim',
              previous,
              time,
            ),
          ]
        : []),
    ],
    controllers: {
      compositeResourceType: { apiVersion, kind: spec.names.kind },
      ...(claimNames
        ? {
            compositeResourceClaimType: {
              apiVersion,
              kind: claimNames.kind,
            },
          }
        : {}),
    },
  };
}
