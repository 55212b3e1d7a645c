import { ConfigReader } from '@backstage/config';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { createPublishGithubAction } from '@backstage/plugin-scaffolder-backend-module-github';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
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
  });

  afterAll(async () => {
    await github?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the repo, pushes the workspace, and a plain git clone returns the files', async () => {
    const host = new URL(github.apiUrl).host;
    const config = new ConfigReader({
      integrations: {
        github: [{ host, apiBaseUrl: github.apiUrl, token }],
      },
    });
    const integrations = ScmIntegrations.fromConfig(config);
    const action = createPublishGithubAction({
      integrations,
      config,
      githubCredentialsProvider:
        DefaultGithubCredentialsProvider.fromIntegrations(integrations),
    });

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
});
