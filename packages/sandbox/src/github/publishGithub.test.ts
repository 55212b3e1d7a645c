import { ConfigReader } from '@backstage/config';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { createPublishGithubAction } from '@backstage/plugin-scaffolder-backend-module-github';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { Octokit } from '@octokit/rest';
import { execFile } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GitHubStandIn, startGitHubStandIn } from './index';

const token = 'scaffolder-token';

describe("Backstage's publish:github against the stand-in", () => {
  let github: GitHubStandIn;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paved-publish-'));
    github = await startGitHubStandIn({
      tokens: [token],
      dataDir: join(dir, 'repos'),
    });
    github.createOrg('acme');
    github.createTeam('acme', 'team-payments', { name: 'Payments' });
  });

  function publishAction() {
    const host = new URL(github.apiUrl).host;
    const config = new ConfigReader({
      integrations: {
        github: [{ host, apiBaseUrl: github.apiUrl, token }],
      },
    });
    const integrations = ScmIntegrations.fromConfig(config);
    return {
      host,
      action: createPublishGithubAction({
        integrations,
        config,
        githubCredentialsProvider:
          DefaultGithubCredentialsProvider.fromIntegrations(integrations),
      }),
    };
  }

  afterAll(async () => {
    await github?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the repo, pushes the workspace, and a plain git clone returns the files', async () => {
    const { host, action } = publishAction();
    const workspacePath = join(dir, 'workspace');
    mkdirSync(join(workspacePath, 'src'), { recursive: true });
    writeFileSync(
      join(workspacePath, 'catalog-info.yaml'),
      'kind: Component\n',
    );
    writeFileSync(join(workspacePath, 'src/index.ts'), 'export {};\n');

    const context = createMockActionContext({
      workspacePath,
      input: {
        repoUrl: `${host}?owner=acme&repo=new-service`,
        description: 'Made by the scaffolder',
        defaultBranch: 'main',
        protectDefaultBranch: false,
      },
    });
    await action.handler(context);

    expect(context.output).toHaveBeenCalledWith(
      'remoteUrl',
      expect.stringContaining('/acme/new-service'),
    );
    const cloneUrl = (context.output as jest.Mock).mock.calls.find(
      ([name]) => name === 'remoteUrl',
    )[1] as string;
    expect(cloneUrl.startsWith(github.gitBaseUrl)).toBe(true);

    const checkout = join(dir, 'checkout');
    const authed = cloneUrl.replace('://', `://x-access-token:${token}@`);
    // Async: the stand-in serving this clone runs in this very process.
    await promisify(execFile)('git', ['clone', '-q', authed, checkout]);
    expect(readFileSync(join(checkout, 'catalog-info.yaml'), 'utf8')).toBe(
      'kind: Component\n',
    );
    expect(readFileSync(join(checkout, 'src/index.ts'), 'utf8')).toBe(
      'export {};\n',
    );
  });
  it.each(['internal', 'private'] as const)(
    'publishes a repository (visibility %s) with the owning team as admin, a protected default branch and topics',
    async repoVisibility => {
      const { host, action } = publishAction();
      const name = `golden-${repoVisibility}`;
      const workspacePath = join(dir, `workspace-${repoVisibility}`);
      mkdirSync(workspacePath, { recursive: true });
      writeFileSync(join(workspacePath, 'README.md'), `# ${name}\n`);

      await action.handler(
        createMockActionContext({
          workspacePath,
          input: {
            repoUrl: `${host}?owner=acme&repo=${name}`,
            description: 'Made from a golden path',
            defaultBranch: 'main',
            repoVisibility,
            access: 'acme/team-payments',
            protectDefaultBranch: true,
            requiredApprovingReviewCount: 1,
            topics: ['golden-path', 'payments'],
          },
        }),
      );

      const octokit = new Octokit({ baseUrl: github.apiUrl, auth: token });
      const repo = { owner: 'acme', repo: name };
      const { data } = await octokit.repos.get(repo);
      expect([data.visibility, data.private]).toEqual([repoVisibility, true]);
      expect(data.topics).toEqual(['golden-path', 'payments']);
      const teams = await octokit.repos.listTeams(repo);
      expect(teams.data.map(t => [t.slug, t.permission])).toEqual([
        ['team-payments', 'admin'],
      ]);
      const protection = await octokit.repos.getBranchProtection({
        ...repo,
        branch: 'main',
      });
      expect(
        protection.data.required_pull_request_reviews
          ?.required_approving_review_count,
      ).toBe(1);
    },
  );
});
