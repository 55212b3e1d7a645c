import { Config } from '@backstage/config';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';

/** Who the caller is, as far as Paved's policy cares. */
export interface Caller {
  userEntityRef: string;
  /** The user's own ref and the groups they belong to, as sign-in resolved them. */
  claims: string[];
  isGuest: boolean;
  isAdmin: boolean;
  isApprover: boolean;
}

/** The groups named in `paved.permissions`, read once at start-up. */
export interface RoleConfig {
  admins: Set<string>;
  approvers: Set<string>;
  guest: string;
  /** AppProject role names whose groups own an Application (see the README). */
  argocdOwnerRoles: string[];
}

const DEFAULT_GUEST = 'user:development/guest';

function groupRefs(config: Config, key: string): Set<string> {
  return new Set(
    (config.getOptionalStringArray(key) ?? []).map(ref =>
      stringifyEntityRef(
        parseEntityRef(ref, {
          defaultKind: 'group',
          defaultNamespace: 'default',
        }),
      ).toLocaleLowerCase('en-US'),
    ),
  );
}

export function readRoleConfig(config: Config): RoleConfig {
  return {
    admins: groupRefs(config, 'paved.permissions.admins'),
    approvers: groupRefs(config, 'paved.permissions.approvers'),
    guest:
      config.getOptionalString('auth.providers.guest.userEntityRef') ??
      DEFAULT_GUEST,
    argocdOwnerRoles: config.getOptionalStringArray(
      'paved.permissions.argocdOwnerRoles',
    ) ?? ['owner'],
  };
}

export function callerOf(
  roles: RoleConfig,
  info: { userEntityRef: string; ownershipEntityRefs: string[] },
): Caller {
  const claims = info.ownershipEntityRefs.map(ref =>
    ref.toLocaleLowerCase('en-US'),
  );
  const isGuest =
    info.userEntityRef.toLocaleLowerCase('en-US') ===
    roles.guest.toLocaleLowerCase('en-US');
  // The guest never gets a role, even if a config lists one of its refs.
  const inAny = (groups: Set<string>) =>
    !isGuest && claims.some(ref => groups.has(ref));
  return {
    userEntityRef: info.userEntityRef,
    claims,
    isGuest,
    isAdmin: inAny(roles.admins),
    isApprover: inAny(roles.approvers),
  };
}
