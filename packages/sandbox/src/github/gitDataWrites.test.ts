/*
 * Committing several files without a clone: blobs, a tree on the base tree, a commit and a
 * branch moved to it, each answer checked against GitHub's OpenAPI description; and Backstage's
 * own `publish:github:pull-request`, which a Paved fix-it template runs, opening a pull request
 * that adds a file and keeps every other one.
 */
import { ConfigReader } from '@backstage/config';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { createPublishGithubPullRequestAction } from '@backstage/plugin-scaffolder-backend-module-github';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { Octokit } from '@octokit/rest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenApiChecker } from './__testUtils__/openApiChecker';
import { TestGitHub, startTestGitHub } from './__testUtils__/standIn';

jest.setTimeout(30_000);

const TOKEN = 'ghp_writer';
const checker = new OpenApiChecker();
const repo = { owner: 'acme', repo: 'payments-service' };

let github: TestGitHub;
let client: Octokit;
let workspaces: string;

beforeAll(async () => {
  github = await startTestGitHub(checker, {
    tokens: [
      {
        token: TOKEN,
        login: 'paved-bot',
        name: 'Paved',
        email: 'bot@paved.test',
      },
    ],
    org: 'acme',
  });
  await github.standIn.createRepo('acme', 'payments-service', {
    files: {
      'README.md': '# Payments\n',
      'src/index.ts': 'export {};\n',
    },
  });
  client = github.client(TOKEN);
  workspaces = mkdtempSync(join(tmpdir(), 'paved-pr-'));
});

afterAll(async () => {
  await github?.stop();
  rmSync(workspaces, { recursive: true, force: true });
});

const fileOn = async (ref: string, path: string) => {
  const { data } = await client.rest.repos.getContent({ ...repo, path, ref });
  return Buffer.from((data as { content: string }).content, 'base64').toString(
    'utf8',
  );
};

describe('git data written through the API', () => {
  it('commits a blob and an inline file on the base tree, and a branch moved to the commit serves them', async () => {
    const main = await client.rest.git.getRef({ ...repo, ref: 'heads/main' });
    const base = await client.rest.git.getCommit({
      ...repo,
      commit_sha: main.data.object.sha,
    });
    const blob = await client.rest.git.createBlob({
      ...repo,
      content: Buffer.from('* @acme/team-payments\n').toString('base64'),
      encoding: 'base64',
    });
    expect(blob.status).toBe(201);

    const tree = await client.rest.git.createTree({
      ...repo,
      base_tree: base.data.tree.sha,
      tree: [
        {
          path: '.github/CODEOWNERS',
          mode: '100644',
          type: 'blob',
          sha: blob.data.sha,
        },
        {
          path: 'docs/index.md',
          mode: '100644',
          type: 'blob',
          content: '# Docs\n',
        },
        { path: 'src/index.ts', mode: '100644', type: 'blob', sha: null },
      ],
    });
    expect(tree.status).toBe(201);
    expect(tree.data.tree.map(entry => entry.path).sort()).toEqual([
      '.github',
      'README.md',
      'docs',
    ]);

    const commit = await client.rest.git.createCommit({
      ...repo,
      message: 'Add CODEOWNERS and docs',
      tree: tree.data.sha,
      parents: [main.data.object.sha],
    });
    expect(commit.status).toBe(201);
    expect(commit.data.parents.map(p => p.sha)).toEqual([main.data.object.sha]);
    expect(commit.data.author.email).toBe('bot@paved.test');

    // Not reachable until a ref points at it, as on GitHub.
    await client.rest.git.createRef({
      ...repo,
      ref: 'refs/heads/add-codeowners',
      sha: main.data.object.sha,
    });
    const moved = await client.rest.git.updateRef({
      ...repo,
      ref: 'heads/add-codeowners',
      sha: commit.data.sha,
    });
    expect(moved.data.object.sha).toBe(commit.data.sha);
    expect(await fileOn('add-codeowners', '.github/CODEOWNERS')).toBe(
      '* @acme/team-payments\n',
    );
    expect(await fileOn('add-codeowners', 'README.md')).toBe('# Payments\n');
    await expect(
      client.rest.repos.getContent({
        ...repo,
        path: 'src/index.ts',
        ref: 'add-codeowners',
      }),
    ).rejects.toMatchObject({ status: 404 });
    expect(await fileOn('main', 'src/index.ts')).toBe('export {};\n');
  });

  it('refuses to move a branch backwards unless forced, and names a missing tree', async () => {
    const main = await client.rest.git.getRef({ ...repo, ref: 'heads/main' });
    const tip = await client.rest.git.getRef({
      ...repo,
      ref: 'heads/add-codeowners',
    });
    await expect(
      client.rest.git.updateRef({
        ...repo,
        ref: 'heads/add-codeowners',
        sha: main.data.object.sha,
      }),
    ).rejects.toMatchObject({
      status: 422,
      response: { data: { message: 'Update is not a fast forward' } },
    });
    const forced = await client.rest.git.updateRef({
      ...repo,
      ref: 'heads/add-codeowners',
      sha: main.data.object.sha,
      force: true,
    });
    expect(forced.data.object.sha).toBe(main.data.object.sha);
    expect(forced.data.object.sha).not.toBe(tip.data.object.sha);

    await expect(
      client.rest.git.createCommit({
        ...repo,
        message: 'Nothing',
        tree: '0'.repeat(40),
        parents: [],
      }),
    ).rejects.toMatchObject({ status: 422 });
  });
});

describe("Backstage's publish:github:pull-request against the stand-in", () => {
  it('opens a pull request adding the workspace file, leaving the rest of the repository as it was', async () => {
    const host = new URL(github.standIn.apiUrl).host;
    const config = new ConfigReader({
      integrations: {
        github: [{ host, apiBaseUrl: github.standIn.apiUrl, token: TOKEN }],
      },
    });
    const integrations = ScmIntegrations.fromConfig(config);
    const action = createPublishGithubPullRequestAction({
      integrations,
      config,
      githubCredentialsProvider:
        DefaultGithubCredentialsProvider.fromIntegrations(integrations),
    });
    const workspacePath = join(workspaces, 'fix');
    mkdirSync(join(workspacePath, '.github'), { recursive: true });
    writeFileSync(
      join(workspacePath, '.github/CODEOWNERS'),
      '* @acme/team-payments\n',
    );
    const context = createMockActionContext({
      workspacePath,
      input: {
        repoUrl: `${host}?owner=acme&repo=payments-service`,
        branchName: 'paved/add-codeowners',
        title: 'Add CODEOWNERS',
        description: 'Names the owning team as code owner.',
      },
    });
    await action.handler(context as any);

    const [pull] = (
      await client.rest.pulls.list({
        ...repo,
        state: 'open',
        head: 'acme:paved/add-codeowners',
      })
    ).data.filter(p => p.head.ref === 'paved/add-codeowners');
    expect(pull).toMatchObject({
      title: 'Add CODEOWNERS',
      base: { ref: 'main' },
    });
    expect(context.output).toHaveBeenCalledWith('remoteUrl', pull.html_url);
    expect(await fileOn('paved/add-codeowners', '.github/CODEOWNERS')).toBe(
      '* @acme/team-payments\n',
    );
    expect(await fileOn('paved/add-codeowners', 'src/index.ts')).toBe(
      'export {};\n',
    );
    await expect(
      client.rest.repos.getContent({
        ...repo,
        path: '.github/CODEOWNERS',
        ref: 'main',
      }),
    ).rejects.toMatchObject({ status: 404 });

    await client.rest.pulls.merge({ ...repo, pull_number: pull.number });
    expect(await fileOn('main', '.github/CODEOWNERS')).toBe(
      '* @acme/team-payments\n',
    );
  });
});
