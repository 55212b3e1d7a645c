import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { GitHubStandIn, startGitHubStandIn } from '@paved/sandbox';
import { EntityScorecard } from '@paved/plugin-scorecards-common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import techInsightsPlugin from '@backstage-community/plugin-tech-insights-backend';
import techInsightsModuleCatalogFacts from '@paved/plugin-tech-insights-backend-module-catalog';
import techInsightsModuleEntityRefresh from '@paved/plugin-tech-insights-backend-module-entity-refresh';
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

// The real Tech Insights plugin with Paved's two retrievers and the entity-refresh module, and
// the scorecards plugin refreshing and reading facts over HTTP, as registered in packages/backend.
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
    github.setDependabotAlerts('acme', 'cart', [
      {
        ecosystem: 'npm',
        package: 'lodash',
        manifestPath: 'package-lock.json',
        severity: 'critical',
        summary: 'Prototype pollution in lodash',
        vulnerableVersionRange: '< 4.17.19',
        firstPatchedVersion: '4.17.19',
      },
    ]);
    await github.createRepo('acme', 'search', { files: { 'src/a.ts': '' } });
    // Paved's token may not read search's alerts: GitHub answers 403.
    github.setDependabotAlerts('acme', 'search', 'disabled');

    const backend = await startTestBackend({
      features: [
        techInsightsPlugin,
        techInsightsModuleGithubFacts,
        techInsightsModuleCatalogFacts,
        techInsightsModuleEntityRefresh,
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
                // Never due during the test: a re-run collects the entity's facts itself.
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
                {
                  id: 'codeowners',
                  title: 'CODEOWNERS',
                  description: 'CODEOWNERS that parses',
                  level: 'Silver',
                  factIds: ['githubRepositoryFactRetriever'],
                  rule: {
                    conditions: {
                      all: [
                        {
                          fact: 'hasCodeowners',
                          operator: 'equal',
                          value: true,
                        },
                        {
                          fact: 'codeownersValid',
                          operator: 'equal',
                          value: true,
                        },
                      ],
                    },
                  },
                  remediation: { text: 'Add .github/CODEOWNERS' },
                },
                {
                  id: 'no-critical-security-alerts',
                  title: 'No critical security alerts',
                  description: 'No open high or critical Dependabot alert',
                  level: 'Gold',
                  factIds: ['githubRepositoryFactRetriever'],
                  rule: {
                    conditions: {
                      all: [
                        {
                          fact: 'openSecurityAlerts',
                          operator: 'equal',
                          value: 0,
                        },
                      ],
                    },
                  },
                  remediation: { text: 'Fix the alerts' },
                },
              ],
            },
          },
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

  const rerun = async (name: string) => {
    const res = await server.post(
      `/api/scorecards/entity/default/component/${name}/run`,
    );
    expect(res.status).toBe(200);
    return res.body as EntityScorecard;
  };
  const outcomeOf = (scorecard: EntityScorecard, id: string) =>
    scorecard.checks.find(c => c.id === id)?.outcome;

  it('re-runs on facts collected at that moment: adding CODEOWNERS makes the service Silver at once', async () => {
    const before = await rerun('cart');
    expect(before.refresh).toEqual({ refreshed: true });
    expect(before.level).toBe('Bronze');
    expect(before.nextLevel?.missing.map(c => c.id)).toEqual(['codeowners']);
    expect(before.checks.find(c => c.id === 'has-readme')?.facts).toEqual({
      githubRepositoryFactRetriever: {
        hasReadme: true,
        collectedAt: expect.any(String),
      },
    });

    await github.commit(
      'acme',
      'cart',
      'main',
      { '.github/CODEOWNERS': '* @acme/team-a\n' },
      'Add CODEOWNERS',
    );
    const after = await rerun('cart');
    expect(after.level).toBe('Silver');
    expect(outcomeOf(after, 'codeowners')).toBe('pass');
    // Gold waits on the critical Dependabot alert.
    expect(after.nextLevel?.missing).toEqual([
      expect.objectContaining({
        id: 'no-critical-security-alerts',
        outcome: 'fail',
        facts: {
          githubRepositoryFactRetriever: {
            openSecurityAlerts: 1,
            collectedAt: expect.any(String),
          },
        },
      }),
    ]);
  });

  it('scores a bare repository below Bronze, its security alerts unknown when GitHub refuses them', async () => {
    const search = await rerun('search');
    expect(search.level).toBeNull();
    expect(search.nextLevel?.missing.map(c => c.id)).toEqual(['has-readme']);
    expect(outcomeOf(search, 'no-critical-security-alerts')).toBe('unknown');
    expect(outcomeOf(search, 'codeowners')).toBe('fail');
  });
});
