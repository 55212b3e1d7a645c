/*
 * What the simulated Crossplane makes of a Composition's function pipeline.
 * No functions run: the stand-in interprets the inputs of the three it
 * knows, so what gets composed is data in the shipped Compositions, not code:
 * - `function-patch-and-transform`: `resources[]` with `base` and
 *   `FromCompositeFieldPath` patches (transforms `map` and string `Format`);
 * - `function-sandbox-guardrails`: `rules[]` that fail the pipeline with a
 *   message when every `when` test holds, as a validating function would;
 * - `function-sandbox-connection-secret`: a Secret of connection details
 *   composed once the resource it describes is ready, as v2 compositions do.
 * Any other function fails the pipeline rather than being skipped silently.
 */
import { isObject } from './schema';
import { KubeObject } from './store';

export const COMPOSITION_PLURAL = 'compositions';

type Json = Record<string, unknown>;

/** A field path as Crossplane writes them: `spec.parameters.size`, `metadata.labels[app.kubernetes.io/name]`, `items[0]`. */
function parseFieldPath(path: string): Array<string | number> {
  const segments: Array<string | number> = [];
  for (const match of path.matchAll(/([^.[\]]+)|\[([^\]]+)\]/g)) {
    if (match[1] !== undefined) {
      segments.push(match[1]);
    } else {
      segments.push(/^\d+$/.test(match[2]) ? Number(match[2]) : match[2]);
    }
  }
  return segments;
}

export function fieldPathValue(object: unknown, path: string): unknown {
  let current: unknown = object;
  for (const segment of parseFieldPath(path)) {
    if (typeof segment === 'number') {
      current = Array.isArray(current) ? current[segment] : undefined;
    } else {
      current = isObject(current) ? current[segment] : undefined;
    }
  }
  return current;
}

function setFieldPath(object: Json, path: string, value: unknown) {
  const segments = parseFieldPath(path);
  let current: any = object;
  segments.forEach((segment, index) => {
    if (index === segments.length - 1) {
      current[segment] = value;
      return;
    }
    if (current[segment] === undefined || current[segment] === null) {
      current[segment] = typeof segments[index + 1] === 'number' ? [] : {};
    }
    current = current[segment];
  });
}

interface Transform {
  type?: string;
  map?: Record<string, unknown>;
  string?: { type?: string; fmt?: string };
}

interface Patch {
  type?: string;
  fromFieldPath?: string;
  toFieldPath?: string;
  transforms?: Transform[];
}

interface ComposedResourceTemplate {
  name: string;
  base: Json;
  patches?: Patch[];
}

interface GuardrailTest {
  fieldPath: string;
  equals?: unknown;
  notEquals?: unknown;
  greaterThan?: number;
  lessThan?: number;
}

interface GuardrailRule {
  message: string;
  when: GuardrailTest[];
}

/** The input of a `function-sandbox-connection-secret` step. */
export interface ConnectionSecretStep {
  /** The Secret's composition resource name, as `spec.crossplane.resourceRefs` and "Unready resources" name it. */
  resourceName: string;
  /** `%s` is the composite resource's name. */
  nameFormat: string;
  /** The composition resource whose provider-reported details fill the Secret. */
  fromResource: string;
  keys: string[];
}

export interface ComposedResource {
  /** The composition resource name (`crossplane.io/composition-resource-name`). */
  resourceName: string;
  object: Json;
}

export type PipelineResult =
  | { error: string }
  | { resources: ComposedResource[]; connectionSecret?: ConnectionSecretStep };

interface PipelineStep {
  step: string;
  functionRef?: { name?: string };
  input?: Json;
}

const PATCH_AND_TRANSFORM = 'function-patch-and-transform';
const GUARDRAILS = 'function-sandbox-guardrails';
const CONNECTION_SECRET = 'function-sandbox-connection-secret';

function pipelineOf(composition: KubeObject): PipelineStep[] {
  const spec = isObject(composition.spec) ? composition.spec : {};
  return Array.isArray(spec.pipeline) ? (spec.pipeline as PipelineStep[]) : [];
}

function applyTransforms(value: unknown, transforms: Transform[] = []) {
  let result = value;
  for (const transform of transforms) {
    if (transform.type === 'map' && transform.map) {
      result = transform.map[String(result)];
    } else if (
      transform.type === 'string' &&
      transform.string?.type === 'Format' &&
      transform.string.fmt
    ) {
      result = transform.string.fmt.replace('%s', String(result));
    }
    if (result === undefined) {
      return undefined;
    }
  }
  return result;
}

/** Renders each resource's base with its patches; a patch whose source field is absent is skipped, as P&T does. */
function patchAndTransform(
  input: Json,
  composite: KubeObject,
): ComposedResource[] {
  const resources = Array.isArray(input.resources)
    ? (input.resources as ComposedResourceTemplate[])
    : [];
  return resources.map(resource => {
    const object = structuredClone(resource.base ?? {});
    for (const patch of resource.patches ?? []) {
      if (
        patch.type !== 'FromCompositeFieldPath' ||
        !patch.fromFieldPath ||
        !patch.toFieldPath
      ) {
        continue;
      }
      const value = applyTransforms(
        fieldPathValue(composite, patch.fromFieldPath),
        patch.transforms,
      );
      if (value !== undefined) {
        setFieldPath(object, patch.toFieldPath, structuredClone(value));
      }
    }
    return { resourceName: resource.name, object };
  });
}

function holds(test: GuardrailTest, composite: KubeObject): boolean {
  const value = fieldPathValue(composite, test.fieldPath);
  if ('equals' in test && value !== test.equals) return false;
  if ('notEquals' in test && value === test.notEquals) return false;
  if (test.greaterThan !== undefined) {
    if (typeof value !== 'number' || value <= test.greaterThan) return false;
  }
  if (test.lessThan !== undefined) {
    if (typeof value !== 'number' || value >= test.lessThan) return false;
  }
  return true;
}

/** The message of the step's first rule whose tests all hold, with `{field.path}` filled in from the object. */
function ruleViolation(step: PipelineStep, object: KubeObject) {
  const rules = Array.isArray(step.input?.rules)
    ? (step.input.rules as GuardrailRule[])
    : [];
  const broken = rules.find(rule =>
    (rule.when ?? []).every(test => holds(test, object)),
  );
  return broken?.message.replace(/\{([^}]+)\}/g, (_, path) =>
    String(fieldPathValue(object, path)),
  );
}

/** The first guardrail the object breaks, and in which step; v1 claims are checked this way before their composite is applied. */
export function guardrailViolation(
  composition: KubeObject,
  object: KubeObject,
): { step: string; message: string } | undefined {
  for (const step of pipelineOf(composition)) {
    const message =
      step.functionRef?.name === GUARDRAILS
        ? ruleViolation(step, object)
        : undefined;
    if (message !== undefined) {
      return { step: step.step, message };
    }
  }
  return undefined;
}

/** Runs the pipeline over the composite resource; errors read like Crossplane's. */
export function runPipeline(
  composition: KubeObject,
  composite: KubeObject,
): PipelineResult {
  const spec = isObject(composition.spec) ? composition.spec : {};
  if (spec.mode !== 'Pipeline') {
    return {
      error: `Composition "${composition.metadata.name}" has mode ${String(
        spec.mode,
      )}; Crossplane v2 composes through a function pipeline only`,
    };
  }
  const resources: ComposedResource[] = [];
  let connectionSecret: ConnectionSecretStep | undefined;
  for (const step of pipelineOf(composition)) {
    const input = step.input ?? {};
    switch (step.functionRef?.name) {
      case GUARDRAILS: {
        const message = ruleViolation(step, composite);
        if (message !== undefined) {
          return {
            error: `pipeline step "${step.step}" returned a fatal result: ${message}`,
          };
        }
        break;
      }
      case PATCH_AND_TRANSFORM:
        resources.push(...patchAndTransform(input, composite));
        break;
      case CONNECTION_SECRET:
        connectionSecret = input as unknown as ConnectionSecretStep;
        break;
      default:
        return {
          error: `pipeline step "${step.step}" uses function "${
            step.functionRef?.name ?? ''
          }", which the sandbox does not simulate`,
        };
    }
  }
  return { resources, connectionSecret };
}

/** Crossplane's "a, b, and 2 more": sorted, at most three named. */
export function someNames(names: string[]): string {
  const sorted = [...names].sort();
  if (sorted.length > 3) {
    return `${sorted.slice(0, 3).join(', ')}, and ${sorted.length - 3} more`;
  }
  if (sorted.length === 3) {
    return `${sorted.slice(0, 2).join(', ')}, and ${sorted[2]}`;
  }
  return sorted.join(', ');
}
