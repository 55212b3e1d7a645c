/*
 * What a caller without `argocd.application.manifest.read` sees of an Application's manifest.
 * Sources carry the inputs Argo CD renders with, which routinely hold credentials.
 */
import { REDACTED_VALUE } from '@paved/plugin-argocd-common';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Keeps each entry's `name` and flags, so a reader still sees which parameters are set. */
function redactNamedEntries(value: unknown): unknown {
  if (!Array.isArray(value)) {
    return REDACTED_VALUE;
  }
  return value.map(entry =>
    isObject(entry)
      ? Object.fromEntries(
          Object.entries(entry).map(([key, v]) => [
            key,
            key === 'name' || typeof v === 'boolean' ? v : REDACTED_VALUE,
          ]),
        )
      : REDACTED_VALUE,
  );
}

/** Per source block (`helm`, `kustomize`, …): its fields to redact and how. */
const SENSITIVE_SOURCE_FIELDS: Record<
  string,
  Record<string, (value: unknown) => unknown>
> = {
  helm: {
    values: () => REDACTED_VALUE,
    valuesObject: () => REDACTED_VALUE,
    parameters: redactNamedEntries,
    fileParameters: redactNamedEntries,
  },
  kustomize: {
    patches: () => REDACTED_VALUE,
    patchesStrategicMerge: () => REDACTED_VALUE,
    patchesJson6902: () => REDACTED_VALUE,
  },
  plugin: {
    env: redactNamedEntries,
    parameters: redactNamedEntries,
  },
};

function redactSource(source: Json): Json {
  const redacted: Json = { ...source };
  for (const [block, fields] of Object.entries(SENSITIVE_SOURCE_FIELDS)) {
    const value = source[block];
    if (!isObject(value)) {
      continue;
    }
    const copy: Json = { ...value };
    for (const [field, redactField] of Object.entries(fields)) {
      if (copy[field] !== undefined) {
        copy[field] = redactField(copy[field]);
      }
    }
    redacted[block] = copy;
  }
  const jsonnet = isObject(source.directory)
    ? source.directory.jsonnet
    : undefined;
  if (isObject(jsonnet)) {
    redacted.directory = {
      ...(source.directory as Json),
      jsonnet: {
        ...jsonnet,
        ...(jsonnet.extVars
          ? { extVars: redactNamedEntries(jsonnet.extVars) }
          : {}),
        ...(jsonnet.tlas ? { tlas: redactNamedEntries(jsonnet.tlas) } : {}),
      },
    };
  }
  return redacted;
}

/**
 * Copies the value, redacting every Application source in it (an object with `repoURL` or
 * `chart`) and the raw `manifests` of sync operations. Walking the whole resource finds sources
 * wherever Argo CD repeats them: `spec.source(s)`, `status.sync.comparedTo`,
 * `status.history[]`, `status.operationState` and `operation`.
 */
function redact(value: unknown, key?: string): unknown {
  if (Array.isArray(value)) {
    return value.map(item => redact(item));
  }
  if (!isObject(value)) {
    return value;
  }
  const isSource =
    typeof value.repoURL === 'string' || typeof value.chart === 'string';
  const base = isSource ? redactSource(value) : value;
  const copy: Json = {};
  for (const [k, v] of Object.entries(base)) {
    copy[k] = redact(v, k);
  }
  if (key === 'sync' && copy.manifests !== undefined) {
    copy.manifests = REDACTED_VALUE;
  }
  return copy;
}

/** The manifest with credentials-prone values replaced by {@link REDACTED_VALUE}. */
export function redactManifest(manifest: object): Record<string, unknown> {
  return redact(manifest) as Record<string, unknown>;
}
