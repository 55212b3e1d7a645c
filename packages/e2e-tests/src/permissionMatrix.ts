// The expected decision of Paved's permission policy for each demo role and every permission the
// backend registers (plugins/permission-backend-module-policy/README.md explains each rule).
// A permission the backend registers without a row here fails the matrix test.

export type Decision = 'ALLOW' | 'DENY';

export type Role = 'guest' | 'member' | 'owner' | 'approver' | 'admin';

/** Demo people who play each role (demo/org.yaml); the guest signs in without GitHub. */
export const roles: { name: Role; login?: string; who: string }[] = [
  { name: 'guest', who: 'the guest (embedded default only)' },
  {
    name: 'member',
    login: 'priya-raman',
    who: 'Storefront Team member, not an owner of payments-service',
  },
  {
    name: 'owner',
    login: 'daniel-mercer',
    who: 'Payments Team member, owner of payments-service',
  },
  {
    name: 'approver',
    login: 'oliver-nakamura',
    who: 'SRE Team member (paved.permissions.approvers)',
  },
  {
    name: 'admin',
    login: 'ingrid-solberg',
    who: 'Platform Team member (paved.permissions.admins)',
  },
];

/**
 * The resource each resource permission is asked about (Backstage requires one from users), so
 * conditional decisions resolve to a definite answer.
 */
export const resourceRefs: Record<string, string> = {
  'catalog-entity': 'component:default/payments-service',
  // payments-service's Application on the production cluster (project team-payments).
  'argocd-application': 'sandbox-prod/argocd/payments-service',
  'scaffolder-template': 'template:default/probe',
  'scaffolder-action': 'fetch:template',
  // 'scaffolder-task': the id of a task the owner starts in the test itself.
  // 'crossplane-request': the id of a request the owner makes in the test itself.
};

const everyone = (d: Decision): Record<Role, Decision> => ({
  guest: d,
  member: d,
  owner: d,
  approver: d,
  admin: d,
});
const adminsOnly = { ...everyone('DENY'), admin: 'ALLOW' } as const;
const people = { ...everyone('ALLOW'), guest: 'DENY' } as const;
const paymentsOwners = {
  ...everyone('DENY'),
  owner: 'ALLOW',
  admin: 'ALLOW',
} as const;

export const expectedDecisions: Record<string, Record<Role, Decision>> = {
  'catalog.entity.read': everyone('ALLOW'),
  'catalog.entity.create': people,
  'catalog.entity.delete': paymentsOwners,
  'catalog.entity.refresh': paymentsOwners,
  'catalog.entity.validate': people,
  'catalog.location.read': everyone('ALLOW'),
  'catalog.location.create': people,
  'catalog.location.analyze': people,
  'catalog.location.delete': adminsOnly,
  'catalog.ingestion.read': everyone('ALLOW'),
  'catalog.ingestion.manage': adminsOnly,

  'scaffolder.action.execute': people,
  'scaffolder.task.create': people,
  // Each person reads and cancels the tasks they created (IS_TASK_OWNER): asked about a task
  // the owner started.
  'scaffolder.task.read': paymentsOwners,
  'scaffolder.task.cancel': paymentsOwners,
  'scaffolder.template.parameter.read': everyone('ALLOW'),
  'scaffolder.template.step.read': everyone('ALLOW'),
  'scaffolder.template.management': adminsOnly,
  'scaffolder.template.dry-run': adminsOnly,

  'kubernetes.clusters.read': everyone('ALLOW'),
  'kubernetes.resources.read': everyone('ALLOW'),
  'kubernetes.proxy': adminsOnly,

  // payments-service's project names the Payments Team as owner and the SRE Team as viewer.
  'argocd.application.read': {
    ...everyone('DENY'),
    owner: 'ALLOW',
    approver: 'ALLOW',
    admin: 'ALLOW',
  },
  'argocd.application.manifest.read': paymentsOwners,
  // Asked about payments-service's Application: its project's owner role may create there.
  'argocd.application.create': paymentsOwners,

  'audit-log.event.read': adminsOnly,

  // What infrastructure can be requested, and every request's timeline, are open to everyone
  // signed in. Asked about a production request the owner made for payments-service: its team
  // requests (IS_REQUEST_OWNER), approvers decide (nobody their own, which the plugin enforces).
  'crossplane.offering.read': everyone('ALLOW'),
  'crossplane.request.read': everyone('ALLOW'),
  'crossplane.request.create': paymentsOwners,
  'crossplane.request.approve': {
    ...everyone('DENY'),
    approver: 'ALLOW',
    admin: 'ALLOW',
  },

  // Scorecards are open to read; a scorecard is re-run by the entity's owners (IS_ENTITY_OWNER,
  // asked about payments-service); campaigns, targets for every team, are started and ended by
  // admins. Tech Insights' facts and checks are open to read; running its checks through its own
  // API is left to admins (Paved's scorecards run them).
  'scorecards.result.read': everyone('ALLOW'),
  'scorecards.entity.rerun': paymentsOwners,
  'scorecards.campaign.create': adminsOnly,
  'scorecards.campaign.delete': adminsOnly,
  'tech-insights.check.read': everyone('ALLOW'),
  'tech-insights.fact-retriever.read': everyone('ALLOW'),
  'tech-insights.check.run': adminsOnly,
};
