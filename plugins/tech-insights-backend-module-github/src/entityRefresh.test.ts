import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import techInsightsPlugin from '@backstage-community/plugin-tech-insights-backend';
import techInsightsModuleEntityRefresh from '@paved/plugin-tech-insights-backend-module-entity-refresh';
import { GitHubStandIn, startGitHubStandIn } from '@paved/sandbox';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { techInsightsModuleGithubFacts } from './module';

jest.setTimeout(60_000);

const TOKEN = 'entity-refresh-github-token';

function component(name: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: { 'github.com/project-slug': `acme/${name}` },
    },
    spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
  };
}

// Tech Insights with the entity-refresh module and the GitHub retriever, asked over HTTP as the
// scorecards plugin asks, against the GitHub stand-in over HTTP.
describe('refreshing one entity’s GitHub facts', () => {
  let github: GitHubStandIn;
  let dataDir: string;
  let server: request.Agent;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'entity-refresh-github-'));
    github = await startGitHubStandIn({
      tokens: [TOKEN],
      dataDir,
      org: 'acme',
    });
    for (const name of ['cart', 'search']) {
      await github.createRepo('acme', name, {
        files: { 'README.md': `# ${name}\n` },
      });
    }
    const backend = await startTestBackend({
      features: [
        techInsightsPlugin,
        techInsightsModuleEntityRefresh,
        techInsightsModuleGithubFacts,
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
                // Never due during the test: only refreshes collect.
                githubRepositoryFactRetriever: { cadence: '0 0 1 1 *' },
              },
            },
          },
        }),
        catalogServiceMock.factory({
          entities: [component('cart'), component('search')],
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

  const refresh = (name: string) =>
    server
      .post('/api/tech-insights/entity-refresh')
      .set('Authorization', mockCredentials.service.header())
      .send({ entityRef: `component:default/${name}` });
  const factsOf = async (name: string) => {
    const res = await server.get(
      `/api/tech-insights/facts/latest?entity=component:default/${name}&ids[]=githubRepositoryFactRetriever`,
    );
    return res.body.githubRepositoryFactRetriever?.facts;
  };

  it('collects only that entity’s repository again, after a CODEOWNERS commit', async () => {
    for (const name of ['cart', 'search']) {
      const res = await refresh(name);
      expect(res.body.retrievers).toEqual([
        { id: 'githubRepositoryFactRetriever', facts: 1 },
      ]);
    }
    expect(await factsOf('cart')).toMatchObject({ hasCodeowners: false });
    const searchBefore = await factsOf('search');
    expect(searchBefore).toMatchObject({ hasCodeowners: false });

    for (const name of ['cart', 'search']) {
      await github.commit(
        'acme',
        name,
        'main',
        { '.github/CODEOWNERS': '* @acme/team-a\n' },
        'Add CODEOWNERS',
      );
    }
    expect((await refresh('cart')).status).toBe(200);

    expect(await factsOf('cart')).toMatchObject({
      hasReadme: true,
      hasCodeowners: true,
      codeownersValid: true,
      stale: false,
    });
    // The other repository changed too, but nobody asked: its facts are as they were.
    expect(await factsOf('search')).toEqual(searchBefore);
  });
});
