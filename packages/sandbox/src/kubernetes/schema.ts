/*
 * Structural-schema handling for custom resources, in the order the
 * apiserver applies it to a request body: prune unknown fields, apply
 * defaults, then validate. Messages follow kube-openapi / apimachinery's
 * field errors so clients see the same causes as against a real cluster.
 */
import { FieldError } from './status';

/** The subset of apiextensions.k8s.io/v1 JSONSchemaProps this stand-in understands. */
export interface JSONSchemaProps {
  type?: string;
  properties?: Record<string, JSONSchemaProps>;
  items?: JSONSchemaProps;
  additionalProperties?: JSONSchemaProps | boolean;
  required?: string[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  nullable?: boolean;
  default?: unknown;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
}

type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Fields of ObjectMeta; anything else under `metadata` is dropped, as the apiserver's decoder does. */
const OBJECT_META_FIELDS = new Set([
  'name',
  'generateName',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
  'selfLink',
]);

export function pruneObjectMeta(metadata: JsonObject): JsonObject {
  return Object.fromEntries(
    Object.entries(metadata).filter(([key]) => OBJECT_META_FIELDS.has(key)),
  );
}

function childPath(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/**
 * Drops fields the schema does not specify. `apiVersion`, `kind` and
 * `metadata` at the root are always kept, like the apiserver does.
 */
export function prune(value: unknown, schema: JSONSchemaProps): unknown {
  return pruneValue(value, schema, true);
}

function pruneValue(
  value: unknown,
  schema: JSONSchemaProps,
  isRoot: boolean,
): unknown {
  if (Array.isArray(value)) {
    const items = schema.items;
    return items ? value.map(item => pruneValue(item, items, false)) : value;
  }
  if (!isObject(value)) {
    return value;
  }
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  const additional = isObject(schema.additionalProperties)
    ? (schema.additionalProperties as JSONSchemaProps)
    : undefined;
  const result: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    const known = schema.properties?.[key];
    if (isRoot && ['apiVersion', 'kind', 'metadata'].includes(key)) {
      result[key] = child;
    } else if (known) {
      result[key] = pruneValue(child, known, false);
    } else if (additional) {
      result[key] = pruneValue(child, additional, false);
    } else if (preserve || schema.additionalProperties === true) {
      result[key] = child;
    }
  }
  return result;
}

/**
 * Fills in `default` values for absent fields, and for `null` in fields that
 * are not nullable (the apiserver treats those nulls as absent when a default exists).
 */
export function applyDefaults(value: unknown, schema: JSONSchemaProps): void {
  if (Array.isArray(value)) {
    if (schema.items) {
      for (const item of value) {
        applyDefaults(item, schema.items);
      }
    }
    return;
  }
  if (!isObject(value)) {
    return;
  }
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const missing =
      !(key in value) || (value[key] === null && child.nullable !== true);
    if (missing && child.default !== undefined) {
      value[key] = structuredClone(child.default);
    }
    if (key in value) {
      applyDefaults(value[key], child);
    }
  }
  if (isObject(schema.additionalProperties)) {
    for (const child of Object.values(value)) {
      applyDefaults(child, schema.additionalProperties as JSONSchemaProps);
    }
  }
}

function typeName(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'array';
  }
  if (typeof value === 'number') {
    return Number.isInteger(value) ? 'integer' : 'number';
  }
  return typeof value;
}

/** How field.Error prints a value: strings quoted, scalars plain. */
function show(value: unknown): string {
  return typeof value === 'string' || isObject(value) || Array.isArray(value)
    ? JSON.stringify(value)
    : String(value);
}

function matchesType(value: unknown, schema: JSONSchemaProps): boolean {
  if (schema['x-kubernetes-int-or-string']) {
    return (
      typeof value === 'string' ||
      (typeof value === 'number' && Number.isInteger(value))
    );
  }
  switch (schema.type) {
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return true;
  }
}

const RFC3339 =
  /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const FORMAT_CHECKS: Record<string, (value: unknown) => boolean> = {
  int32: v => typeof v !== 'number' || (v >= -(2 ** 31) && v <= 2 ** 31 - 1),
  int64: v => typeof v !== 'number' || Number.isInteger(v),
  'date-time': v => typeof v !== 'string' || RFC3339.test(v),
  date: v => typeof v !== 'string' || /^\d{4}-\d{2}-\d{2}$/.test(v),
  byte: v =>
    typeof v !== 'string' ||
    /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(v),
  uuid: v =>
    typeof v !== 'string' ||
    /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(
      v,
    ),
};

/** Validates `value` against `schema`, collecting every field error like the apiserver does. */
export function validate(
  value: unknown,
  schema: JSONSchemaProps,
  path = '',
): FieldError[] {
  const errors: FieldError[] = [];
  validateValue(value, schema, path, errors, true);
  return errors;
}

function validateValue(
  value: unknown,
  schema: JSONSchemaProps,
  path: string,
  errors: FieldError[],
  isRoot: boolean,
): void {
  const at = path || '<root>';
  if (value === null) {
    if (
      schema.nullable !== true &&
      (schema.type || schema['x-kubernetes-int-or-string'])
    ) {
      errors.push(typeError(at, value, schema));
    }
    return;
  }
  if (!matchesType(value, schema)) {
    errors.push(typeError(at, value, schema));
    return;
  }
  if (schema.enum && !schema.enum.some(option => deepEqual(option, value))) {
    errors.push({
      reason: 'FieldValueNotSupported',
      field: at,
      detail: `Unsupported value: ${show(
        value,
      )}: supported values: ${schema.enum.map(show).join(', ')}`,
    });
  }
  if (schema.format && FORMAT_CHECKS[schema.format]?.(value) === false) {
    errors.push({
      reason: 'FieldValueTypeInvalid',
      field: at,
      detail: `Invalid value: ${show(value)}: ${at} in body must be of type ${
        schema.format
      }: ${show(value)}`,
    });
  }
  if (typeof value === 'number') {
    validateNumber(value, schema, at, errors);
  } else if (typeof value === 'string') {
    validateString(value, schema, at, errors);
  } else if (Array.isArray(value)) {
    validateArray(value, schema, path, errors);
  } else if (isObject(value)) {
    validateObject(value, schema, path, errors, isRoot);
  }
}

function typeError(
  at: string,
  value: unknown,
  schema: JSONSchemaProps,
): FieldError {
  const expected = schema['x-kubernetes-int-or-string']
    ? 'integer,string'
    : schema.type;
  const actual = typeName(value);
  return {
    reason: 'FieldValueTypeInvalid',
    field: at,
    detail: `Invalid value: "${actual}": ${at} in body must be of type ${expected}: "${actual}"`,
  };
}

function validateNumber(
  value: number,
  schema: JSONSchemaProps,
  at: string,
  errors: FieldError[],
): void {
  const invalid = (why: string) =>
    errors.push({
      reason: 'FieldValueInvalid',
      field: at,
      detail: `Invalid value: ${value}: ${at} in body ${why}`,
    });
  if (schema.minimum !== undefined) {
    if (schema.exclusiveMinimum && value <= schema.minimum) {
      invalid(`should be greater than ${schema.minimum}`);
    } else if (value < schema.minimum) {
      invalid(`should be greater than or equal to ${schema.minimum}`);
    }
  }
  if (schema.maximum !== undefined) {
    if (schema.exclusiveMaximum && value >= schema.maximum) {
      invalid(`should be less than ${schema.maximum}`);
    } else if (value > schema.maximum) {
      invalid(`should be less than or equal to ${schema.maximum}`);
    }
  }
}

function validateString(
  value: string,
  schema: JSONSchemaProps,
  at: string,
  errors: FieldError[],
): void {
  // Kubernetes counts characters (runes), not UTF-16 code units.
  const length = [...value].length;
  if (schema.maxLength !== undefined && length > schema.maxLength) {
    errors.push({
      reason: 'FieldValueTooLong',
      field: at,
      detail: `Too long: may not be more than ${schema.maxLength} bytes`,
    });
  }
  if (schema.minLength !== undefined && length < schema.minLength) {
    errors.push({
      reason: 'FieldValueInvalid',
      field: at,
      detail: `Invalid value: ${show(
        value,
      )}: ${at} in body should be at least ${schema.minLength} chars long`,
    });
  }
  if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) {
    errors.push({
      reason: 'FieldValueInvalid',
      field: at,
      detail: `Invalid value: ${show(value)}: ${at} in body should match '${
        schema.pattern
      }'`,
    });
  }
}

function validateArray(
  value: unknown[],
  schema: JSONSchemaProps,
  path: string,
  errors: FieldError[],
): void {
  const at = path || '<root>';
  if (schema.maxItems !== undefined && value.length > schema.maxItems) {
    errors.push({
      reason: 'FieldValueTooMany',
      field: at,
      detail: `Too many: ${value.length}: must have at most ${schema.maxItems} items`,
    });
  }
  if (schema.minItems !== undefined && value.length < schema.minItems) {
    errors.push({
      reason: 'FieldValueInvalid',
      field: at,
      detail: `Invalid value: ${value.length}: ${at} in body should have at least ${schema.minItems} items`,
    });
  }
  const items = schema.items;
  if (items) {
    value.forEach((item, index) =>
      validateValue(item, items, `${path}[${index}]`, errors, false),
    );
  }
}

function validateObject(
  value: JsonObject,
  schema: JSONSchemaProps,
  path: string,
  errors: FieldError[],
  isRoot: boolean,
): void {
  for (const name of schema.required ?? []) {
    if (!(name in value)) {
      errors.push({
        reason: 'FieldValueRequired',
        field: childPath(path, name),
        detail: 'Required value',
      });
    }
  }
  for (const [key, child] of Object.entries(value)) {
    if (isRoot && ['apiVersion', 'kind', 'metadata'].includes(key)) {
      continue;
    }
    const known = schema.properties?.[key];
    const childSchema =
      known ??
      (isObject(schema.additionalProperties)
        ? (schema.additionalProperties as JSONSchemaProps)
        : undefined);
    if (childSchema) {
      validateValue(child, childSchema, childPath(path, key), errors, false);
    }
  }
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) {
    return true;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every(key => key in b && deepEqual(a[key], b[key]))
    );
  }
  return false;
}
