import { ConfigReader } from '@backstage/config';
import { mockCredentials } from '@backstage/backend-test-utils';
import { UserInfoService } from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import { catalogEntityDeletePermission } from '@backstage/plugin-catalog-common/alpha';
import {
  taskCancelPermission,
  taskReadPermission,
} from '@backstage/plugin-scaffolder-common/alpha';
import {
  argocdApplicationCreatePermission,
  argocdApplicationManifestReadPermission,
} from '@paved/plugin-argocd-common';
import {
  scorecardsCampaignCreatePermission,
  scorecardsCampaignDeletePermission,
  scorecardsEntityRerunPermission,
} from '@paved/plugin-scorecards-common';
import { PolicyQuery } from '@backstage/plugin-permission-node';
import { PavedPermissionPolicy } from './PavedPermissionPolicy';
import { readRoleConfig } from './roles';

// The full roles × permissions table runs against the built backend (packages/e2e-tests,
// permissionMatrix.ts); these cases cover how config and identities become roles.

const config = new ConfigReader({
  paved: {
    permissions: {
      admins: ['group:default/team-platform', 'Team-Ops'],
      approvers: ['group:default/team-sre'],
    },
  },
});

function policyFor(users: Record<string, string[]>) {
  const userInfo: UserInfoService = {
    async getUserInfo(credentials) {
      const ref = (credentials.principal as { userEntityRef: string })
        .userEntityRef;
      return { userEntityRef: ref, ownershipEntityRefs: [ref, ...users[ref]] };
    },
  };
  return new PavedPermissionPolicy(readRoleConfig(config), userInfo);
}

const users = {
  'user:default/ingrid': ['group:default/team-platform'],
  'user:default/otto': ['group:default/team-ops'],
  'user:default/priya': ['group:default/team-storefront'],
  'user:development/guest': ['group:default/team-platform'],
};

const unregister = { permission: catalogEntityDeletePermission };
const newPluginWrite = {
  permission: createPermission({
    name: 'someplugin.thing.update',
    attributes: { action: 'update' },
  }),
};
const newPluginRead = {
  permission: createPermission({
    name: 'someplugin.thing.read',
    attributes: { action: 'read' },
  }),
};

async function decide(userEntityRef: string, query: PolicyQuery) {
  const policy = policyFor(users);
  return policy.handle(query, {
    credentials: mockCredentials.user(userEntityRef),
    info: { userEntityRef, ownershipEntityRefs: [] },
  });
}

describe('PavedPermissionPolicy', () => {
  it('lets admins named by group ref or bare group name do anything', async () => {
    for (const admin of ['user:default/ingrid', 'user:default/otto']) {
      expect(await decide(admin, unregister)).toEqual({
        result: AuthorizeResult.ALLOW,
      });
      expect(await decide(admin, newPluginWrite)).toEqual({
        result: AuthorizeResult.ALLOW,
      });
    }
  });

  it('never makes the guest an admin, even if its claims name an admin group', async () => {
    expect(await decide('user:development/guest', unregister)).toEqual({
      result: AuthorizeResult.DENY,
    });
  });

  it("limits unregistering to the entity's owners through a catalog condition", async () => {
    expect(await decide('user:default/priya', unregister)).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        resourceType: 'catalog-entity',
        params: {
          claims: ['user:default/priya', 'group:default/team-storefront'],
        },
      },
    });
  });

  it("lets an entity's owners, not the guest, re-run its scorecard", async () => {
    const rerun = { permission: scorecardsEntityRerunPermission };
    expect(await decide('user:default/priya', rerun)).toMatchObject({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      conditions: { rule: 'IS_ENTITY_OWNER' },
    });
    expect(await decide('user:development/guest', rerun)).toEqual({
      result: AuthorizeResult.DENY,
    });
  });

  it('lets only admins start and end scorecard campaigns', async () => {
    for (const permission of [
      scorecardsCampaignCreatePermission,
      scorecardsCampaignDeletePermission,
    ]) {
      expect(await decide('user:default/ingrid', { permission })).toEqual({
        result: AuthorizeResult.ALLOW,
      });
      expect(await decide('user:default/priya', { permission })).toEqual({
        result: AuthorizeResult.DENY,
      });
      expect(await decide('user:development/guest', { permission })).toEqual({
        result: AuthorizeResult.DENY,
      });
    }
  });

  // No scaffolder task exists in the portal before templates land, so the end-to-end matrix
  // cannot ask about one; the task rules are checked here.
  it('lets people read and cancel only the scaffolder tasks they created, and the guest cancel none', async () => {
    const ownTasks = {
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'scaffolder',
      resourceType: 'scaffolder-task',
      conditions: {
        rule: 'IS_TASK_OWNER',
        resourceType: 'scaffolder-task',
        params: { createdBy: ['user:default/priya'] },
      },
    };
    expect(
      await decide('user:default/priya', { permission: taskReadPermission }),
    ).toEqual(ownTasks);
    expect(
      await decide('user:default/priya', { permission: taskCancelPermission }),
    ).toEqual(ownTasks);
    expect(
      await decide('user:development/guest', {
        permission: taskCancelPermission,
      }),
    ).toEqual({ result: AuthorizeResult.DENY });
  });

  it('gives unredacted Argo CD manifests only to AppProject owner roles', async () => {
    expect(
      await decide('user:default/priya', {
        permission: argocdApplicationManifestReadPermission,
      }),
    ).toMatchObject({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'argocd',
      conditions: {
        rule: 'HAS_PROJECT_ROLE',
        params: { roles: ['owner'] },
      },
    });
  });

  it('lets people create Argo CD Applications only in projects where their team is owner, and never the guest', async () => {
    expect(
      await decide('user:default/priya', {
        permission: argocdApplicationCreatePermission,
      }),
    ).toMatchObject({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'argocd',
      conditions: {
        rule: 'HAS_PROJECT_ROLE',
        params: {
          claims: ['user:default/priya', 'group:default/team-storefront'],
          roles: ['owner'],
        },
      },
    });
    expect(
      await decide('user:development/guest', {
        permission: argocdApplicationCreatePermission,
      }),
    ).toEqual({ result: AuthorizeResult.DENY });
  });

  it("opens a new plugin's reads to everyone and keeps its writes for admins", async () => {
    expect(await decide('user:default/priya', newPluginRead)).toEqual({
      result: AuthorizeResult.ALLOW,
    });
    expect(await decide('user:development/guest', newPluginRead)).toEqual({
      result: AuthorizeResult.ALLOW,
    });
    expect(await decide('user:default/priya', newPluginWrite)).toEqual({
      result: AuthorizeResult.DENY,
    });
  });
});
