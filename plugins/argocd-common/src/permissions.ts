import {
  PermissionCondition,
  createPermission,
} from '@backstage/plugin-permission-common';

/** Resource type of an Argo CD Application, named by `<instance>/<namespace>/<name>`. */
export const RESOURCE_TYPE_ARGOCD_APPLICATION = 'argocd-application';

/**
 * Seeing an Argo CD Application: its status, history and redacted manifest. A resource
 * permission on the Application, so a policy can mirror Argo CD's own project roles with
 * {@link argocdApplicationConditions}.
 */
export const argocdApplicationReadPermission = createPermission({
  name: 'argocd.application.read',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_ARGOCD_APPLICATION,
});

/**
 * Seeing an Application's manifest unredacted: Helm values and parameters, kustomize patches and
 * plugin environments, which often carry credentials.
 */
export const argocdApplicationManifestReadPermission = createPermission({
  name: 'argocd.application.manifest.read',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_ARGOCD_APPLICATION,
});

/**
 * Creating an Application (a golden-path template deploying a new service). Decided on the
 * Application as it would be, so a policy can require a role in its AppProject.
 */
export const argocdApplicationCreatePermission = createPermission({
  name: 'argocd.application.create',
  attributes: { action: 'create' },
  resourceType: RESOURCE_TYPE_ARGOCD_APPLICATION,
});

/** Every permission the Argo CD plugin checks. */
export const argocdPermissions = [
  argocdApplicationReadPermission,
  argocdApplicationManifestReadPermission,
  argocdApplicationCreatePermission,
];

/** Parameters of the `HAS_PROJECT_ROLE` rule. */
export type HasProjectRoleParams = {
  /** The caller's ownership refs, e.g. `user.info.ownershipEntityRefs` (`group:default/team-a`). */
  claims: string[];
  /** Only these roles of the project count (e.g. `['owner']`); any role when absent. */
  roles?: string[];
};

/** Name of the rule that grants what the Application's Argo CD project grants. */
export const HAS_PROJECT_ROLE_RULE = 'HAS_PROJECT_ROLE';

/**
 * Conditions on {@link RESOURCE_TYPE_ARGOCD_APPLICATION} for permission policies, usable without
 * a dependency on the backend.
 */
export const argocdApplicationConditions = {
  /**
   * True when the Application's AppProject has a role (one of `roles`, if given) whose `groups`
   * hold a group among `claims`, mapped as `argocd.projectRoleGroups` configures.
   */
  hasProjectRole(
    params: HasProjectRoleParams,
  ): PermissionCondition<
    typeof RESOURCE_TYPE_ARGOCD_APPLICATION,
    HasProjectRoleParams
  > {
    return {
      rule: HAS_PROJECT_ROLE_RULE,
      resourceType: RESOURCE_TYPE_ARGOCD_APPLICATION,
      params,
    };
  },
};
