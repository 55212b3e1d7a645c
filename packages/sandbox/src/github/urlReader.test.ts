import { UrlReaders } from '@backstage/backend-defaults/urlReader';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { Octokit } from '@octokit/rest';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OpenApiChecker } from './__testUtils__/openApiChecker';
import { TestGitHub, startTestGitHub } from './__testUtils__/standIn';

const run = promisify(execFile);
const TOKEN = 'ghp_sandboxreadertoken';
const checker = new OpenApiChecker();

let github: TestGitHub;
let octokit: Octokit;
let reader: ReturnType<typeof UrlReaders.default>;
/** Where the stand-in's web pages are, as a registered location names them. */
let web: string;

beforeAll(async () => {
  github = await startTestGitHub(checker, {
    tokens: [{ token: TOKEN, login: 'paved-admin' }],
    org: 'acme',
  });
  web = github.standIn.webUrl;
  await github.standIn.createRepo('acme', 'orders', {
    description: 'Orders service',
    files: {
      'catalog-info.yaml':
        'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: orders\n',
      'mkdocs.yml': 'site_name: Orders\nnav:\n  - index.md\n',
      'docs/index.md': '# Orders\n',
      'docs/runbooks/restart.md': '# Restart\n',
      'src/main.ts': 'export {};\n',
    },
  });
  await github.standIn.createRepo('acme', 'empty');
  octokit = github.client(TOKEN);
  // The integration as the sandbox writes it into .sandbox/app-config.yaml.
  reader = UrlReaders.default({
    config: new ConfigReader({
      integrations: {
        github: [
          {
            host: new URL(web).host,
            apiBaseUrl: github.standIn.apiUrl,
            token: TOKEN,
          },
        ],
      },
    }),
    logger: mockServices.rootLogger({ level: 'none' }),
  });
});

afterAll(async () => {
  await github?.stop();
});

async function headOf(repo: string, branch = 'main'): Promise<string> {
  const { data } = await octokit.repos.getBranch({
    owner: 'acme',
    repo,
    branch,
  });
  return data.commit.sha;
}

describe('combined status', () => {
  it("names the ref's commit and the repository, with no statuses", async () => {
    const { data } = await octokit.repos.getCombinedStatusForRef({
      owner: 'acme',
      repo: 'orders',
      ref: 'main',
    });
    const sha = await headOf('orders');
    expect(data).toMatchObject({
      state: 'pending',
      sha,
      total_count: 0,
      statuses: [],
      commit_url: `${github.standIn.apiUrl}/repos/acme/orders/commits/${sha}`,
      url: `${github.standIn.apiUrl}/repos/acme/orders/commits/${sha}/status`,
      repository: {
        full_name: 'acme/orders',
        archive_url: `${github.standIn.apiUrl}/repos/acme/orders/{archive_format}{/ref}`,
      },
    });
  });

  it('answers 404 for an unknown repository or ref, 422 for an unknown commit, 409 for an empty repository', async () => {
    const status = (repo: string, ref: string) =>
      octokit.repos.getCombinedStatusForRef({ owner: 'acme', repo, ref }).then(
        () => 200,
        e => [e.status, e.response.data.message],
      );
    expect(await status('nope', 'main')).toEqual([404, 'Not Found']);
    expect(await status('orders', 'no-such-branch')).toEqual([
      404,
      'Ref not found',
    ]);
    expect(await status('orders', 'a'.repeat(40))).toEqual([
      422,
      `No commit found for SHA: ${'a'.repeat(40)}`,
    ]);
    expect(await status('empty', 'main')).toEqual([
      409,
      'Git Repository is empty.',
    ]);
  });
});

describe('archives', () => {
  it('redirects to a download of the commit, with the files under GitHub’s owner-repo-sha folder', async () => {
    const sha = await headOf('orders');
    const res = await fetch(
      `${github.standIn.apiUrl}/repos/acme/orders/tarball/main`,
      { headers: { Authorization: `token ${TOKEN}` }, redirect: 'manual' },
    );
    expect(res.status).toBe(302);
    checker.check('GET', '/repos/acme/orders/tarball/main', 302, undefined);
    const location = res.headers.get('location')!;
    expect(location).toMatch(
      new RegExp(
        `^${web}/_codeload/acme/orders/legacy\\.tar\\.gz/${sha}\\?token=\\S+$`,
      ),
    );

    const download = await fetch(location);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/x-gzip');
    const work = await mkdtemp(join(tmpdir(), 'github-archive-'));
    try {
      const file = join(work, 'orders.tar.gz');
      await writeFile(file, Buffer.from(await download.arrayBuffer()));
      const { stdout } = await run('tar', ['-tzf', file]);
      const top = `acme-orders-${sha.slice(0, 7)}/`;
      expect(stdout.split('\n').filter(Boolean).sort()).toEqual(
        [
          '',
          'catalog-info.yaml',
          'docs/',
          'docs/index.md',
          'docs/runbooks/',
          'docs/runbooks/restart.md',
          'mkdocs.yml',
          'src/',
          'src/main.ts',
        ].map(path => `${top}${path}`),
      );
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });

  it('serves zipballs too', async () => {
    const res = await fetch(
      `${github.standIn.apiUrl}/repos/acme/orders/zipball/main`,
      { headers: { Authorization: `token ${TOKEN}` } },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    // Every zip file starts with a local file header, "PK\3\4".
    expect(Buffer.from(await res.arrayBuffer()).subarray(0, 4)).toEqual(
      Buffer.from([0x50, 0x4b, 0x03, 0x04]),
    );
  });

  it('needs an API token for the redirect and a live download token for the download', async () => {
    const api = `${github.standIn.apiUrl}/repos/acme/orders/tarball/main`;
    expect((await fetch(api, { redirect: 'manual' })).status).toBe(401);

    const location = (
      await fetch(api, {
        headers: { Authorization: `token ${TOKEN}` },
        redirect: 'manual',
      })
    ).headers.get('location')!;
    const withoutToken = location.replace(/\?.*$/, '');
    expect((await fetch(withoutToken)).status).toBe(404);
    expect((await fetch(`${withoutToken}?token=guessed`)).status).toBe(404);
    // A token is for the repository it was issued for.
    const otherRepo = location.replace('/acme/orders/', '/acme/empty/');
    expect((await fetch(otherRepo)).status).toBe(404);
  });

  it('answers 404 for an unknown ref or repository', async () => {
    for (const path of ['orders/tarball/no-such-branch', 'nope/tarball/main']) {
      const res = await fetch(`${github.standIn.apiUrl}/repos/acme/${path}`, {
        headers: { Authorization: `token ${TOKEN}` },
        redirect: 'manual',
      });
      expect([path, res.status]).toEqual([path, 404]);
      checker.check('GET', `/repos/acme/${path}`, 404, await res.json());
    }
  });
});

describe('git trees and blobs', () => {
  it('lists a tree, recursively on request, and reads its blobs', async () => {
    const top = await octokit.git.getTree({
      owner: 'acme',
      repo: 'orders',
      tree_sha: 'main',
    });
    expect(top.data.tree.map(e => [e.path, e.type])).toEqual([
      ['catalog-info.yaml', 'blob'],
      ['docs', 'tree'],
      ['mkdocs.yml', 'blob'],
      ['src', 'tree'],
    ]);
    const all = await octokit.git.getTree({
      owner: 'acme',
      repo: 'orders',
      tree_sha: top.data.sha,
      recursive: 'true',
    });
    expect(all.data.truncated).toBe(false);
    const restart = all.data.tree.find(
      e => e.path === 'docs/runbooks/restart.md',
    )!;
    expect(restart).toMatchObject({ type: 'blob', size: 10, mode: '100644' });

    const blob = await octokit.git.getBlob({
      owner: 'acme',
      repo: 'orders',
      file_sha: restart.sha!,
    });
    expect(blob.data.url).toBe(restart.url);
    expect(Buffer.from(blob.data.content, 'base64').toString('utf8')).toBe(
      '# Restart\n',
    );
    await expect(
      octokit.git.getBlob({
        owner: 'acme',
        repo: 'orders',
        file_sha: top.data.sha,
      }),
    ).rejects.toMatchObject({ status: 404 });
  });
});

describe("Backstage's GitHub UrlReader", () => {
  it('reads the tree TechDocs builds from (dir:. of a location on the stand-in)', async () => {
    const sha = await headOf('orders');
    const tree = await reader.readTree(`${web}/acme/orders/tree/main/`);
    expect(tree.etag).toBe(sha);
    const files = await tree.files();
    const contents = Object.fromEntries(
      await Promise.all(
        files.map(async f => [f.path, (await f.content()).toString('utf8')]),
      ),
    );
    expect(Object.keys(contents).sort()).toEqual([
      'catalog-info.yaml',
      'docs/index.md',
      'docs/runbooks/restart.md',
      'mkdocs.yml',
      'src/main.ts',
    ]);
    expect(contents['docs/index.md']).toBe('# Orders\n');

    // TechDocs unpacks the tree into a folder and runs mkdocs there.
    const again = await reader.readTree(`${web}/acme/orders/tree/main/`);
    const dir = await again.dir();
    try {
      expect(await readFile(join(dir, 'mkdocs.yml'), 'utf8')).toContain(
        'site_name: Orders',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads a sub-folder, and a new commit only once it has changed', async () => {
    const docs = await reader.readTree(`${web}/acme/orders/tree/main/docs`);
    expect((await docs.files()).map(f => f.path).sort()).toEqual([
      'index.md',
      'runbooks/restart.md',
    ]);
    await expect(
      reader.readTree(`${web}/acme/orders/tree/main/docs`, {
        etag: docs.etag,
      }),
    ).rejects.toMatchObject({ name: 'NotModifiedError' });

    await github.standIn.commit(
      'acme',
      'orders',
      'main',
      { 'docs/index.md': '# Orders, revised\n' },
      'Revise the docs',
    );
    const changed = await reader.readTree(`${web}/acme/orders/tree/main/docs`, {
      etag: docs.etag,
    });
    expect(changed.etag).toBe(await headOf('orders'));
    const index = (await changed.files()).find(f => f.path === 'index.md')!;
    expect((await index.content()).toString('utf8')).toBe(
      '# Orders, revised\n',
    );
  });

  it('fails with NotFoundError for a ref or repository that does not exist', async () => {
    await expect(
      reader.readTree(`${web}/acme/orders/tree/no-such-branch/`),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(
      reader.readTree(`${web}/acme/nope/tree/main/`),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('reads a file from its blob URL, as the catalog reads catalog-info.yaml', async () => {
    const response = await reader.readUrl(
      `${web}/acme/orders/blob/main/catalog-info.yaml`,
    );
    expect((await response.buffer()).toString('utf8')).toContain(
      'name: orders',
    );
  });

  it('searches with a glob', async () => {
    const result = await reader.search(
      `${web}/acme/orders/blob/main/docs/**/*.md`,
    );
    expect(result.etag).toBe(await headOf('orders'));
    const found = await Promise.all(
      result.files.map(async f => [
        f.url,
        (await f.content()).toString('utf8'),
      ]),
    );
    expect(found.sort()).toEqual([
      [`${web}/acme/orders/blob/main/docs/index.md`, '# Orders, revised\n'],
      [`${web}/acme/orders/blob/main/docs/runbooks/restart.md`, '# Restart\n'],
    ]);
  });
});
