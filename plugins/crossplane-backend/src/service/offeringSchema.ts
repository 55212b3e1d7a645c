/*
 * Turns an offered CompositeResourceDefinition into what a request form needs: the JSON Schema of
 * the resource's `spec` and presentation hints. Pure, so every XRD shape can be tested directly.
 */
import {
  FormSchema,
  FormUiSchema,
  OFFERING_DESCRIPTION_ANNOTATION,
  OFFERING_TITLE_ANNOTATION,
  Offering,
  OfferingScope,
} from '@paved/plugin-crossplane-common';

// Keywords a form and a validator use; everything else (x-kubernetes-*, x-ui-*, nullable, ...)
// is dropped.
const KEPT_KEYWORDS = [
  'type',
  'title',
  'description',
  'enum',
  'default',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'minItems',
  'maxItems',
] as const;

/** Fields Crossplane adds to a v1 composite's or claim's spec; users must never fill them in. */
export const LEGACY_CROSSPLANE_FIELDS = [
  'compositionRef',
  'compositionSelector',
  'compositionRevisionRef',
  'compositionRevisionSelector',
  'compositionUpdatePolicy',
  'compositeDeletePolicy',
  'resourceRef',
  'writeConnectionSecretToRef',
  'publishConnectionDetailsTo',
  'claimRef',
  'resourceRefs',
];
/** Where Crossplane v2 keeps its own fields in a composite's spec. */
export const V2_CROSSPLANE_FIELDS = ['crossplane'];

/** An XRD as read from the cluster, in either API version. */
export interface XrdResource {
  apiVersion?: string;
  metadata: {
    name: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
  };
  spec?: {
    group?: string;
    scope?: string;
    names?: { kind?: string; plural?: string };
    claimNames?: { kind?: string; plural?: string };
    connectionSecretKeys?: string[];
    versions?: Array<{
      name: string;
      served?: boolean;
      referenceable?: boolean;
      schema?: { openAPIV3Schema?: any };
    }>;
  };
}

/** An offering as one cluster describes it, before clusters are merged. */
export type OfferingDefinition = Omit<Offering, 'clusters'>;

export type OfferingResult =
  | { offering: OfferingDefinition }
  | { reason: string };

const isObject = (value: unknown): value is Record<string, any> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The scope Crossplane gives the XRD: as written, or the default of the API version it was
 * read in (v1 defaults to `LegacyCluster`, v2 to `Namespaced`).
 */
function scopeOf(xrd: XrdResource): OfferingScope | undefined {
  const scope =
    xrd.spec?.scope ??
    (xrd.apiVersion?.endsWith('/v1') ? 'LegacyCluster' : 'Namespaced');
  return ['Namespaced', 'Cluster', 'LegacyCluster'].includes(scope)
    ? (scope as OfferingScope)
    : undefined;
}

/** One schema node converted, with the uiSchema hints found at and below it. */
function convert(node: unknown): { schema: FormSchema; ui: FormUiSchema } {
  const schema: FormSchema = {};
  const ui: FormUiSchema = {};
  if (!isObject(node)) {
    return { schema, ui };
  }
  for (const keyword of KEPT_KEYWORDS) {
    if (node[keyword] !== undefined) {
      (schema as Record<string, unknown>)[keyword] = node[keyword];
    }
  }
  if (node['x-kubernetes-int-or-string'] === true) {
    delete schema.type;
    schema.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }

  if (isObject(node.properties)) {
    const properties: Record<string, FormSchema> = {};
    for (const [name, child] of Object.entries(node.properties)) {
      const converted = convert(child);
      properties[name] = converted.schema;
      const hints: FormUiSchema = { ...converted.ui };
      if (isObject(child) && child['x-ui-hidden'] === true) {
        hints['ui:widget'] = 'hidden';
      }
      if (isObject(child) && child['x-ui-advanced'] === true) {
        hints['ui:advanced'] = true;
      }
      if (Object.keys(hints).length > 0) {
        ui[name] = hints;
      }
    }
    schema.properties = properties;
    if (Array.isArray(node.required)) {
      const required = node.required.filter(
        (name: unknown): name is string =>
          typeof name === 'string' && name in properties,
      );
      if (required.length > 0) {
        schema.required = required;
      }
    }
    const order = uiOrder(node['x-ui-order'], Object.keys(properties));
    if (order) {
      ui['ui:order'] = order;
    }
  }

  if (isObject(node.items)) {
    const converted = convert(node.items);
    schema.items = converted.schema;
    if (Object.keys(converted.ui).length > 0) {
      ui.items = converted.ui;
    }
  }

  const preserveUnknown = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (isObject(node.additionalProperties)) {
    schema.additionalProperties = convert(node.additionalProperties).schema;
  } else if (typeof node.additionalProperties === 'boolean') {
    schema.additionalProperties = node.additionalProperties;
  } else if (preserveUnknown) {
    // Kubernetes keeps any field here: a free-form object (or any value when untyped).
    if (schema.type === 'object') {
      schema.additionalProperties = true;
    }
  } else if (schema.properties) {
    // The API server prunes fields its schema does not name; the form refuses them instead.
    schema.additionalProperties = false;
  }
  return { schema, ui };
}

/** `x-ui-order` limited to known properties; `*` keeps the rest, as react-jsonschema-form requires. */
function uiOrder(given: unknown, properties: string[]): string[] | undefined {
  if (!Array.isArray(given)) {
    return undefined;
  }
  const order = given.filter(
    (name, index): name is string =>
      typeof name === 'string' &&
      properties.includes(name) &&
      given.indexOf(name) === index,
  );
  if (order.length === 0) {
    return undefined;
  }
  return order.length < properties.length ? [...order, '*'] : order;
}

function withoutFields(
  converted: { schema: FormSchema; ui: FormUiSchema },
  fields: string[],
) {
  const { schema, ui } = converted;
  for (const field of fields) {
    delete schema.properties?.[field];
    delete ui[field];
  }
  if (schema.required) {
    schema.required = schema.required.filter(name => !fields.includes(name));
    if (schema.required.length === 0) {
      delete schema.required;
    }
  }
  const order = ui['ui:order'];
  if (Array.isArray(order)) {
    ui['ui:order'] = order.filter(name => !fields.includes(name));
  }
  return converted;
}

/**
 * The offering an XRD describes, or why it cannot be offered. Requests are made in the version
 * that is both served and referenceable (the one Compositions target).
 */
export function offeringFromXrd(xrd: XrdResource): OfferingResult {
  const spec = xrd.spec ?? {};
  const { kind, plural } = spec.names ?? {};
  if (!spec.group || !kind || !plural) {
    return {
      reason: 'spec.group, spec.names.kind or spec.names.plural is missing',
    };
  }
  const scope = scopeOf(xrd);
  if (!scope) {
    return { reason: `unknown scope '${spec.scope}'` };
  }
  const version = (spec.versions ?? []).find(
    v => v.served === true && v.referenceable === true,
  );
  if (!version) {
    return {
      reason: `no version is both served and referenceable (versions: ${
        (spec.versions ?? []).map(v => v.name).join(', ') || 'none'
      })`,
    };
  }
  const root = version.schema?.openAPIV3Schema;
  const legacy = scope === 'LegacyCluster';
  const { schema, ui } = withoutFields(
    convert(root?.properties?.spec ?? { type: 'object' }),
    legacy ? LEGACY_CROSSPLANE_FIELDS : V2_CROSSPLANE_FIELDS,
  );
  const annotations = xrd.metadata.annotations ?? {};
  const description =
    annotations[OFFERING_DESCRIPTION_ANNOTATION] ??
    (typeof root?.description === 'string' ? root.description : undefined);
  const claim =
    legacy && spec.claimNames?.kind && spec.claimNames.plural
      ? { kind: spec.claimNames.kind, plural: spec.claimNames.plural }
      : undefined;
  return {
    offering: {
      name: xrd.metadata.name,
      group: spec.group,
      kind,
      plural,
      version: version.name,
      scope,
      apiVersion: legacy ? 'v1' : 'v2',
      ...(claim ? { claim } : {}),
      // Teams of a v1 XRD create the claim, so its kind names the offering.
      title: annotations[OFFERING_TITLE_ANNOTATION] ?? claim?.kind ?? kind,
      ...(description ? { description } : {}),
      schema,
      uiSchema: ui,
      ...(legacy && spec.connectionSecretKeys?.length
        ? { connectionSecretKeys: spec.connectionSecretKeys }
        : {}),
    },
  };
}
