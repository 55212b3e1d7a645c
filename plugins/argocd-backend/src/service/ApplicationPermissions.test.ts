import { ConfigReader } from '@backstage/config';
import { argocdApplicationConditions } from '@paved/plugin-argocd-common';
import {
  ProjectRoleGroups,
  createHasProjectRoleRule,
} from './ApplicationPermissions';
import {
  ArgoApplicationCache,
  CachedAppProject,
  CachedApplication,
} from './ArgoApplicationCache';
import { ArgoInstance } from './ArgoInstances';

const instance = {
  name: 'prod',
  controlPlaneNamespace: 'argocd',
} as ArgoInstance;

function app(namespace: string, project: string): CachedApplication {
  return {
    instance,
    namespace,
    name: 'payments',
    project,
    labels: {},
    resource: { metadata: { name: 'payments', namespace } },
  };
}

const projects: Record<string, CachedAppProject> = {
  'team-payments': {
    namespace: 'argocd',
    name: 'team-payments',
    sourceNamespaces: ['payments-*'],
    roles: [
      { name: 'owner', groups: ['Acme:Team-Payments'] },
      { name: 'viewer', groups: ['acme:team-sre', 'other:team-storefront'] },
    ],
  },
};

const cache = {
  getProject: (_instance: string, name: string) => projects[name],
} as unknown as ArgoApplicationCache;

const rule = createHasProjectRoleRule({
  cache,
  groups: ProjectRoleGroups.fromConfig(
    new ConfigReader({ argocd: { projectRoleGroups: { org: 'acme' } } }),
  ),
});

function allows(
  application: CachedApplication,
  claims: string[],
  roles?: string[],
) {
  const { params } = argocdApplicationConditions.hasProjectRole({
    claims,
    roles,
  });
  return rule.apply(application, params!);
}

describe('HAS_PROJECT_ROLE', () => {
  it('maps <org>:<team> to the catalog Group of that name, ignoring case', () => {
    expect(
      allows(app('argocd', 'team-payments'), ['group:default/team-payments']),
    ).toBe(true);
    expect(
      allows(app('argocd', 'team-payments'), ['group:default/team-sre']),
    ).toBe(true);
  });

  it('ignores teams of another org, users, and Groups in another namespace', () => {
    for (const claim of [
      'group:default/team-storefront',
      'user:default/team-payments',
      'group:partners/team-payments',
    ]) {
      expect(allows(app('argocd', 'team-payments'), [claim])).toBe(false);
    }
  });

  it('counts only the named roles when given', () => {
    const sre = ['user:default/sam', 'group:default/team-sre'];
    expect(allows(app('argocd', 'team-payments'), sre, ['owner'])).toBe(false);
    expect(allows(app('argocd', 'team-payments'), sre, ['viewer'])).toBe(true);
  });

  it('holds for nobody when the project is unknown, or does not admit the Application’s namespace', () => {
    const owner = ['group:default/team-payments'];
    expect(allows(app('argocd', 'team-missing'), owner)).toBe(false);
    expect(allows(app('payments-eu', 'team-payments'), owner)).toBe(true);
    expect(allows(app('storefront', 'team-payments'), owner)).toBe(false);
  });

  it('holds for nobody without argocd.projectRoleGroups', () => {
    const unmapped = createHasProjectRoleRule({ cache });
    expect(
      unmapped.apply(app('argocd', 'team-payments'), {
        claims: ['group:default/team-payments'],
      }),
    ).toBe(false);
  });
});
