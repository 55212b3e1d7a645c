/*
 * Legacy (unaggregated) discovery documents, built from whatever types the
 * cluster serves at the moment, so CRDs appear as soon as they are created.
 */
import { ResourceType, apiVersionOf, compareVersions } from './resources';

export function apiVersions(serverAddress: string) {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupVersions(types: ResourceType[], group: string): string[] {
  const versions = new Set<string>();
  for (const type of types.filter(t => t.group === group)) {
    for (const version of type.versions.keys()) {
      versions.add(version);
    }
  }
  return [...versions].sort(compareVersions);
}

export function apiGroup(types: ResourceType[], group: string) {
  const versions = groupVersions(types, group).map(version => ({
    groupVersion: apiVersionOf(group, version),
    version,
  }));
  if (versions.length === 0) {
    return undefined;
  }
  return {
    kind: 'APIGroup',
    apiVersion: 'v1',
    name: group,
    versions,
    preferredVersion: versions[0],
  };
}

/** Built-in groups first, then CRD groups, as the apiserver orders them; by name within each. */
export function apiGroupList(types: ResourceType[]) {
  const builtInGroups = new Set(types.filter(t => !t.custom).map(t => t.group));
  const groups = [...new Set(types.map(t => t.group).filter(g => g !== ''))]
    .sort((a, b) => {
      const builtIn = (g: string) =>
        builtInGroups.has(g) || g.endsWith('.k8s.io') ? 0 : 1;
      return builtIn(a) - builtIn(b) || (a < b ? -1 : 1);
    })
    .map(group => {
      const {
        kind: _kind,
        apiVersion: _apiVersion,
        ...rest
      } = apiGroup(types, group)!;
      return rest;
    });
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export function apiResourceList(
  types: ResourceType[],
  group: string,
  version: string,
) {
  const served = types.filter(
    t => t.group === group && t.versions.has(version),
  );
  if (served.length === 0) {
    return undefined;
  }
  const resources = served.flatMap(type => {
    const main = {
      name: type.plural,
      singularName: type.singular,
      namespaced: type.namespaced,
      kind: type.kind,
      verbs: type.verbs,
      ...(type.shortNames.length ? { shortNames: type.shortNames } : {}),
      ...(type.categories.length ? { categories: type.categories } : {}),
    };
    const status = {
      name: `${type.plural}/status`,
      singularName: '',
      namespaced: type.namespaced,
      kind: type.kind,
      verbs: ['get', 'patch', 'update'],
    };
    return type.versions.get(version)?.statusSubresource
      ? [main, status]
      : [main];
  });
  return {
    kind: 'APIResourceList',
    // The core group's list carries no apiVersion, the named groups' do.
    ...(group ? { apiVersion: 'v1' } : {}),
    groupVersion: apiVersionOf(group, version),
    resources,
  };
}
