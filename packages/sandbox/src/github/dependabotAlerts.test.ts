import { Octokit } from '@octokit/rest';
import { OpenApiChecker } from './__testUtils__/openApiChecker';
import { TestGitHub, startTestGitHub } from './__testUtils__/standIn';

const TOKEN = 'ghp_dependabotalertstoken';

let github: TestGitHub;
let octokit: Octokit;

beforeAll(async () => {
  github = await startTestGitHub(new OpenApiChecker(), {
    tokens: [TOKEN],
    org: 'acme',
  });
  for (const name of ['shop', 'quiet', 'dark']) {
    await github.standIn.createRepo('acme', name, {
      files: { 'package.json': '{}\n' },
    });
  }
  github.standIn.setDependabotAlerts('acme', 'shop', [
    {
      ecosystem: 'npm',
      package: 'lodash',
      manifestPath: 'package-lock.json',
      severity: 'critical',
      summary: 'Prototype pollution in lodash',
      ghsaId: 'GHSA-p6mc-m468-83gw',
      cveId: 'CVE-2020-8203',
      vulnerableVersionRange: '< 4.17.19',
      firstPatchedVersion: '4.17.19',
    },
    {
      ecosystem: 'npm',
      package: 'minimist',
      manifestPath: 'package-lock.json',
      severity: 'medium',
      summary: 'Prototype pollution in minimist',
      vulnerableVersionRange: '< 1.2.6',
      firstPatchedVersion: '1.2.6',
    },
    {
      ecosystem: 'npm',
      package: 'axios',
      manifestPath: 'package-lock.json',
      severity: 'high',
      summary: 'Server-side request forgery in axios',
      vulnerableVersionRange: '< 1.7.4',
      state: 'fixed',
    },
  ]);
  github.standIn.setDependabotAlerts('acme', 'dark', 'disabled');
  octokit = github.client(TOKEN);
}, 60_000);

afterAll(async () => {
  await github?.stop();
});

// Every answer below passed the check against GitHub's OpenAPI description in the client.
describe("a repository's Dependabot alerts", () => {
  it('lists the open ones of the severities asked for, as GitHub documents them', async () => {
    const { data } = await octokit.request(
      'GET /repos/{owner}/{repo}/dependabot/alerts',
      { owner: 'acme', repo: 'shop', state: 'open', severity: 'high,critical' },
    );
    expect(data).toEqual([
      expect.objectContaining({
        number: 1,
        state: 'open',
        dependency: expect.objectContaining({
          package: { ecosystem: 'npm', name: 'lodash' },
        }),
        security_advisory: expect.objectContaining({
          ghsa_id: 'GHSA-p6mc-m468-83gw',
          severity: 'critical',
        }),
      }),
    ]);

    const all = await octokit.request(
      'GET /repos/{owner}/{repo}/dependabot/alerts',
      { owner: 'acme', repo: 'shop' },
    );
    expect(all.data.map(alert => alert.number)).toEqual([3, 2, 1]);
    expect(all.data[0]).toMatchObject({
      state: 'fixed',
      fixed_at: expect.any(String),
    });
  });

  it('lists none for a repository without alerts', async () => {
    const { data } = await octokit.request(
      'GET /repos/{owner}/{repo}/dependabot/alerts',
      { owner: 'acme', repo: 'quiet', state: 'open' },
    );
    expect(data).toEqual([]);
  });

  it("answers GitHub's 403 when alerts are off, 404 for no repository, 400 for a bad filter", async () => {
    const list = (repo: string, query: Record<string, string> = {}) =>
      octokit.request('GET /repos/{owner}/{repo}/dependabot/alerts', {
        owner: 'acme',
        repo,
        ...query,
      });
    await expect(list('dark')).rejects.toMatchObject({
      status: 403,
      response: {
        data: {
          message: 'Dependabot alerts are disabled for this repository.',
        },
      },
    });
    await expect(list('missing')).rejects.toMatchObject({ status: 404 });
    await expect(list('shop', { severity: 'severe' })).rejects.toMatchObject({
      status: 400,
      response: { data: { message: expect.stringMatching(/severity/) } },
    });
  });
});
