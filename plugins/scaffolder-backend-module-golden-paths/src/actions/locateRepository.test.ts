import { mockCredentials } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { createLocateRepositoryAction } from './locateRepository';

const host = 'github.acme.test';

const component = (
  name: string,
  owner: string,
  annotations: Record<string, string>,
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations },
  spec: { type: 'service', owner, lifecycle: 'production' },
  relations: [
    {
      type: 'ownedBy',
      targetRef: owner.includes(':') ? owner : `group:default/${owner}`,
    },
  ],
});

const entities: Entity[] = [
  component('payments-service', 'team-payments', {
    'github.com/project-slug': 'acme/payments-service',
    'backstage.io/source-location': `url:https://${host}/acme/payments-service/tree/main/`,
  }),
  component('storefront-web', 'team-storefront', {
    'github.com/project-slug': 'acme/storefront-web',
  }),
  component('ledger-notes', 'team-payments', {}),
  component('personal-tool', 'user:default/daniel-mercer', {
    'github.com/project-slug': 'acme/personal-tool',
  }),
];

const daniel: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name: 'daniel-mercer', namespace: 'default' },
  spec: { memberOf: ['team-payments'] },
  relations: [{ type: 'memberOf', targetRef: 'group:default/team-payments' }],
};

const action = createLocateRepositoryAction({
  catalog: catalogServiceMock({ entities }),
  integrations: ScmIntegrations.fromConfig(
    new ConfigReader({
      integrations: {
        github: [{ host, apiBaseUrl: `https://${host}/api/v3` }],
      },
    }),
  ),
  destination: {
    host,
    owner: 'acme',
    webUrlBase: `https://${host}`,
    cloneUrlBase: `https://${host}`,
    imageRepositoryBase: 'ghcr.io/acme',
  },
});

async function locate(entityRef: string) {
  const ctx = createMockActionContext({
    input: { entityRef },
    user: { entity: daniel as any, ref: 'user:default/daniel-mercer' },
    getInitiatorCredentials: async () =>
      mockCredentials.user('user:default/daniel-mercer'),
  } as any);
  await action.handler(ctx as any);
  return Object.fromEntries((ctx.output as jest.Mock).mock.calls);
}

describe('golden-path:locate-repository', () => {
  it("gives a member of the owning team the service's repository, in publish:github:pull-request form", async () => {
    expect(await locate('component:default/payments-service')).toEqual({
      repoUrl: `${host}?owner=acme&repo=payments-service`,
      org: 'acme',
      repo: 'payments-service',
      ownerName: 'team-payments',
    });
    // A bare name means a component in the default namespace, as the form's picker may send.
    expect((await locate('payments-service')).repo).toBe('payments-service');
  });

  it("refuses another team's service, naming the team that may", async () => {
    await expect(
      locate('component:default/storefront-web'),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message:
        'Only members of group:default/team-storefront, which owns component:default/storefront-web, may propose changes to its repository',
    });
  });

  it('says what to fix when the service names no repository or no team, or does not exist', async () => {
    await expect(
      locate('component:default/ledger-notes'),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(/github.com\/project-slug/),
    });
    await expect(
      locate('component:default/personal-tool'),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(/not owned by a team/),
    });
    await expect(locate('component:default/nowhere')).rejects.toMatchObject({
      name: 'NotFoundError',
    });
  });
});
