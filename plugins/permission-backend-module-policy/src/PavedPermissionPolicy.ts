import {
  AuthorizeResult,
  isResourcePermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { UserInfoService } from '@backstage/backend-plugin-api';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  createScaffolderTaskConditionalDecision,
  scaffolderTaskConditions,
} from '@backstage/plugin-scaffolder-backend/alpha';
import {
  argocdApplicationConditions,
  argocdApplicationCreatePermission,
  argocdApplicationManifestReadPermission,
  argocdApplicationReadPermission,
} from '@paved/plugin-argocd-common';
import { auditLogReadPermission } from '@paved/plugin-audit-log-common';
import {
  crossplaneRequestApprovePermission,
  crossplaneRequestConditions,
  crossplaneRequestCreatePermission,
} from '@paved/plugin-crossplane-common';
import {
  scorecardsCampaignCreatePermission,
  scorecardsCampaignDeletePermission,
  scorecardsEntityRerunPermission,
} from '@paved/plugin-scorecards-common';
import { Caller, callerOf, RoleConfig } from './roles';

const ALLOW: PolicyDecision = { result: AuthorizeResult.ALLOW };
const DENY: PolicyDecision = { result: AuthorizeResult.DENY };

/** A rule for one permission: what a signed-in person who is not an admin gets. */
type Rule = (caller: Caller, query: PolicyQuery) => PolicyDecision;

const adminsOnly: Rule = () => DENY;
const peopleOnly: Rule = caller => (caller.isGuest ? DENY : ALLOW);

const entityOwners: Rule = (caller, { permission }) => {
  if (caller.isGuest || !isResourcePermission(permission, 'catalog-entity')) {
    return DENY;
  }
  return createCatalogConditionalDecision(
    permission,
    catalogConditions.isEntityOwner({ claims: caller.claims }),
  );
};

const taskCreators: Rule = (caller, { permission }) => {
  if (!isResourcePermission(permission, 'scaffolder-task')) return DENY;
  return createScaffolderTaskConditionalDecision(
    permission,
    scaffolderTaskConditions.isTaskOwner({ createdBy: [caller.userEntityRef] }),
  );
};

/**
 * Paved's default policy. Admins may do everything; everyone signed in reads; people (not the
 * guest) act on what they own; a few tools are for admins only. Paved's own permissions are
 * decided here too, so each plugin only defines and checks them. The README lists every rule.
 */
export class PavedPermissionPolicy implements PermissionPolicy {
  private readonly rules: Record<string, Rule>;

  constructor(
    private readonly roles: RoleConfig,
    private readonly userInfo: UserInfoService,
  ) {
    const projectRole = (
      caller: Caller,
      roleNames?: string[],
    ): PolicyDecision => ({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'argocd',
      resourceType: argocdApplicationReadPermission.resourceType,
      conditions: argocdApplicationConditions.hasProjectRole({
        claims: caller.claims,
        ...(roleNames ? { roles: roleNames } : {}),
      }),
    });
    this.rules = {
      // Catalog: unregister and refresh are for the entity's owners; removing locations and
      // managing ingestion are for admins. Registering is open to people: which kinds a
      // registered location may hold is limited by catalog.rules (no User, Group, Template or
      // Location outside the files admins configure).
      'catalog.entity.delete': entityOwners,
      'catalog.entity.refresh': entityOwners,
      'catalog.entity.create': peopleOnly,
      'catalog.entity.validate': peopleOnly,
      'catalog.location.create': peopleOnly,
      'catalog.location.analyze': peopleOnly,
      'catalog.location.delete': adminsOnly,
      'catalog.ingestion.manage': adminsOnly,
      // Scaffolder: people run templates; each sees and cancels their own tasks; editing tools
      // and dry-runs are for admins.
      'scaffolder.task.create': peopleOnly,
      'scaffolder.action.execute': peopleOnly,
      'scaffolder.task.read': taskCreators,
      'scaffolder.task.cancel': (caller, query) =>
        caller.isGuest ? DENY : taskCreators(caller, query),
      'scaffolder.template.management': adminsOnly,
      'scaffolder.template.dry-run': adminsOnly,
      // The Kubernetes proxy acts with the portal's own cluster credentials.
      'kubernetes.proxy': adminsOnly,
      // Argo CD shows an Application only to those its AppProject's roles name, as Argo does;
      // the unredacted manifest only to the project's owner roles.
      [argocdApplicationReadPermission.name]: caller => projectRole(caller),
      [argocdApplicationManifestReadPermission.name]: caller =>
        projectRole(caller, this.roles.argocdOwnerRoles),
      // A new service is deployed into its owning team's project, by that team.
      [argocdApplicationCreatePermission.name]: caller =>
        caller.isGuest
          ? DENY
          : projectRole(caller, this.roles.argocdOwnerRoles),
      // Infrastructure is requested by the team owning the entity it is for; production
      // requests are approved by approvers (the plugin refuses self-approval to everyone).
      [crossplaneRequestCreatePermission.name]: caller =>
        caller.isGuest
          ? DENY
          : {
              result: AuthorizeResult.CONDITIONAL,
              pluginId: 'crossplane',
              resourceType: crossplaneRequestCreatePermission.resourceType,
              conditions: crossplaneRequestConditions.isRequestOwner({
                claims: caller.claims,
              }),
            },
      [crossplaneRequestApprovePermission.name]: caller =>
        caller.isApprover ? ALLOW : DENY,
      [auditLogReadPermission.name]: adminsOnly,
      // A team scores its own service again after fixing something; reading scorecards is open.
      [scorecardsEntityRerunPermission.name]: entityOwners,
      // Campaigns set targets for every team, so the platform team starts and ends them.
      [scorecardsCampaignCreatePermission.name]: adminsOnly,
      [scorecardsCampaignDeletePermission.name]: adminsOnly,
    };
  }

  async handle(
    query: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (!user) return DENY;
    const caller = callerOf(
      this.roles,
      await this.userInfo.getUserInfo(user.credentials),
    );
    return this.decide(caller, query);
  }

  /** The decision for a caller whose roles are known. */
  decide(caller: Caller, query: PolicyQuery): PolicyDecision {
    if (caller.isAdmin) return ALLOW;
    const rule = this.rules[query.permission.name];
    if (rule) return rule(caller, query);
    // Anything else: reading is open to everyone signed in; acting is for admins until a rule
    // says otherwise, so a new plugin's write permission is never open by accident.
    return query.permission.attributes.action === 'read' ? ALLOW : DENY;
  }
}
