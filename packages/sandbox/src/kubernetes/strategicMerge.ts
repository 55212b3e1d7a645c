/*
 * Kustomize's strategic-merge patches, reduced to what kustomizations of
 * ordinary workloads use: objects merge key by key (`null` deletes a
 * field), lists of built-in types that Kubernetes declares a merge key for
 * (containers by name, container ports by containerPort, env by name, a
 * Service's ports by port, …) merge item by item, and every other list is
 * replaced, as kustomize does for lists without a merge key and for custom
 * resources. Patch directives (`$patch`, `$setElementOrder`, …) are refused.
 */
import { isObject } from './schema';

/** Where the pod spec sits in each built-in kind that has one, by `group/kind`. */
const POD_SPEC_PATHS: Record<string, string> = {
  '/Pod': 'spec',
  '/PodTemplate': 'template.spec',
  '/ReplicationController': 'spec.template.spec',
  'apps/Deployment': 'spec.template.spec',
  'apps/ReplicaSet': 'spec.template.spec',
  'apps/StatefulSet': 'spec.template.spec',
  'apps/DaemonSet': 'spec.template.spec',
  'batch/Job': 'spec.template.spec',
  'batch/CronJob': 'spec.jobTemplate.spec.template.spec',
};

/** `patchMergeKey`s of PodSpec's lists (k8s.io/api core/v1 types.go). */
const POD_SPEC_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  resourceClaims: 'name',
  schedulingGates: 'name',
};

/** `patchMergeKey`s of Container's lists. */
const CONTAINER_KEYS: Record<string, string> = {
  ports: 'containerPort',
  env: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
};

const CONTAINER_LISTS = new Set([
  'containers',
  'initContainers',
  'ephemeralContainers',
]);

/**
 * The merge key of the list at `path` (field names from the object's root,
 * list indexes left out) in an object of `group/kind`, if Kubernetes
 * declares one.
 */
export function mergeKeyOf(
  group: string,
  kind: string,
  path: string[],
): string | undefined {
  const joined = path.join('.');
  if (group === '' && kind === 'Service' && joined === 'spec.ports') {
    return 'port';
  }
  const podSpec = POD_SPEC_PATHS[`${group}/${kind}`];
  if (!podSpec || !joined.startsWith(`${podSpec}.`)) {
    return undefined;
  }
  const rest = joined.slice(podSpec.length + 1).split('.');
  if (rest.length === 1) {
    return POD_SPEC_KEYS[rest[0]];
  }
  return rest.length === 2 && CONTAINER_LISTS.has(rest[0])
    ? CONTAINER_KEYS[rest[1]]
    : undefined;
}

/** A patch value taken over where the target has nothing: nulls dropped, directives refused. */
function patchValue(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(patchValue);
  }
  if (!isObject(value)) {
    return value;
  }
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    refuseDirective(key);
    if (item !== null) {
      result[key] = patchValue(item);
    }
  }
  return result;
}

function refuseDirective(key: string) {
  if (key.startsWith('$')) {
    throw new Error(
      `the strategic-merge directive "${key}" is not rendered by the sandbox`,
    );
  }
}

/**
 * `patch` merged into `target` (neither is changed). In a merged list the
 * patch's items come first, in the patch's order, followed by the target's
 * items the patch does not name, as kustomize orders them.
 */
export function strategicMerge(
  target: unknown,
  patch: unknown,
  mergeKey: (path: string[]) => string | undefined,
  path: string[] = [],
): unknown {
  if (isObject(patch)) {
    if (!isObject(target)) {
      return patchValue(patch);
    }
    const result: Record<string, unknown> = { ...target };
    for (const [key, value] of Object.entries(patch)) {
      refuseDirective(key);
      if (value === null) {
        delete result[key];
      } else {
        result[key] = strategicMerge(target[key], value, mergeKey, [
          ...path,
          key,
        ]);
      }
    }
    return result;
  }
  const key = mergeKey(path);
  if (!Array.isArray(patch) || !Array.isArray(target) || !key) {
    return patchValue(patch);
  }
  const keyOf = (item: unknown) => (isObject(item) ? item[key] : undefined);
  const patched = new Set<unknown>(
    patch.map(keyOf).filter(k => k !== undefined),
  );
  return [
    ...patch.map(item => {
      const match = target.find(
        existing =>
          keyOf(existing) !== undefined && keyOf(existing) === keyOf(item),
      );
      return match === undefined
        ? patchValue(item)
        : strategicMerge(match, item, mergeKey, path);
    }),
    ...target.filter(item => !patched.has(keyOf(item))),
  ];
}
