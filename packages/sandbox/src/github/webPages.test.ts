import { Octokit } from '@octokit/rest';
import { OpenApiChecker } from './__testUtils__/openApiChecker';
import { TestGitHub, startTestGitHub } from './__testUtils__/standIn';

const TOKEN = 'ghp_sandboxwebtoken';

let github: TestGitHub;
let octokit: Octokit;

beforeAll(async () => {
  github = await startTestGitHub(new OpenApiChecker(), {
    tokens: [{ token: TOKEN, login: 'paved-admin' }],
    org: 'acme',
  });
  github.standIn.addMember('acme', 'alice', { email: 'alice@acme.test' });
  octokit = github.client(TOKEN);
});

afterAll(async () => {
  await github?.stop();
});

describe('web pages', () => {
  beforeAll(async () => {
    await github.standIn.createRepo('acme', 'web-pages', {
      description: 'Pages & <markup>',
      files: {
        'README.md': '# Web pages\n',
        'deploy/app.yaml': 'image: app:1.0.0\n',
      },
      author: {
        name: 'Alice',
        email: 'alice@acme.test',
        date: new Date('2024-03-01T10:00:00Z'),
      },
    });
  });

  it('backdates commits to their author date', async () => {
    await github.standIn.commit(
      'acme',
      'web-pages',
      'main',
      { 'deploy/app.yaml': 'image: app:1.1.0\n# <b>not bold</b>\n' },
      'Release 1.1.0\n\nBumps <the> image.',
      {
        name: 'Bob Builder',
        email: 'bob@acme.test',
        date: new Date('2024-03-04T15:30:00Z'),
      },
    );
    const { data } = await octokit.repos.listCommits({
      owner: 'acme',
      repo: 'web-pages',
    });
    expect(
      data.map(c => [
        c.commit.message.split('\n')[0],
        c.commit.author?.date,
        c.commit.committer?.date,
      ]),
    ).toEqual([
      ['Release 1.1.0', '2024-03-04T15:30:00Z', '2024-03-04T15:30:00Z'],
      ['Initial commit', '2024-03-01T10:00:00Z', '2024-03-01T10:00:00Z'],
    ]);
  });

  it('shows a commit, its author, date, parent and diff to a browser without a token', async () => {
    const { data } = await octokit.repos.listCommits({
      owner: 'acme',
      repo: 'web-pages',
    });
    const [head, parent] = data;
    // The link the API (and so the portal) gives is the page that is served.
    const res = await fetch(head.html_url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toContain('GitHub stand-in');
    expect(html).toContain('<h1>Release 1.1.0</h1>');
    expect(html).toContain('Bumps &lt;the&gt; image.');
    expect(html).toContain('Bob Builder &lt;bob@acme.test&gt;');
    expect(html).toContain('2024-03-04T15:30:00Z');
    expect(html).toContain(`href="/acme/web-pages/commit/${parent.sha}"`);
    expect(html).toMatch(/deploy\/app\.yaml \| +3 \+\+-/);
    expect(html).toContain('-image: app:1.0.0');
    expect(html).toContain('+# &lt;b&gt;not bold&lt;/b&gt;');
    expect(html).not.toContain('<b>');

    const first = await (
      await fetch(
        `${github.standIn.webUrl}/acme/web-pages/commit/${parent.sha}`,
      )
    ).text();
    // The first commit's author email belongs to alice, so the page names her account.
    expect(first).toContain('Alice &lt;alice@acme.test&gt; (@alice)');
    expect(first).toContain('none (the first commit)');
    expect(first).toContain('+# Web pages');
  });

  it("shows a repository's files, recent commits and README", async () => {
    const res = await fetch(`${github.standIn.webUrl}/acme/web-pages`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('GitHub stand-in');
    expect(html).toContain('Pages &amp; &lt;markup&gt;');
    expect(html).toContain(
      '<a href="/acme/web-pages/blob/main/deploy/app.yaml"><code>deploy/app.yaml</code></a>',
    );
    expect(html).toContain('Release 1.1.0 — Bob Builder');
    expect(html).toContain('<pre># Web pages\n</pre>');
  });

  it('shows the front page at a ref where "View Source" links (tree/{ref}/)', async () => {
    await github.standIn.commit(
      'acme',
      'web-pages',
      'feature/docs',
      { 'docs/index.md': '# Draft docs\n' },
      'Draft the docs',
    );
    const main = await fetch(
      `${github.standIn.webUrl}/acme/web-pages/tree/main/`,
    );
    expect(main.status).toBe(200);
    const mainHtml = await main.text();
    expect(mainHtml).toContain('GitHub stand-in');
    expect(mainHtml).toContain('Files on main');
    expect(mainHtml).toContain('Release 1.1.0 — Bob Builder');
    expect(mainHtml).not.toContain('docs/index.md');

    // A branch name with a slash: the ref is found before the path.
    const branch = await (
      await fetch(`${github.standIn.webUrl}/acme/web-pages/tree/feature/docs`)
    ).text();
    expect(branch).toContain('Files on feature/docs');
    expect(branch).toContain(
      '<a href="/acme/web-pages/blob/feature/docs/docs/index.md"><code>docs/index.md</code></a>',
    );
    expect(branch).toContain('Draft the docs');
  });

  it("lists a folder's entries, folders first, each linking to its page", async () => {
    await github.standIn.commit(
      'acme',
      'web-pages',
      'main',
      {
        'deploy/overlays/prod/kustomization.yaml': 'resources: []\n',
        'deploy/a-service.yaml': 'kind: Service\n',
      },
      'Add a prod overlay',
    );
    const res = await fetch(
      `${github.standIn.webUrl}/acme/web-pages/tree/main/deploy`,
    );
    expect(res.status).toBe(200);
    const html = await res.text();
    const items = [
      ...html.matchAll(/<li><a href="([^"]+)"><code>([^<]+)<\/code>/g),
    ].map(m => [m[2], m[1]]);
    expect(items).toEqual([
      ['overlays/', '/acme/web-pages/tree/main/deploy/overlays'],
      ['a-service.yaml', '/acme/web-pages/blob/main/deploy/a-service.yaml'],
      ['app.yaml', '/acme/web-pages/blob/main/deploy/app.yaml'],
    ]);
    expect(html).toContain(
      '<a href="/acme/web-pages/tree/main/">acme / web-pages</a> / deploy',
    );

    const nested = await (
      await fetch(`${github.standIn.webUrl}${items[0][1]}`)
    ).text();
    expect(nested).toContain('<code>prod/</code>');
  });

  it("shows a file's content, escaped, at a branch or a commit", async () => {
    const res = await fetch(
      `${github.standIn.webUrl}/acme/web-pages/blob/main/deploy/app.yaml`,
    );
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<h1>deploy/app.yaml</h1>');
    expect(html).toContain(
      '<pre class="file">image: app:1.1.0\n# &lt;b&gt;not bold&lt;/b&gt;\n</pre>',
    );

    const { data } = await octokit.repos.listCommits({
      owner: 'acme',
      repo: 'web-pages',
      path: 'deploy/app.yaml',
    });
    const first = data[data.length - 1].sha;
    const old = await (
      await fetch(
        `${github.standIn.webUrl}/acme/web-pages/blob/${first}/deploy/app.yaml`,
      )
    ).text();
    expect(old).toContain('<pre class="file">image: app:1.0.0\n</pre>');
  });

  it('serves the html_url the contents API gives for files and folders', async () => {
    const { data } = await octokit.repos.getContent({
      owner: 'acme',
      repo: 'web-pages',
      path: 'deploy',
    });
    const entries = data as Array<{ name: string; html_url: string | null }>;
    for (const entry of entries) {
      const res = await fetch(entry.html_url!);
      expect([entry.name, res.status]).toEqual([entry.name, 200]);
    }
  });

  it('answers 404 for unknown repositories, commits and paths', async () => {
    const web = github.standIn.webUrl;
    for (const path of [
      '/acme/nope',
      '/acme/nope/commit/abc1234',
      `/acme/web-pages/commit/${'0'.repeat(40)}`,
      '/acme/web-pages/blob/main/nope.md',
      '/acme/web-pages/tree/main/deploy/nope',
      '/acme/web-pages/tree/no-such-branch/',
      '/acme/nope/tree/main/',
    ]) {
      expect([path, (await fetch(`${web}${path}`)).status]).toEqual([
        path,
        404,
      ]);
    }
  });
});
