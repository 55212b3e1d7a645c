import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { TechInsightFact } from '@backstage-community/plugin-tech-insights-node';
import { GitHubStandIn, startGitHubStandIn } from '@paved/sandbox';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GithubFactStore } from './GithubFactStore';
import {
  GithubRunSummary,
  createGithubFactRetriever,
} from './githubFactRetriever';

jest.setTimeout(60_000);

const TOKEN = 'scorecards-github-token';

function component(name: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      annotations: { 'github.com/project-slug': `acme/${name}` },
    },
    spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
  };
}

const CI =
  'name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n';

describe('GitHub fact retriever against the GitHub stand-in', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_18', 'SQLITE_3'] });
  let github: GitHubStandIn;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'scorecards-github-'));
    github = await startGitHubStandIn({
      tokens: [TOKEN],
      dataDir,
      org: 'acme',
    });
    // A repository with everything a Gold service has, a bare one, and one with a broken CODEOWNERS.
    await github.createRepo('acme', 'complete', {
      files: {
        'README.md': '# Complete\n',
        LICENSE: 'MIT License\n',
        '.github/CODEOWNERS': '* @acme/team-a\n',
        '.github/workflows/ci.yaml': CI,
        '.github/dependabot.yml': 'version: 2\nupdates: []\n',
      },
    });
    await github.protectBranch('acme', 'complete', 'main', {
      required_pull_request_reviews: { required_approving_review_count: 1 },
      required_status_checks: null,
      enforce_admins: false,
      restrictions: null,
    });
    github.setDependabotAlerts('acme', 'complete', [
      {
        ecosystem: 'npm',
        package: 'lodash',
        manifestPath: 'package-lock.json',
        severity: 'critical',
        summary: 'Prototype pollution in lodash',
        vulnerableVersionRange: '< 4.17.19',
        firstPatchedVersion: '4.17.19',
      },
      {
        ecosystem: 'npm',
        package: 'minimist',
        manifestPath: 'package-lock.json',
        severity: 'low',
        summary: 'Prototype pollution in minimist',
        vulnerableVersionRange: '< 1.2.6',
      },
    ]);
    await github.createRepo('acme', 'bare', {
      files: { 'src/index.ts': 'export {};\n' },
    });
    // The token may not read this repository's alerts: GitHub answers 403.
    await github.createRepo('acme', 'alerts-hidden', {
      files: { 'README.md': '# Hidden\n' },
    });
    github.setDependabotAlerts('acme', 'alerts-hidden', 'disabled');
    await github.createRepo('acme', 'broken-owners', {
      files: {
        'docs/README.md': '# Docs\n',
        'docs/CODEOWNERS': '* not-an-owner\n',
        'renovate.json': '{}\n',
      },
    });
  });

  afterAll(async () => {
    await github?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function setUp(
    databaseId: Parameters<typeof databases.init>[0],
    options: { repositories?: string[]; now?: () => Date } = {},
  ) {
    const knex = await databases.init(databaseId);
    const store = await GithubFactStore.create(mockServices.database({ knex }));
    const config = new ConfigReader({
      integrations: {
        github: [
          {
            host: new URL(github.apiUrl).host,
            apiBaseUrl: github.apiUrl,
            token: TOKEN,
          },
        ],
      },
    });
    const integrations = ScmIntegrations.fromConfig(config);
    const runs: GithubRunSummary[] = [];
    const retriever = createGithubFactRetriever({
      catalog: catalogServiceMock({
        entities: (
          options.repositories ?? ['complete', 'bare', 'broken-owners']
        ).map(component),
      }),
      integrations,
      credentialsProvider:
        DefaultGithubCredentialsProvider.fromIntegrations(integrations),
      store,
      logger: mockServices.logger.mock(),
      onRun: summary => runs.push(summary),
      now: options.now,
    });
    const collect = async (entityFilter?: Record<string, string>[]) => {
      const facts = await retriever.handler({
        entityFilter,
        config,
        logger: mockServices.logger.mock(),
        discovery: mockServices.discovery(),
        auth: mockServices.auth(),
        urlReader: mockServices.urlReader.mock(),
      });
      return new Map<string, TechInsightFact['facts']>(
        facts.map(f => [f.entity.name, f.facts]),
      );
    };
    return { collect, runs };
  }

  it.each(databases.eachSupportedId())(
    'reads what each repository holds, then asks again with ETags and gets 304s (%p)',
    async databaseId => {
      // Minutes after the repositories were pushed, so their answers stand for their files.
      const { collect, runs } = await setUp(databaseId, {
        now: () => new Date(Date.now() + 60_000),
      });
      const facts = await collect();

      expect(facts.get('complete')).toMatchObject({
        hasReadme: true,
        hasCodeowners: true,
        codeownersValid: true,
        branchRequiresReview: true,
        hasCiWorkflow: true,
        hasDependencyUpdates: true,
        hasLicense: true,
        // The critical alert counts; the low one does not.
        openSecurityAlerts: 1,
        lastCommitAgeDays: 0,
        stale: false,
      });
      expect(facts.get('bare')).toMatchObject({
        hasReadme: false,
        hasCodeowners: false,
        codeownersValid: false,
        branchRequiresReview: false,
        hasCiWorkflow: false,
        hasDependencyUpdates: false,
        hasLicense: false,
        stale: false,
      });
      expect(facts.get('broken-owners')).toMatchObject({
        hasReadme: true,
        hasCodeowners: true,
        codeownersValid: false,
        hasDependencyUpdates: true,
        openSecurityAlerts: 0,
      });
      expect(runs[0]).toMatchObject({
        repositories: 3,
        notModified: 0,
        stale: 0,
      });

      // Nothing changed: one conditional request per repository, answered 304, and the same facts.
      const again = await collect();
      expect(runs[1]).toMatchObject({ sent: 3, notModified: 3 });
      expect(runs[0].sent).toBeGreaterThan(3 * 4);
      const { collectedAt: _first, ...before } = facts.get(
        'complete',
      ) as object as Record<string, unknown>;
      const { collectedAt: _second, ...after } = again.get(
        'complete',
      ) as object as Record<string, unknown>;
      expect(after).toEqual(before);
    },
  );

  it.each(databases.eachSupportedId())(
    'reads a repository again after a push, and branch protection once it is due (%p)',
    async databaseId => {
      const name = `changing-${databaseId.toLowerCase()}`;
      await github.createRepo('acme', name, {
        files: { 'src/index.ts': 'export {};\n' },
      });
      let clock = new Date(Date.now() + 60_000);
      const { collect, runs } = await setUp(databaseId, {
        repositories: [name, 'complete'],
        now: () => clock,
      });
      expect((await collect()).get(name)).toMatchObject({
        hasReadme: false,
        branchRequiresReview: false,
      });

      // A push changes the repository's answer (pushed_at, whole seconds): its files are read
      // again, at once.
      const second = Math.floor(Date.now() / 1000);
      while (Math.floor(Date.now() / 1000) === second) {
        await new Promise(resolve => setTimeout(resolve, 50));
      }
      await github.commit(
        'acme',
        name,
        'main',
        { 'README.md': '# Hi\n' },
        'Add README',
      );
      expect((await collect()).get(name)).toMatchObject({ hasReadme: true });
      // The changed one: repository, branch, rules (304), alerts (304), tree; the unchanged one:
      // repository (304).
      expect(runs[1]).toMatchObject({ sent: 6, notModified: 3 });

      // Protection changes no repository answer: it is read again when due, within 12 hours.
      await github.protectBranch('acme', name, 'main', {
        required_pull_request_reviews: { required_approving_review_count: 1 },
        required_status_checks: null,
        enforce_admins: false,
        restrictions: null,
      });
      expect((await collect()).get(name)).toMatchObject({
        branchRequiresReview: false,
      });
      // Unless its scorecard is re-run: one entity asked for is read afresh, protection included.
      const rerun = await collect([
        {
          kind: 'component',
          'metadata.namespace': 'default',
          'metadata.name': name,
        },
      ]);
      expect([...rerun.keys()]).toEqual([name]);
      expect(rerun.get(name)).toMatchObject({ branchRequiresReview: true });
      clock = new Date(clock.getTime() + 12 * 60 * 60 * 1000 + 1);
      const later = await collect();
      expect(later.get(name)).toMatchObject({
        hasReadme: true,
        branchRequiresReview: true,
      });
      expect(later.get('complete')).toMatchObject({
        branchRequiresReview: true,
      });
    },
  );

  it.each(databases.eachSupportedId())(
    'reads a repository in full again while its answer is seconds from a push (%p)',
    async databaseId => {
      const name = `fresh-${databaseId.toLowerCase()}`;
      await github.createRepo('acme', name, {
        files: { 'README.md': '# Fresh\n' },
      });
      let clock = new Date();
      const { collect, runs } = await setUp(databaseId, {
        repositories: [name],
        now: () => clock,
      });
      await collect();
      await collect();
      // Another push in the same second would leave pushed_at, and the answer, as they are:
      // repository, branch, rules, alerts and tree are read again.
      expect(runs[1].sent).toBe(5);

      clock = new Date(Date.now() + 60_000);
      await collect();
      await collect();
      expect(runs[3].sent).toBe(1);
    },
  );

  it.each(databases.eachSupportedId())(
    'keeps the last facts, marked stale, while GitHub rate-limits, and stops asking (%p)',
    async databaseId => {
      const { collect, runs } = await setUp(databaseId);
      const fresh = await collect();
      github.setRateLimited(true);
      try {
        const limited = await collect();
        expect(limited.get('complete')).toEqual({
          ...fresh.get('complete'),
          stale: true,
        });
        expect(limited.get('bare')).toMatchObject({
          hasReadme: false,
          stale: true,
        });
        expect(runs[1].stale).toBe(3);
        // One request met the limit; the others waited for the reset instead of asking.
        expect(runs[1].sent).toBeLessThan(runs[0].sent);
      } finally {
        github.setRateLimited(false);
      }
    },
  );

  it.each(databases.eachSupportedId())(
    'leaves the security alert count out when GitHub refuses to list alerts (%p)',
    async databaseId => {
      const { collect } = await setUp(databaseId, {
        repositories: ['alerts-hidden'],
      });
      const facts = (await collect()).get('alerts-hidden');
      expect(facts).toMatchObject({ hasReadme: true, stale: false });
      expect(facts).not.toHaveProperty('openSecurityAlerts');
    },
  );
});
