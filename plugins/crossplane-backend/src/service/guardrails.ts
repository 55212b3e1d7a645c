import { Config } from '@backstage/config';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { FormSchema } from '@paved/plugin-crossplane-common';
import { EnvironmentDelivery, readDelivery } from './GitOpsDelivery';

/** An environment teams request infrastructure in, from `crossplane.environments`. */
export interface RequestEnvironment {
  name: string;
  title: string;
  /** The configured Kubernetes cluster resources of this environment are created on. */
  cluster: string;
  /** Whether requests wait for an approver before anything is created. */
  approvalRequired: boolean;
  /** Created on the cluster directly, or through a pull request to a GitOps repository. */
  delivery: EnvironmentDelivery;
}

/** A cap or allowed values for one field of an offering, in some environments. */
export interface FieldLimit {
  /** Dotted path inside the resource's `spec`, e.g. `parameters.storageGB`. */
  field: string;
  /** Environments it applies to; all when absent. */
  environments?: string[];
  minimum?: number;
  maximum?: number;
  enum?: Array<string | number | boolean>;
  maxLength?: number;
  maxItems?: number;
}

/** The guardrails of one offering, from `crossplane.guardrails`. */
export interface OfferingGuardrails {
  offering: string;
  /** Teams (group refs) that may request it; every team when absent. */
  teams?: string[];
  /** Live resources of this offering each team may have per environment. */
  quotaPerTeam?: number;
  limits: FieldLimit[];
}

export interface CrossplaneRequestConfig {
  environments: RequestEnvironment[];
  guardrails: Map<string, OfferingGuardrails>;
}

function groupRef(ref: string): string {
  return stringifyEntityRef(
    parseEntityRef(ref, { defaultKind: 'group', defaultNamespace: 'default' }),
  ).toLocaleLowerCase('en-US');
}

/** Reads `crossplane.environments` and `crossplane.guardrails`, refusing what cannot work. */
export function readRequestConfig(
  config: Config,
  clusterNames: string[],
): CrossplaneRequestConfig {
  const environments = (
    config.getOptionalConfigArray('crossplane.environments') ?? []
  ).map(env => {
    const name = env.getString('name');
    const cluster = env.getString('cluster');
    if (!clusterNames.includes(cluster)) {
      throw new Error(
        `crossplane.environments: environment '${name}' names cluster '${cluster}', which is not among kubernetes.clusterLocatorMethods (${
          clusterNames.join(', ') || 'none configured'
        })`,
      );
    }
    return {
      name,
      title: env.getOptionalString('title') ?? name,
      cluster,
      approvalRequired: env.getOptionalBoolean('approval.required') ?? false,
      delivery: readDelivery(env, name),
    };
  });
  const guardrails = new Map<string, OfferingGuardrails>();
  for (const entry of config.getOptionalConfigArray('crossplane.guardrails') ??
    []) {
    const offering = entry.getString('offering');
    const teams = entry.getOptionalStringArray('teams');
    guardrails.set(offering, {
      offering,
      ...(teams ? { teams: teams.map(groupRef) } : {}),
      ...(entry.has('quotaPerTeam')
        ? { quotaPerTeam: entry.getNumber('quotaPerTeam') }
        : {}),
      limits: (entry.getOptionalConfigArray('limits') ?? []).map(limit => {
        const read: FieldLimit = { field: limit.getString('field') };
        const envs = limit.getOptionalStringArray('environments');
        if (envs) read.environments = envs;
        for (const key of [
          'minimum',
          'maximum',
          'maxLength',
          'maxItems',
        ] as const) {
          if (limit.has(key)) read[key] = limit.getNumber(key);
        }
        if (limit.has('enum')) {
          read.enum = limit.get<Array<string | number | boolean>>('enum');
        }
        return read;
      }),
    });
  }
  return { environments, guardrails };
}

/** The limits of `guardrails` that apply in `environment`. */
export function limitsIn(
  guardrails: OfferingGuardrails | undefined,
  environment: string,
): FieldLimit[] {
  return (guardrails?.limits ?? []).filter(
    limit => !limit.environments || limit.environments.includes(environment),
  );
}

/** How a person reads a limit, e.g. "parameters.storageGB: at most 100". */
export function describeLimit(limit: FieldLimit): string {
  const parts: string[] = [];
  if (limit.minimum !== undefined) parts.push(`at least ${limit.minimum}`);
  if (limit.maximum !== undefined) parts.push(`at most ${limit.maximum}`);
  if (limit.enum) parts.push(`one of ${limit.enum.join(', ')}`);
  if (limit.maxLength !== undefined) {
    parts.push(`at most ${limit.maxLength} characters`);
  }
  if (limit.maxItems !== undefined)
    parts.push(`at most ${limit.maxItems} items`);
  return `${limit.field}: ${parts.join(', ')}`;
}

function fieldSchema(
  schema: FormSchema,
  field: string,
): FormSchema | undefined {
  let node: FormSchema | undefined = schema;
  for (const key of field.split('.')) {
    node = node?.properties?.[key];
  }
  return node;
}

/**
 * The form schema narrowed by `limits`: a limit only tightens (a cap above the XRD's own is
 * ignored, allowed values are intersected), so the form and the server's validation agree.
 * Returns the fields that no property of the schema matches, for the caller to report.
 */
export function narrowSchema(
  schema: FormSchema,
  limits: FieldLimit[],
): { schema: FormSchema; unknownFields: string[] } {
  const narrowed: FormSchema = structuredClone(schema);
  const unknownFields: string[] = [];
  for (const limit of limits) {
    const node = fieldSchema(narrowed, limit.field);
    if (!node) {
      unknownFields.push(limit.field);
      continue;
    }
    if (limit.minimum !== undefined) {
      node.minimum = Math.max(node.minimum ?? -Infinity, limit.minimum);
    }
    if (limit.maximum !== undefined) {
      node.maximum = Math.min(node.maximum ?? Infinity, limit.maximum);
    }
    if (limit.maxLength !== undefined) {
      node.maxLength = Math.min(node.maxLength ?? Infinity, limit.maxLength);
    }
    if (limit.maxItems !== undefined) {
      node.maxItems = Math.min(node.maxItems ?? Infinity, limit.maxItems);
    }
    if (limit.enum) {
      // Config may give numbers for string enums ('16' vs 16): compare as strings.
      const allowed = new Set(limit.enum.map(String));
      node.enum = (node.enum ?? limit.enum).filter(value =>
        allowed.has(String(value)),
      );
      if (node.default !== undefined && !allowed.has(String(node.default))) {
        node.default = node.enum[0];
      }
    }
    if (
      typeof node.default === 'number' &&
      ((node.maximum !== undefined && node.default > node.maximum) ||
        (node.minimum !== undefined && node.default < node.minimum))
    ) {
      node.default = node.maximum ?? node.minimum;
    }
  }
  return { schema: narrowed, unknownFields };
}
