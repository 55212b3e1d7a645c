import { Octokit } from '@octokit/rest';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OpenApiChecker, SchemaMismatch } from './__testUtils__/openApiChecker';
import { TestGitHub, startTestGitHub } from './__testUtils__/standIn';

const run = promisify(execFile);
const TOKEN = 'ghp_sandboxadmintoken';
const checker = new OpenApiChecker();

let github: TestGitHub;
let octokit: Octokit;

beforeAll(async () => {
  github = await startTestGitHub(checker, {
    tokens: [
      {
        token: TOKEN,
        login: 'paved-admin',
        name: 'Paved Admin',
        email: 'admin@paved.test',
      },
    ],
    org: 'acme',
  });
  const { standIn } = github;
  standIn.createTeam('acme', 'platform', { name: 'Platform' });
  standIn.createTeam('acme', 'sre', { name: 'SRE', parent: 'platform' });
  standIn.addMember('acme', 'alice', {
    team: 'platform',
    role: 'maintainer',
    email: 'alice@acme.test',
  });
  standIn.addMember('acme', 'bob', { team: 'sre' });
  standIn.addMember('acme', 'carol', { role: 'admin' });
  await standIn.createRepo('acme', 'catalog', {
    description: 'Service catalog',
    topics: ['backstage'],
    files: {
      'README.md': '# catalog\n',
      'catalog-info.yaml':
        'apiVersion: backstage.io/v1alpha1\nkind: Component\n',
      'docs/index.md': '# Docs\n',
      'docs/guide/setup.md': 'Setup\n',
    },
    author: { name: 'Alice', email: 'alice@acme.test' },
  });
  octokit = github.client(TOKEN);
});

afterAll(async () => {
  await github?.stop();
});

describe('the response checker', () => {
  it("rejects bodies that do not match GitHub's schema and unknown operations", () => {
    expect(() =>
      checker.check('GET', '/orgs/acme', 200, { login: 'acme' }),
    ).toThrow(SchemaMismatch);
    expect(() => checker.check('GET', '/no/such/operation', 200, {})).toThrow(
      SchemaMismatch,
    );
  });
});

describe('authentication and rate limits', () => {
  it('returns the token user and rejects unknown tokens', async () => {
    const { data, headers } = await octokit.users.getAuthenticated();
    expect(data.login).toBe('paved-admin');
    expect(headers['x-ratelimit-limit']).toBe('5000');
    expect(headers['x-ratelimit-resource']).toBe('core');
    expect(headers['x-github-request-id']).toMatch(/^[0-9A-F:]+$/);
    expect(headers['x-github-media-type']).toBe('github.v3; format=json');

    await expect(
      github.client('nope').users.getAuthenticated(),
    ).rejects.toMatchObject({
      status: 401,
      response: {
        data: {
          message: 'Bad credentials',
          documentation_url: 'https://docs.github.com/rest',
        },
      },
    });
    const anonymous = await fetch(`${github.standIn.apiUrl}/orgs/acme`);
    expect(anonymous.status).toBe(401);
  });

  it('counts requests, answers 304 for a matching ETag without counting it', async () => {
    const first = await octokit.repos.get({ owner: 'acme', repo: 'catalog' });
    const etag = first.headers.etag!;
    expect(etag).toMatch(/^W\/"[0-9a-f]+"$/);
    const remaining = Number(first.headers['x-ratelimit-remaining']);
    await expect(
      octokit.repos.get({
        owner: 'acme',
        repo: 'catalog',
        headers: { 'if-none-match': etag },
      }),
    ).rejects.toMatchObject({ status: 304 });
    const after = await octokit.repos.get({ owner: 'acme', repo: 'catalog' });
    expect(Number(after.headers['x-ratelimit-remaining'])).toBe(remaining - 1);
    expect(Number(after.headers['x-ratelimit-used'])).toBe(
      5000 - remaining + 1,
    );
  });

  it('counts the API requests it serves and the 304s among them, until reset', async () => {
    const { standIn } = github;
    standIn.resetRequestCounts();
    const first = await octokit.repos.get({ owner: 'acme', repo: 'catalog' });
    await expect(
      octokit.repos.get({
        owner: 'acme',
        repo: 'catalog',
        headers: { 'if-none-match': first.headers.etag! },
      }),
    ).rejects.toMatchObject({ status: 304 });
    await expect(
      octokit.repos.get({ owner: 'acme', repo: 'no-such-repo' }),
    ).rejects.toMatchObject({ status: 404 });
    const graphql = await fetch(`${standIn.webUrl}/api/graphql`, {
      method: 'POST',
      headers: { authorization: `bearer ${TOKEN}` },
      body: JSON.stringify({ query: '{ viewer { login } }' }),
    });
    expect(graphql.status).toBe(200);
    expect(standIn.requests()).toEqual({ total: 4, notModified: 1 });

    standIn.resetRequestCounts();
    expect(standIn.requests()).toEqual({ total: 0, notModified: 0 });
  });

  it('answers with the secondary and primary rate limit errors when switched on', async () => {
    github.standIn.setRateLimited(true);
    const secondary = await octokit.orgs.get({ org: 'acme' }).catch(e => e);
    github.standIn.setRateLimited(false);
    expect(secondary.status).toBe(403);
    expect(secondary.response.headers['retry-after']).toBe('60');
    expect(secondary.response.data.message).toMatch(
      /^You have exceeded a secondary rate limit\. Please wait a few minutes before you try again/,
    );
    expect(secondary.response.data.documentation_url).toBe(
      'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
    );

    github.standIn.setRemaining(0);
    const primary = await octokit.orgs.get({ org: 'acme' }).catch(e => e);
    github.standIn.setRemaining(5000);
    expect(primary.status).toBe(403);
    expect(primary.response.headers['x-ratelimit-remaining']).toBe('0');
    expect(primary.response.data.message).toMatch(
      /^API rate limit exceeded for user ID \d+\./,
    );
  });
});

describe('organizations, teams and users', () => {
  it('reads the organization, its members and teams', async () => {
    const org = await octokit.orgs.get({ org: 'acme' });
    expect(org.data).toMatchObject({ login: 'acme', type: 'Organization' });

    const members = await octokit.orgs.listMembers({ org: 'acme' });
    expect(members.data.map(m => m.login)).toEqual(['alice', 'bob', 'carol']);
    const admins = await octokit.orgs.listMembers({
      org: 'acme',
      role: 'admin',
    });
    expect(admins.data.map(m => m.login)).toEqual(['carol']);

    const teams = await octokit.teams.list({ org: 'acme' });
    expect(teams.data.map(t => [t.slug, t.parent?.slug ?? null])).toEqual([
      ['platform', null],
      ['sre', 'platform'],
    ]);
    const sre = await octokit.teams.getByName({
      org: 'acme',
      team_slug: 'sre',
    });
    expect(sre.data).toMatchObject({
      name: 'SRE',
      members_count: 1,
      organization: { login: 'acme' },
    });

    // Members of child teams count as members of the parent, as on GitHub.
    const platform = await octokit.teams.listMembersInOrg({
      org: 'acme',
      team_slug: 'platform',
    });
    expect(platform.data.map(m => m.login)).toEqual(['alice', 'bob']);
    const maintainers = await octokit.teams.listMembersInOrg({
      org: 'acme',
      team_slug: 'platform',
      role: 'maintainer',
    });
    expect(maintainers.data.map(m => m.login)).toEqual(['alice']);

    await expect(
      octokit.teams.getByName({ org: 'acme', team_slug: 'nope' }),
    ).rejects.toMatchObject({
      status: 404,
      response: { data: { message: 'Not Found' } },
    });
  });

  it('shows users and organizations through /users', async () => {
    expect(
      (await octokit.users.getByUsername({ username: 'alice' })).data,
    ).toMatchObject({ type: 'User' });
    expect(
      (await octokit.users.getByUsername({ username: 'acme' })).data,
    ).toMatchObject({
      type: 'Organization',
      public_repos: expect.any(Number),
    });
    await expect(
      octokit.users.getByUsername({ username: 'ghost' }),
    ).rejects.toMatchObject({ status: 404 });
  });
});

describe('repositories', () => {
  it('creates repositories and refuses duplicate names', async () => {
    const created = await octokit.repos.createInOrg({
      org: 'acme',
      name: 'svc-a',
      description: 'A',
      auto_init: true,
    });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({
      full_name: 'acme/svc-a',
      default_branch: 'main',
      visibility: 'public',
      clone_url: `${github.standIn.gitBaseUrl}/acme/svc-a.git`,
    });
    const readme = await octokit.repos.getReadme({
      owner: 'acme',
      repo: 'svc-a',
    });
    expect(Buffer.from(readme.data.content, 'base64').toString()).toBe(
      '# svc-a\nA\n',
    );

    const duplicate = await octokit.repos
      .createInOrg({ org: 'acme', name: 'svc-a' })
      .catch(e => e);
    expect(duplicate.status).toBe(422);
    expect(duplicate.response.data).toMatchObject({
      message: 'Validation Failed',
      errors: [
        {
          resource: 'Repository',
          code: 'custom',
          field: 'name',
          message: 'name already exists on this account',
        },
      ],
    });
  });

  it('pages through repository lists with GitHub-style Link headers', async () => {
    for (const name of ['page-1', 'page-2', 'page-3', 'page-4']) {
      await github.standIn.createRepo('acme', name, {
        private: name === 'page-4',
      });
    }
    const org = await octokit.orgs.get({ org: 'acme' });
    const first = await octokit.repos.listForOrg({ org: 'acme', per_page: 2 });
    const total = (
      await octokit.paginate('GET /orgs/{org}/repos', {
        org: 'acme',
        per_page: 100,
      })
    ).length;
    const base = `${github.standIn.apiUrl}/organizations/${org.data.id}/repos`;
    expect(first.headers.link).toBe(
      `<${base}?per_page=2&page=2>; rel="next", <${base}?per_page=2&page=${Math.ceil(
        total / 2,
      )}>; rel="last"`,
    );
    const second = await octokit.repos.listForOrg({
      org: 'acme',
      per_page: 2,
      page: 2,
    });
    expect(second.headers.link).toContain(
      `<${base}?per_page=2&page=1>; rel="prev"`,
    );
    expect(second.headers.link).toContain(
      `<${base}?per_page=2&page=1>; rel="first"`,
    );

    const paged = await octokit.paginate('GET /orgs/{org}/repos', {
      org: 'acme',
      per_page: 2,
    });
    expect(paged.map(r => r.name)).toEqual(
      expect.arrayContaining(['catalog', 'svc-a', 'page-1', 'page-4']),
    );
    expect(paged).toHaveLength(total);
    const privateOnly = await octokit.paginate('GET /orgs/{org}/repos', {
      org: 'acme',
      type: 'private',
    });
    expect(privateOnly.map(r => r.name)).toEqual(['page-4']);

    const mine = await octokit.paginate('GET /user/repos', { per_page: 3 });
    expect(mine.map(r => r.full_name)).toEqual(
      [...mine.map(r => r.full_name)].sort(),
    );
    expect(mine).toHaveLength(total);
  });

  it('replaces topics', async () => {
    await octokit.repos.replaceAllTopics({
      owner: 'acme',
      repo: 'catalog',
      names: ['backstage', 'catalog'],
    });
    const repo = await octokit.repos.get({ owner: 'acme', repo: 'catalog' });
    expect(repo.data.topics).toEqual(['backstage', 'catalog']);
    expect(repo.data.description).toBe('Service catalog');
  });

  it("grants teams access to a repository, lists them with GitHub's permission flags, and removes it", async () => {
    await github.standIn.createRepo('acme', 'team-access');
    const repo = { owner: 'acme', repo: 'team-access' };
    await octokit.teams.addOrUpdateRepoPermissionsInOrg({
      org: 'acme',
      team_slug: 'platform',
      ...repo,
      permission: 'maintain',
    });
    // Without a permission GitHub grants the team's default, pull.
    const granted = await octokit.teams.addOrUpdateRepoPermissionsInOrg({
      org: 'acme',
      team_slug: 'sre',
      ...repo,
    });
    expect(granted.status).toBe(204);

    const teams = await octokit.repos.listTeams(repo);
    expect(teams.data.map(t => [t.slug, t.permission, t.permissions])).toEqual([
      [
        'platform',
        'maintain',
        { pull: true, triage: true, push: true, maintain: true, admin: false },
      ],
      [
        'sre',
        'pull',
        {
          pull: true,
          triage: false,
          push: false,
          maintain: false,
          admin: false,
        },
      ],
    ]);
    const platform = await octokit.teams.getByName({
      org: 'acme',
      team_slug: 'platform',
    });
    expect(platform.data.repos_count).toBe(1);

    // A new permission replaces the old one; removing takes the team off the list.
    await octokit.teams.addOrUpdateRepoPermissionsInOrg({
      org: 'acme',
      team_slug: 'sre',
      ...repo,
      permission: 'admin',
    });
    await octokit.teams.removeRepoInOrg({
      org: 'acme',
      team_slug: 'platform',
      ...repo,
    });
    expect(
      (await octokit.repos.listTeams(repo)).data.map(t => [
        t.slug,
        t.permission,
      ]),
    ).toEqual([['sre', 'admin']]);
  });

  it('refuses team access as GitHub does: 422 for an unknown permission or a repository of another owner, 404 for a missing team or repository', async () => {
    await github.standIn.createRepo('alice', 'dotfiles');
    const grant = (
      team_slug: string,
      owner: string,
      repo: string,
      permission?: string,
    ) =>
      octokit.teams
        .addOrUpdateRepoPermissionsInOrg({
          org: 'acme',
          team_slug,
          owner,
          repo,
          permission,
        })
        .catch(e => e);
    const write = await grant('platform', 'acme', 'catalog', 'write');
    expect([write.status, write.response.data.message]).toEqual([
      422,
      'Validation Failed',
    ]);
    expect((await grant('platform', 'alice', 'dotfiles', 'push')).status).toBe(
      422,
    );
    const noTeam = await grant('nope', 'acme', 'catalog', 'push');
    expect([noTeam.status, noTeam.response.data.message]).toEqual([
      404,
      'Not Found',
    ]);
    expect((await grant('platform', 'acme', 'nope', 'push')).status).toBe(404);
    expect(
      (
        await octokit.repos
          .listTeams({ owner: 'acme', repo: 'nope' })
          .catch(e => e)
      ).status,
    ).toBe(404);
    expect(
      (await octokit.repos.listTeams({ owner: 'acme', repo: 'catalog' })).data,
    ).toEqual([]);
  });
});

describe('contents', () => {
  it('returns files, directories, raw bytes and the readme', async () => {
    const file = await octokit.repos.getContent({
      owner: 'acme',
      repo: 'catalog',
      path: 'catalog-info.yaml',
    });
    if (Array.isArray(file.data) || file.data.type !== 'file')
      throw new Error('expected a file');
    expect(file.data).toMatchObject({
      encoding: 'base64',
      name: 'catalog-info.yaml',
      size: Buffer.byteLength(
        'apiVersion: backstage.io/v1alpha1\nkind: Component\n',
      ),
    });
    expect(Buffer.from(file.data.content, 'base64').toString()).toContain(
      'kind: Component',
    );

    const dir = await octokit.repos.getContent({
      owner: 'acme',
      repo: 'catalog',
      path: 'docs',
    });
    expect(
      Array.isArray(dir.data) && dir.data.map(e => [e.path, e.type]),
    ).toEqual([
      ['docs/guide', 'dir'],
      ['docs/index.md', 'file'],
    ]);
    const root = await octokit.repos.getContent({
      owner: 'acme',
      repo: 'catalog',
      path: '',
    });
    expect(Array.isArray(root.data) && root.data.map(e => e.name)).toEqual([
      'README.md',
      'catalog-info.yaml',
      'docs',
    ]);

    const raw = await octokit.repos.getContent({
      owner: 'acme',
      repo: 'catalog',
      path: 'docs/guide/setup.md',
      mediaType: { format: 'raw' },
    });
    expect(raw.data).toBe('Setup\n');

    const readme = await octokit.repos.getReadme({
      owner: 'acme',
      repo: 'catalog',
    });
    expect(readme.data.path).toBe('README.md');

    await expect(
      octokit.repos.getContent({
        owner: 'acme',
        repo: 'catalog',
        path: 'missing.txt',
      }),
    ).rejects.toMatchObject({
      status: 404,
      response: { data: { message: 'Not Found' } },
    });
    await expect(
      octokit.repos.getContent({
        owner: 'acme',
        repo: 'catalog',
        path: 'README.md',
        ref: 'no-such-ref',
      }),
    ).rejects.toMatchObject({
      status: 404,
      response: {
        data: { message: 'No commit found for the ref no-such-ref' },
      },
    });
  });
});

describe('branches, refs and commits', () => {
  it('sets, reads and removes branch protection', async () => {
    const params = { owner: 'acme', repo: 'catalog', branch: 'main' };
    await expect(
      octokit.repos.getBranchProtection(params),
    ).rejects.toMatchObject({
      status: 404,
      response: { data: { message: 'Branch not protected' } },
    });
    await octokit.repos.updateBranchProtection({
      ...params,
      required_status_checks: { strict: true, contexts: ['ci/build'] },
      enforce_admins: true,
      required_pull_request_reviews: { required_approving_review_count: 2 },
      restrictions: null,
    });
    const protection = await octokit.repos.getBranchProtection(params);
    expect(protection.data).toMatchObject({
      required_status_checks: { strict: true, contexts: ['ci/build'] },
      enforce_admins: { enabled: true },
      required_pull_request_reviews: { required_approving_review_count: 2 },
    });
    const branch = await octokit.repos.getBranch(params);
    expect(branch.data).toMatchObject({
      name: 'main',
      protected: true,
      commit: { commit: { author: { name: 'Alice' } } },
    });
    const branches = await octokit.repos.listBranches({
      owner: 'acme',
      repo: 'catalog',
      protected: true,
    });
    expect(branches.data.map(b => b.name)).toEqual(['main']);

    await octokit.repos.deleteBranchProtection(params);
    await expect(
      octokit.repos.getBranchProtection(params),
    ).rejects.toMatchObject({ status: 404 });
    await expect(
      octokit.repos.getBranch({ ...params, branch: 'nope' }),
    ).rejects.toMatchObject({
      status: 404,
      response: { data: { message: 'Branch not found' } },
    });
    expect(
      (await octokit.repos.getRepoRulesets({ owner: 'acme', repo: 'catalog' }))
        .data,
    ).toEqual([]);
  });

  it('reads refs and commit history from git', async () => {
    await github.standIn.commit(
      'acme',
      'catalog',
      'main',
      { 'docs/index.md': '# Docs v2\n' },
      'Update docs',
    );
    const ref = await octokit.git.getRef({
      owner: 'acme',
      repo: 'catalog',
      ref: 'heads/main',
    });
    const commits = await octokit.repos.listCommits({
      owner: 'acme',
      repo: 'catalog',
    });
    expect(commits.data[0].sha).toBe(ref.data.object.sha);
    expect(commits.data.map(c => c.commit.message).slice(0, 2)).toEqual([
      'Update docs',
      'Initial commit',
    ]);
    // The initial commit's author email belongs to alice, so GitHub links her account.
    expect(commits.data[1].author?.login).toBe('alice');
    expect(commits.data[0].parents[0].sha).toBe(commits.data[1].sha);

    const forPath = await octokit.repos.listCommits({
      owner: 'acme',
      repo: 'catalog',
      path: 'README.md',
    });
    expect(forPath.data.map(c => c.commit.message)).toEqual(['Initial commit']);
    const paged = await octokit.repos.listCommits({
      owner: 'acme',
      repo: 'catalog',
      per_page: 1,
    });
    expect(paged.data).toHaveLength(1);
    expect(paged.headers.link).toContain('rel="next"');

    const one = await octokit.repos.getCommit({
      owner: 'acme',
      repo: 'catalog',
      ref: ref.data.object.sha,
    });
    expect(one.data.commit).toMatchObject({
      message: 'Update docs',
      author: { name: 'Paved Sandbox' },
    });
    expect(one.data.html_url).toBe(
      `${github.standIn.webUrl}/acme/catalog/commit/${ref.data.object.sha}`,
    );
    await expect(
      octokit.git.getRef({ owner: 'acme', repo: 'catalog', ref: 'heads/nope' }),
    ).rejects.toMatchObject({
      status: 404,
    });
  });
});

describe('pull requests', () => {
  it('creates, lists and merges a pull request with a real merge commit', async () => {
    await github.standIn.commit(
      'acme',
      'catalog',
      'feature',
      { 'src/app.ts': 'export {};\n' },
      'Add app',
    );
    const repo = { owner: 'acme', repo: 'catalog' };
    await expect(
      octokit.pulls.create({
        ...repo,
        title: 'Nope',
        head: 'missing',
        base: 'main',
      }),
    ).rejects.toMatchObject({
      status: 422,
      response: {
        data: {
          message: 'Validation Failed',
          errors: [{ field: 'head', code: 'invalid' }],
        },
      },
    });

    await github.standIn.commit(
      'acme',
      'catalog',
      'main',
      { 'NOTES.md': 'notes\n' },
      'Add notes',
    );
    const main = await octokit.git.getRef({ ...repo, ref: 'heads/main' });
    const created = await octokit.pulls.create({
      ...repo,
      title: 'Add app',
      head: 'feature',
      base: 'main',
      body: 'Please',
    });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({
      number: 1,
      state: 'open',
      merged: false,
      head: { ref: 'feature' },
      base: { sha: main.data.object.sha },
    });

    const open = await octokit.pulls.list({ ...repo });
    expect(open.data.map(p => p.number)).toEqual([1]);
    const got = await octokit.pulls.get({ ...repo, pull_number: 1 });
    expect(got.data).toMatchObject({
      mergeable: true,
      mergeable_state: 'clean',
      changed_files: 1,
      additions: 1,
    });

    const merged = await octokit.pulls.merge({ ...repo, pull_number: 1 });
    expect(merged.data).toMatchObject({
      merged: true,
      message: 'Pull Request successfully merged',
    });
    const commit = await octokit.repos.getCommit({ ...repo, ref: 'main' });
    expect(commit.data.sha).toBe(merged.data.sha);
    expect(commit.data.parents.map(p => p.sha)).toEqual([
      main.data.object.sha,
      created.data.head.sha,
    ]);
    expect(commit.data.commit.message).toBe(
      'Merge pull request #1 from acme/feature\n\nAdd app',
    );
    const app = await octokit.repos.getContent({
      ...repo,
      path: 'src/app.ts',
      mediaType: { format: 'raw' },
    });
    expect(app.data).toBe('export {};\n');

    await expect(
      octokit.pulls.merge({ ...repo, pull_number: 1 }),
    ).rejects.toMatchObject({
      status: 405,
      response: { data: { message: 'Pull Request is not mergeable' } },
    });
    expect(
      (await octokit.pulls.list({ ...repo, state: 'closed' })).data[0],
    ).toMatchObject({ number: 1, state: 'closed' });
    expect((await octokit.pulls.list({ ...repo })).data).toEqual([]);
    await expect(
      octokit.pulls.create({
        ...repo,
        title: 'Again',
        head: 'feature',
        base: 'main',
      }),
    ).rejects.toMatchObject({
      status: 422,
      response: {
        data: { errors: [{ message: 'No commits between main and feature' }] },
      },
    });
  });

  it('refuses to merge conflicting or review-protected pull requests', async () => {
    const repo = { owner: 'acme', repo: 'catalog' };
    await github.standIn.commit(
      'acme',
      'catalog',
      'conflict',
      { 'NOTES.md': 'theirs\n' },
      'Theirs',
    );
    await github.standIn.commit(
      'acme',
      'catalog',
      'main',
      { 'NOTES.md': 'ours\n' },
      'Ours',
    );
    const pull = await octokit.pulls.create({
      ...repo,
      title: 'Conflict',
      head: 'acme:conflict',
      base: 'main',
    });
    expect(
      (await octokit.pulls.get({ ...repo, pull_number: pull.data.number }))
        .data,
    ).toMatchObject({
      mergeable: false,
      mergeable_state: 'dirty',
    });
    await expect(
      octokit.pulls.merge({ ...repo, pull_number: pull.data.number }),
    ).rejects.toMatchObject({ status: 405 });

    await github.standIn.commit(
      'acme',
      'catalog',
      'tidy',
      { 'TIDY.md': 'tidy\n' },
      'Tidy',
    );
    const tidy = await octokit.pulls.create({
      ...repo,
      title: 'Tidy',
      head: 'tidy',
      base: 'main',
    });
    await github.standIn.protectBranch('acme', 'catalog', 'main', {
      required_pull_request_reviews: { required_approving_review_count: 1 },
    });
    await expect(
      octokit.pulls.merge({ ...repo, pull_number: tidy.data.number }),
    ).rejects.toMatchObject({
      status: 405,
      response: {
        data: {
          message:
            'At least 1 approving review is required by reviewers with write access.',
        },
      },
    });
    await octokit.repos.deleteBranchProtection({ ...repo, branch: 'main' });
    const squashed = await octokit.pulls.merge({
      ...repo,
      pull_number: tidy.data.number,
      merge_method: 'squash',
    });
    const commit = await octokit.repos.getCommit({
      ...repo,
      ref: squashed.data.sha,
    });
    expect(commit.data.parents).toHaveLength(1);
    expect(commit.data.commit.message).toBe(`Tidy (#${tidy.data.number})`);
  });
});

describe('git over smart HTTP', () => {
  const gitEnv = {
    ...process.env,
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
  };
  const git = (cwd: string, ...args: string[]) =>
    run(
      'git',
      ['-c', 'user.name=Dev', '-c', 'user.email=dev@acme.test', ...args],
      { cwd, env: gitEnv },
    );

  it('clones and pushes with the token; the API sees the push', async () => {
    const work = await mkdtemp(join(tmpdir(), 'github-clone-'));
    try {
      const url = new URL(`${github.standIn.gitBaseUrl}/acme/svc-a.git`);
      url.username = 'x-access-token';
      url.password = TOKEN;
      await git(work, 'clone', '--quiet', url.toString(), 'svc-a');
      const checkout = join(work, 'svc-a');
      expect(await readFile(join(checkout, 'README.md'), 'utf8')).toBe(
        '# svc-a\nA\n',
      );

      const before = (await octokit.repos.get({ owner: 'acme', repo: 'svc-a' }))
        .data.pushed_at;
      await writeFile(join(checkout, 'catalog-info.yaml'), 'kind: Component\n');
      await git(checkout, 'add', '.');
      await git(checkout, 'commit', '--quiet', '-m', 'Register in the catalog');
      await git(checkout, 'push', '--quiet', 'origin', 'main');

      const file = await octokit.repos.getContent({
        owner: 'acme',
        repo: 'svc-a',
        path: 'catalog-info.yaml',
        mediaType: { format: 'raw' },
      });
      expect(file.data).toBe('kind: Component\n');
      const commits = await octokit.repos.listCommits({
        owner: 'acme',
        repo: 'svc-a',
      });
      expect(commits.data[0].commit).toMatchObject({
        message: 'Register in the catalog',
        author: { email: 'dev@acme.test' },
      });
      const after = (await octokit.repos.get({ owner: 'acme', repo: 'svc-a' }))
        .data.pushed_at!;
      expect(after >= before!).toBe(true);

      await git(
        checkout,
        'remote',
        'set-url',
        'origin',
        `${github.standIn.gitBaseUrl}/acme/svc-a.git`,
      );
      await writeFile(join(checkout, 'more.txt'), 'more\n');
      await git(checkout, 'add', '.');
      await git(checkout, 'commit', '--quiet', '-m', 'Unauthenticated');
      await expect(
        git(checkout, 'push', '--quiet', 'origin', 'main'),
      ).rejects.toMatchObject({
        stderr: expect.stringMatching(
          /Authentication failed|could not read Username/,
        ),
      });
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });

  it('takes the first push into an empty repository', async () => {
    await octokit.repos.createInOrg({ org: 'acme', name: 'empty' });
    await expect(
      octokit.repos.listCommits({ owner: 'acme', repo: 'empty' }),
    ).rejects.toMatchObject({
      status: 409,
      response: { data: { message: 'Git Repository is empty.' } },
    });
    const work = await mkdtemp(join(tmpdir(), 'github-push-'));
    try {
      await git(work, 'init', '--quiet', '--initial-branch=trunk');
      await writeFile(join(work, 'a.txt'), 'a\n');
      await git(work, 'add', '.');
      await git(work, 'commit', '--quiet', '-m', 'First');
      const url = new URL(`${github.standIn.gitBaseUrl}/acme/empty.git`);
      url.username = TOKEN;
      await git(work, 'push', '--quiet', url.toString(), 'trunk');
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    const repo = await octokit.repos.get({ owner: 'acme', repo: 'empty' });
    expect(repo.data.default_branch).toBe('trunk');
    const file = await octokit.repos.getContent({
      owner: 'acme',
      repo: 'empty',
      path: 'a.txt',
    });
    expect(file.data).toMatchObject({ sha: expect.any(String), size: 2 });
  });
});
