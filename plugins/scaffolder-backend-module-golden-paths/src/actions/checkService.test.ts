import { mockCredentials } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { GitHubStandIn, startGitHubStandIn } from '@paved/sandbox';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCheckServiceAction } from './checkService';

const token = 'golden-path-test-token';

const entities: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'team-payments', namespace: 'default' },
    spec: { type: 'team', children: [] },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'team-search', namespace: 'default' },
    spec: { type: 'team', children: [] },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'System',
    metadata: { name: 'payments', namespace: 'default' },
    spec: { owner: 'team-payments' },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'payments-service', namespace: 'default' },
    spec: { type: 'service', owner: 'team-payments', lifecycle: 'production' },
  },
];

const daniel: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name: 'daniel-mercer', namespace: 'default' },
  spec: { memberOf: ['team-payments'] },
  relations: [{ type: 'memberOf', targetRef: 'group:default/team-payments' }],
};

describe('golden-path:check-service', () => {
  let github: GitHubStandIn;
  let dir: string;
  let action: ReturnType<typeof createCheckServiceAction>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paved-check-service-'));
    github = await startGitHubStandIn({
      tokens: [token],
      dataDir: dir,
      org: 'acme',
    });
    await github.createRepo('acme', 'legacy-billing', {
      files: { 'README.md': '# Legacy billing\n' },
    });
    const host = new URL(github.apiUrl).host;
    const integrations = ScmIntegrations.fromConfig(
      new ConfigReader({
        integrations: {
          github: [{ host, apiBaseUrl: github.apiUrl, token }],
        },
      }),
    );
    action = createCheckServiceAction({
      catalog: catalogServiceMock({ entities }),
      integrations,
      credentialsProvider:
        DefaultGithubCredentialsProvider.fromIntegrations(integrations),
      destination: {
        host,
        owner: 'acme',
        webUrlBase: `http://${host}`,
        cloneUrlBase: `http://${host}/git`,
        imageRepositoryBase: 'ghcr.io/acme',
      },
      environments: ['dev', 'prod'],
    });
  });

  afterAll(async () => {
    await github?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function check(input: Record<string, unknown>, user = daniel) {
    const ctx = createMockActionContext({
      input: {
        name: 'checkout-gateway',
        owner: 'group:default/team-payments',
        system: 'system:default/payments',
        environments: ['dev'],
        ...input,
      } as any,
      user: { entity: user as any, ref: 'user:default/daniel-mercer' },
      templateInfo: {
        entityRef: 'template:default/rest-api-service',
        entity: {
          metadata: {
            name: 'rest-api-service',
            annotations: { 'paved.dev/template-version': '1.2.0' },
          },
        },
      },
      getInitiatorCredentials: async () =>
        mockCredentials.user('user:default/daniel-mercer'),
    } as any);
    await action.handler(ctx as any);
    return Object.fromEntries((ctx.output as jest.Mock).mock.calls);
  }

  it('says where a new service goes: repository, clone URL, image and names', async () => {
    const host = new URL(github.apiUrl).host;
    expect(await check({})).toEqual({
      repoUrl: `${host}?owner=acme&repo=checkout-gateway`,
      repoWebUrl: `http://${host}/acme/checkout-gateway`,
      repoCloneUrl: `http://${host}/git/acme/checkout-gateway.git`,
      org: 'acme',
      ownerName: 'team-payments',
      systemName: 'payments',
      imageRepository: 'ghcr.io/acme/checkout-gateway',
      templateRef: 'template:default/rest-api-service',
      templateVersion: '1.2.0',
    });
  });

  it.each([
    ['Checkout', /not a name GitHub, Kubernetes and npm all accept/],
    ['checkout_gateway', /use lowercase letters, digits and "-"/],
    ['checkout-', /ending with a letter or digit/],
    ['9lives', /starting with a letter/],
    ['a'.repeat(51), /51 characters long; at most 50/],
    ['../etc', /not a name/],
  ])('refuses the name %s, saying why', async (name, message) => {
    await expect(check({ name })).rejects.toThrow(message);
  });

  it('refuses a team the person is not in, and one that does not exist', async () => {
    await expect(
      check({ owner: 'group:default/team-search' }),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message:
        'You are not a member of group:default/team-search; a new service must be owned by one of your teams',
    });
    await expect(check({ owner: 'team-nobody' })).rejects.toMatchObject({
      name: 'NotFoundError',
      message: 'No team group:default/team-nobody in the catalog',
    });
  });

  it('refuses a name the catalog or GitHub already has', async () => {
    await expect(check({ name: 'payments-service' })).rejects.toMatchObject({
      name: 'ConflictError',
      message:
        'The catalog already has component:default/payments-service (owned by team-payments); choose another name',
    });
    await expect(check({ name: 'legacy-billing' })).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringMatching(
        /^Repository acme\/legacy-billing already exists on .*; choose another name$/,
      ),
    });
  });

  it('refuses an unknown system and an environment the portal does not deploy to', async () => {
    await expect(check({ system: 'nowhere' })).rejects.toThrow(
      'No system system:default/nowhere in the catalog',
    );
    await expect(check({ environments: ['dev', 'qa'] })).rejects.toThrow(
      'This portal does not deploy to qa; configured environments: dev, prod',
    );
  });
});
