/*
 * Crossplane v1 CompositeResourceDefinitions: the composite and claim CRDs
 * Crossplane's definition and offered controllers generate from an XRD,
 * with the fields Crossplane adds to every composite resource and claim.
 * Shapes follow crossplane's internal/xcrd package (v1.x).
 */
import { JSONSchemaProps, isObject } from './schema';
import { KubeObject } from './store';

export const XRD_GROUP = 'apiextensions.crossplane.io';
export const XRD_PLURAL = 'compositeresourcedefinitions';

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
  claimNames?: Names;
  connectionSecretKeys?: string[];
  defaultCompositionRef?: { name: string };
  defaultCompositionUpdatePolicy?: string;
  defaultCompositeDeletePolicy?: string;
  versions: XrdVersion[];
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

function compositeSpecProperties(): Record<string, JSONSchemaProps> {
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

/** The XRD version's schema with Crossplane's spec and status fields merged in. */
function mergedSchema(
  version: XrdVersion,
  specAdditions: Record<string, JSONSchemaProps>,
  statusAdditions: Record<string, JSONSchemaProps>,
): JSONSchemaProps {
  const given = structuredClone(version.schema?.openAPIV3Schema ?? {});
  const givenProperties = given.properties ?? {};
  const spec = givenProperties.spec ?? { type: 'object' };
  const status = givenProperties.status ?? { type: 'object' };
  return {
    ...given,
    type: 'object',
    required: [...new Set([...(given.required ?? []), 'spec'])],
    properties: {
      ...givenProperties,
      apiVersion: string,
      kind: string,
      metadata: { type: 'object' },
      spec: {
        ...spec,
        type: 'object',
        properties: { ...spec.properties, ...specAdditions },
      },
      status: {
        ...status,
        type: 'object',
        properties: { ...status.properties, ...statusAdditions },
      },
    },
  };
}

const printerColumns = (
  columns: Array<[string, string, string?]>,
  extra: unknown[] = [],
) => [
  ...columns.map(([name, jsonPath, type]) => ({
    name,
    jsonPath,
    type: type ?? 'string',
  })),
  ...extra,
  { name: 'AGE', type: 'date', jsonPath: '.metadata.creationTimestamp' },
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
    /** The third printer column, after SYNCED and READY. */
    column: [string, string];
    specProperties: Record<string, JSONSchemaProps>;
    statusProperties: Record<string, JSONSchemaProps>;
  },
) {
  const spec = xrd.spec as XrdSpec;
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
      versions: spec.versions.map((version, index) => ({
        name: version.name,
        served: version.served,
        storage: index === 0,
        subresources: { status: {} },
        additionalPrinterColumns: printerColumns(
          [
            ['SYNCED', ".status.conditions[?(@.type=='Synced')].status"],
            ['READY', ".status.conditions[?(@.type=='Ready')].status"],
            options.column,
          ],
          version.additionalPrinterColumns,
        ),
        schema: {
          openAPIV3Schema: mergedSchema(
            version,
            options.specProperties,
            options.statusProperties,
          ),
        },
      })),
    },
  };
}

/** The cluster-scoped CRD for the XRD's composite resource. */
export function compositeCrd(xrd: KubeObject) {
  const spec = xrd.spec as XrdSpec;
  return generatedCrd(xrd, {
    names: spec.names,
    category: 'composite',
    scope: 'Cluster',
    column: ['COMPOSITION', '.spec.compositionRef.name'],
    specProperties: compositeSpecProperties(),
    statusProperties: {
      conditions,
      connectionDetails,
      claimConditionTypes: { type: 'array', items: string },
    },
  });
}

/** The namespaced CRD for the XRD's claim; undefined when the XRD offers no claim. */
export function claimCrd(xrd: KubeObject) {
  const spec = xrd.spec as XrdSpec;
  if (!spec.claimNames) {
    return undefined;
  }
  return generatedCrd(xrd, {
    names: spec.claimNames,
    category: 'claim',
    scope: 'Namespaced',
    column: ['CONNECTION-SECRET', '.spec.writeConnectionSecretToRef.name'],
    specProperties: claimSpecProperties(),
    statusProperties: { conditions, connectionDetails },
  });
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
  const apiVersion = `${spec.group}/${spec.versions[0].name}`;
  return {
    conditions: [
      condition('Established', 'WatchingCompositeResource', previous, time),
      ...(spec.claimNames
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
      ...(spec.claimNames
        ? {
            compositeResourceClaimType: {
              apiVersion,
              kind: spec.claimNames.kind,
            },
          }
        : {}),
    },
  };
}
