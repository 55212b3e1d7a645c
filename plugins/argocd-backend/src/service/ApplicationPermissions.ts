import { Config } from '@backstage/config';
import { parseEntityRef } from '@backstage/catalog-model';
import {
  createPermissionResourceRef,
  createPermissionRule,
} from '@backstage/plugin-permission-node';
import {
  HAS_PROJECT_ROLE_RULE,
  HasProjectRoleParams,
  RESOURCE_TYPE_ARGOCD_APPLICATION,
} from '@paved/plugin-argocd-common';
import { z } from 'zod';
import {
  ArgoApplicationCache,
  CachedAppProject,
  CachedApplication,
} from './ArgoApplicationCache';

/**
 * The permission resource of an Argo CD Application. Applications are filtered in memory from
 * the cache, so the query form of a condition is the condition itself.
 */
export const argocdApplicationResourceRef = createPermissionResourceRef<
  CachedApplication,
  HasProjectRoleParams
>().with({
  pluginId: 'argocd',
  resourceType: RESOURCE_TYPE_ARGOCD_APPLICATION,
});

/** The permission resource ref of an Application: `<instance>/<namespace>/<name>`. */
export function applicationResourceRef(app: CachedApplication): string {
  return `${app.instance.name}/${app.namespace}/${app.name}`;
}

/**
 * How Argo CD's SSO groups name catalog Groups. Argo CD's Dex GitHub connector names a team
 * `<org>:<team-slug>`; Backstage's GitHub org ingestion makes the same team the Group
 * `group:<namespace>/<team-slug>`. Groups of other orgs, and other group formats, map to nothing.
 */
export class ProjectRoleGroups {
  static fromConfig(config: Config): ProjectRoleGroups | undefined {
    const mapping = config.getOptionalConfig('argocd.projectRoleGroups');
    if (!mapping) {
      return undefined;
    }
    return new ProjectRoleGroups(
      mapping.getString('org'),
      mapping.getOptionalString('namespace') ?? 'default',
    );
  }

  constructor(
    private readonly org: string,
    private readonly namespace: string,
  ) {}

  /** The catalog Group an Argo CD group names, as a lower-case ref, or undefined. */
  groupRefOf(argoGroup: string): string | undefined {
    const separator = argoGroup.indexOf(':');
    if (separator < 0) {
      return undefined;
    }
    const org = argoGroup.slice(0, separator);
    const team = argoGroup.slice(separator + 1);
    // GitHub org logins and team slugs are case-insensitive, as are entity refs.
    if (!team || org.toLowerCase() !== this.org.toLowerCase()) {
      return undefined;
    }
    return `group:${this.namespace}/${team}`.toLowerCase();
  }
}

/** Whether an AppProject pattern (`team-*`, `*`) covers a namespace, as Argo CD's glob does. */
function globMatches(pattern: string, value: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map(part => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return regex.test(value);
}

/**
 * The AppProject Argo CD applies to an Application: `spec.project` in Argo CD's namespace. An
 * Application elsewhere counts only when the project lists its namespace in
 * `spec.sourceNamespaces`, as Argo CD requires before it manages it.
 */
export function projectOf(
  cache: ArgoApplicationCache,
  app: CachedApplication,
): CachedAppProject | undefined {
  const project = cache.getProject(app.instance.name, app.project);
  if (!project) {
    return undefined;
  }
  if (
    app.namespace !== app.instance.controlPlaneNamespace &&
    !project.sourceNamespaces.some(pattern =>
      globMatches(pattern, app.namespace),
    )
  ) {
    return undefined;
  }
  return project;
}

/** Lower-case refs of the Groups among a caller's claims. */
function groupClaims(claims: unknown): Set<string> {
  const groups = new Set<string>();
  for (const claim of Array.isArray(claims) ? claims : []) {
    if (typeof claim !== 'string') {
      continue;
    }
    try {
      const ref = parseEntityRef(claim);
      if (ref.kind.toLowerCase() === 'group') {
        groups.add(`group:${ref.namespace}/${ref.name}`.toLowerCase());
      }
    } catch {
      // A claim that is not an entity ref names no Group.
    }
  }
  return groups;
}

/**
 * `HAS_PROJECT_ROLE`: the Application's AppProject has a role (one of `roles`, if given) whose
 * `groups` contain one of the caller's Groups. Without `argocd.projectRoleGroups` no group
 * maps, so the rule holds for nobody.
 */
export function createHasProjectRoleRule(options: {
  cache: ArgoApplicationCache;
  groups?: ProjectRoleGroups;
}) {
  const { cache, groups } = options;
  return createPermissionRule({
    name: HAS_PROJECT_ROLE_RULE,
    description:
      "Allow when the Application's Argo CD project has a role whose groups include one of the caller's Groups",
    resourceRef: argocdApplicationResourceRef,
    paramsSchema: z.object({
      claims: z
        .array(z.string())
        .describe(
          "The caller's ownership refs, e.g. group:default/team-payments",
        ),
      roles: z
        .array(z.string())
        .optional()
        .describe('Only these project roles count; any role when absent'),
    }),
    apply(app, { claims, roles }) {
      const project = groups && projectOf(cache, app);
      if (!project) {
        return false;
      }
      const callerGroups = groupClaims(claims);
      return project.roles.some(
        role =>
          (!roles || roles.includes(role.name)) &&
          role.groups.some(group => {
            const ref = groups.groupRefOf(group);
            return ref !== undefined && callerGroups.has(ref);
          }),
      );
    },
    toQuery(params) {
      return params;
    },
  });
}
