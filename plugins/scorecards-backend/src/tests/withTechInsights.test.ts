import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { eventually, GitHubStandIn, startGitHubStandIn } from '@paved/sandbox';
import { EntityScorecard } from '@paved/plugin-scorecards-common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import techInsightsPlugin from '@backstage-community/plugin-tech-insights-backend';
import techInsightsModuleCatalogFacts from '@paved/plugin-tech-insights-backend-module-catalog';
import techInsightsModuleGithubFacts from '@paved/plugin-tech-insights-backend-module-github';
import { scorecardsPlugin } from '../plugin';

jest.setTimeout(90_000);

const TOKEN = 'scorecards-wiring-token';

function component(
  name: string,
  extra: Partial<Entity['metadata']> = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: { 'github.com/project-slug': `acme/${name}` },
      ...extra,
    },
    spec: {
      type: 'service',
      owner: 'group:default/team-a',
      lifecycle: 'production',
    },
    relations: [{ type: 'ownedBy', targetRef: 'group:default/team-a' }],
  };
}

const group: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'team-a', namespace: 'default' },
  spec: { type: 'team', children: [] },
};

const rule = (fact: string) => ({
  conditions: { all: [{ fact, operator: 'equal', value: true }] },
});

// The real Tech Insights plugin with Paved's two retrievers, and the scorecards plugin reading
// its facts over HTTP, as registered in packages/backend.
describe('scorecards on Tech Insights with the GitHub stand-in', () => {
  let github: GitHubStandIn;
  let dataDir: string;
  let server: request.Agent;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'scorecards-wiring-'));
    github = await startGitHubStandIn({
      tokens: [TOKEN],
      dataDir,
      org: 'acme',
    });
    await github.createRepo('acme', 'cart', {
      files: {
        'README.md': '# Cart\n',
        '.github/workflows/ci.yaml': 'name: ci\n',
      },
    });
    await github.createRepo('acme', 'search', { files: { 'src/a.ts': '' } });

    const backend = await startTestBackend({
      features: [
        techInsightsPlugin,
        techInsightsModuleGithubFacts,
        techInsightsModuleCatalogFacts,
        scorecardsPlugin,
        mockServices.rootConfig.factory({
          data: {
            integrations: {
              github: [
                {
                  host: new URL(github.apiUrl).host,
                  apiBaseUrl: github.apiUrl,
                  token: TOKEN,
                },
              ],
            },
            techInsights: {
              factRetrievers: {
                githubRepositoryFactRetriever: { cadence: '0 0 1 1 *' },
                catalogEntityFactRetriever: { cadence: '0 0 1 1 *' },
              },
            },
            scorecards: {
              checks: [
                {
                  id: 'owner-is-group',
                  title: 'Owned by a team',
                  description: 'spec.owner names a Group',
                  level: 'Bronze',
                  factIds: ['catalogEntityFactRetriever'],
                  rule: rule('ownerIsGroup'),
                  remediation: { text: 'Set spec.owner' },
                },
                {
                  id: 'has-readme',
                  title: 'README',
                  description: 'A README',
                  level: 'Bronze',
                  factIds: ['githubRepositoryFactRetriever'],
                  rule: rule('hasReadme'),
                  remediation: { text: 'Add a README' },
                },
                {
                  id: 'ci-workflow',
                  title: 'CI',
                  description: 'A CI workflow',
                  level: 'Silver',
                  factIds: ['githubRepositoryFactRetriever'],
                  rule: rule('hasCiWorkflow'),
                  remediation: { text: 'Add CI' },
                },
              ],
            },
          },
        }),
        // Tech Insights delays its retrievers' first run; here they run at start-up.
        mockServices.scheduler.factory({
          includeInitialDelayedTasksOnStartup: true,
        }),
        catalogServiceMock.factory({
          entities: [
            component('cart', { description: 'Carts' }),
            component('search'),
            group,
          ],
        }),
      ],
    });
    server = request.agent(backend.server);
    stop = () => backend.stop();
  });

  afterAll(async () => {
    await stop?.();
    await github?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('scores components from the facts the retrievers collected', async () => {
    // The test scheduler runs every task once at start-up, scoring perhaps before the
    // retrievers are done: re-run until the facts are in.
    const scoreOf = (name: string) =>
      eventually(async () => {
        const res = await server.post(
          `/api/scorecards/entity/default/component/${name}/run`,
        );
        expect(res.status).toBe(200);
        const body: EntityScorecard = res.body;
        expect(body.checks.map(c => c.outcome)).not.toContain('unknown');
        return body;
      }, 30_000);

    const cart = await scoreOf('cart');
    expect(cart.level).toBe('Silver');
    expect(cart.checks.find(c => c.id === 'has-readme')?.facts).toEqual({
      githubRepositoryFactRetriever: {
        hasReadme: true,
        collectedAt: expect.any(String),
      },
    });

    const search = await scoreOf('search');
    expect(search.level).toBeNull();
    expect(search.nextLevel?.missing.map(c => c.id)).toEqual(['has-readme']);
  });
});
