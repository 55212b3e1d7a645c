/*
 * What a bot delivering through a GitOps repository does without a clone: a branch, one file
 * per commit through the contents API, a pull request that a person merges or closes, the
 * issue view naming who closed it, and GitHub's rate limit. Every answer is checked against
 * GitHub's OpenAPI description.
 */
import { Octokit } from '@octokit/rest';
import { OpenApiChecker } from './__testUtils__/openApiChecker';
import { TestGitHub, startTestGitHub } from './__testUtils__/standIn';

jest.setTimeout(30_000);

const BOT = 'ghp_gitopsbot';
const PERSON = 'ghp_reviewer';
const checker = new OpenApiChecker();
const repo = { owner: 'acme', repo: 'platform-gitops' };

let github: TestGitHub;
let bot: Octokit;
let person: Octokit;

beforeAll(async () => {
  github = await startTestGitHub(checker, {
    tokens: [
      {
        token: BOT,
        login: 'paved-bot',
        name: 'Paved',
        email: 'bot@paved.test',
      },
      { token: PERSON, login: 'alice', email: 'alice@acme.test' },
    ],
    org: 'acme',
  });
  await github.standIn.createRepo('acme', 'platform-gitops', {
    files: { 'README.md': '# GitOps\n' },
  });
  bot = github.client(BOT);
  person = github.client(PERSON);
});

afterAll(async () => {
  await github?.stop();
});

const text = (s: string) => Buffer.from(s, 'utf8').toString('base64');

describe('writing through the API', () => {
  it('creates a branch, adds, updates and deletes a file on it, each a commit by the token', async () => {
    const main = await bot.rest.git.getRef({ ...repo, ref: 'heads/main' });
    const created = await bot.rest.git.createRef({
      ...repo,
      ref: 'refs/heads/feature/db',
      sha: main.data.object.sha,
    });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({
      ref: 'refs/heads/feature/db',
      object: { type: 'commit', sha: main.data.object.sha },
    });
    await expect(
      bot.rest.git.createRef({
        ...repo,
        ref: 'refs/heads/feature/db',
        sha: main.data.object.sha,
      }),
    ).rejects.toMatchObject({
      status: 422,
      response: { data: { message: 'Reference already exists' } },
    });

    const path = 'infrastructure/dev/team-a/db.yaml';
    const added = await bot.rest.repos.createOrUpdateFileContents({
      ...repo,
      path,
      branch: 'feature/db',
      message: 'Add db',
      content: text('kind: PostgreSQLInstance\n'),
    });
    expect(added.status).toBe(201);
    expect(added.data.content).toMatchObject({ path, type: 'file' });
    expect(added.data.commit).toMatchObject({
      message: 'Add db',
      author: { name: 'Paved', email: 'bot@paved.test' },
      parents: [{ sha: main.data.object.sha }],
    });

    // An existing file is changed only by naming the blob it replaces.
    await expect(
      bot.rest.repos.createOrUpdateFileContents({
        ...repo,
        path,
        branch: 'feature/db',
        message: 'Change db',
        content: text('kind: Other\n'),
      }),
    ).rejects.toMatchObject({ status: 422 });
    const updated = await bot.rest.repos.createOrUpdateFileContents({
      ...repo,
      path,
      branch: 'feature/db',
      message: 'Change db',
      content: text('kind: PostgreSQLInstance\nspec: {}\n'),
      sha: added.data.content!.sha!,
    });
    expect(updated.status).toBe(200);
    const read = await bot.rest.repos.getContent({
      ...repo,
      path,
      ref: 'feature/db',
      mediaType: { format: 'raw' },
    });
    expect(read.data).toBe('kind: PostgreSQLInstance\nspec: {}\n');
    await expect(
      bot.rest.repos.getContent({ ...repo, path, ref: 'main' }),
    ).rejects.toMatchObject({ status: 404 });

    const deleted = await bot.rest.repos.deleteFile({
      ...repo,
      path,
      branch: 'feature/db',
      message: 'Remove db',
      sha: updated.data.content!.sha!,
    });
    expect(deleted.data.content).toBeNull();
    await expect(
      bot.rest.repos.getContent({ ...repo, path, ref: 'feature/db' }),
    ).rejects.toMatchObject({ status: 404 });
    await expect(
      bot.rest.repos.createOrUpdateFileContents({
        ...repo,
        path,
        branch: 'no-such-branch',
        message: 'Add db',
        content: text('x'),
      }),
    ).rejects.toMatchObject({ status: 404 });
  });
});

describe('pull requests a person closes or merges', () => {
  async function openPullRequest(branch: string) {
    const main = await bot.rest.git.getRef({ ...repo, ref: 'heads/main' });
    await bot.rest.git.createRef({
      ...repo,
      ref: `refs/heads/${branch}`,
      sha: main.data.object.sha,
    });
    await bot.rest.repos.createOrUpdateFileContents({
      ...repo,
      path: `${branch}.yaml`,
      branch,
      message: `Add ${branch}`,
      content: text('kind: Cache\n'),
    });
    const { data } = await bot.rest.pulls.create({
      ...repo,
      head: branch,
      base: 'main',
      title: `Add ${branch}`,
    });
    return data.number;
  }

  it('names who closed an unmerged pull request in its issue view', async () => {
    const number = await openPullRequest('closing');
    const closed = await person.rest.pulls.update({
      ...repo,
      pull_number: number,
      state: 'closed',
    });
    expect(closed.data).toMatchObject({ state: 'closed', merged: false });
    const issue = await bot.rest.issues.get({ ...repo, issue_number: number });
    expect(issue.data).toMatchObject({
      number,
      state: 'closed',
      closed_by: { login: 'alice' },
      pull_request: { merged_at: null },
    });
    await expect(
      bot.rest.issues.get({ ...repo, issue_number: 999 }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('names the merger as the one who closed a merged pull request', async () => {
    const number = await openPullRequest('merging');
    await person.rest.pulls.merge({ ...repo, pull_number: number });
    const issue = await bot.rest.issues.get({ ...repo, issue_number: number });
    expect(issue.data.closed_by?.login).toBe('alice');
    await expect(
      person.rest.pulls.update({ ...repo, pull_number: number, state: 'open' }),
    ).rejects.toMatchObject({ status: 422 });
  });
});

describe('the rate limit', () => {
  it('answers 403 with no requests left and the reset time, then serves again after it', async () => {
    github.standIn.exhaustRateLimit(1);
    const error = await bot.rest.repos.get(repo).then(
      () => undefined,
      (e: any) => e,
    );
    expect(error?.status).toBe(403);
    expect(error.response.headers['x-ratelimit-remaining']).toBe('0');
    const reset = Number(error.response.headers['x-ratelimit-reset']) * 1000;
    expect(reset).toBeGreaterThan(Date.now() - 1000);
    await new Promise(resolve => setTimeout(resolve, reset - Date.now() + 50));
    const after = await bot.rest.repos.get(repo);
    expect(after.status).toBe(200);
  });
});
