import { InputError } from '@backstage/errors';
import { FieldError, FormSchema } from '@paved/plugin-crossplane-common';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { FieldLimit, describeLimit } from './guardrails';

/** A 400 whose `fields` say which field is wrong and why; serialised into the error body. */
export class RequestValidationError extends InputError {
  constructor(readonly fields: FieldError[]) {
    super(
      `The request is not valid: ${fields
        .map(field => `${field.path} ${field.message}`)
        .join('; ')}`,
    );
  }
}

// One validator per distinct schema: offerings and guardrails change rarely.
const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true });
const compiled = new Map<string, ValidateFunction>();

function validatorFor(schema: FormSchema): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(key, validate);
  }
  return validate;
}

function pathOf(error: ErrorObject): string {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map(segment => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'additionalProperties') {
    segments.push(String(error.params.additionalProperty));
  }
  if (error.keyword === 'required') {
    segments.push(String(error.params.missingProperty));
  }
  return ['parameters', ...segments].join('.');
}

function messageOf(
  error: ErrorObject,
  limit: FieldLimit | undefined,
  environment: string,
): string {
  const fromLimit =
    limit &&
    ((error.keyword === 'maximum' && limit.maximum !== undefined) ||
      (error.keyword === 'minimum' && limit.minimum !== undefined) ||
      (error.keyword === 'enum' && limit.enum) ||
      (error.keyword === 'maxLength' && limit.maxLength !== undefined) ||
      (error.keyword === 'maxItems' && limit.maxItems !== undefined));
  if (fromLimit) {
    return `exceeds the ${environment} guardrail (${describeLimit(limit)})`;
  }
  switch (error.keyword) {
    case 'additionalProperties':
      return 'is not a field of this offering';
    case 'required':
      return 'is required';
    case 'enum':
      return `must be one of ${(error.params.allowedValues as unknown[]).join(
        ', ',
      )}`;
    default:
      return error.message ?? 'is not valid';
  }
}

/**
 * Validates a request's `spec` against the offering's schema as narrowed for the environment,
 * returning it with the schema's defaults filled in, or throws a {@link RequestValidationError}
 * naming every wrong field (guardrail violations say so).
 */
export function validateParameters(options: {
  schema: FormSchema;
  parameters: unknown;
  limits: FieldLimit[];
  environment: string;
}): Record<string, unknown> {
  const { schema, limits, environment } = options;
  if (
    typeof options.parameters !== 'object' ||
    options.parameters === null ||
    Array.isArray(options.parameters)
  ) {
    throw new RequestValidationError([
      { path: 'parameters', message: 'must be an object' },
    ]);
  }
  const value = structuredClone(options.parameters) as Record<string, unknown>;
  const validate = validatorFor(schema);
  if (validate(value)) {
    return value;
  }
  const seen = new Set<string>();
  const fields: FieldError[] = [];
  for (const error of validate.errors ?? []) {
    const path = pathOf(error);
    const limit = limits.find(l => `parameters.${l.field}` === path);
    const message = messageOf(error, limit, environment);
    if (!seen.has(`${path} ${message}`)) {
      seen.add(`${path} ${message}`);
      fields.push({ path, message });
    }
  }
  throw new RequestValidationError(fields);
}
