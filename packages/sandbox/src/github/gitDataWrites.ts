/*
 * Writing git data through the REST API, as a client that commits several files at once
 * without a clone does (the scaffolder's `publish:github:pull-request`, through
 * octokit-plugin-create-pull-request): blobs, a tree on a base tree, a commit of that tree, and
 * moving a branch to it. Objects are written into the real bare repository; only the ref
 * update makes a commit reachable, as on GitHub.
 */
import { ApiError, notFound, validationFailed } from './errors';
import { treeJson } from './gitData';
import { GitHubModel, Repository } from './model';
import * as render from './render';
import { Context, Route, ok, route } from './route';

const MODES = new Set(['100644', '100755', '040000', '160000', '120000']);
const SHA = /^[0-9a-f]{40}$/;

function typeOfMode(mode: string): 'blob' | 'tree' | 'commit' {
  if (mode === '040000') return 'tree';
  return mode === '160000' ? 'commit' : 'blob';
}

interface TreeItem {
  path: string;
  mode: string;
  type?: 'blob' | 'tree' | 'commit';
  sha?: string | null;
  content?: string;
}

export function gitDataWriteRoutes(
  model: GitHubModel,
  urls: render.Urls,
): Route[] {
  const git = model.git;
  const repoOf = (ctx: Context) =>
    model.repo(ctx.params.owner, ctx.params.repo);
  const args = (repo: Repository): [string, string] => [
    repo.owner.login,
    repo.name,
  ];
  const api = (repo: Repository) => render.repoApi(urls, repo);

  /** A commit as the git data API shows it (not the richer `GET commits/{ref}`). */
  async function gitCommit(repo: Repository, sha: string) {
    const info = await git.commitInfo(...args(repo), sha);
    const web = render.repoWeb(urls, repo);
    return {
      sha,
      node_id: render.nodeId('C', sha),
      url: `${api(repo)}/git/commits/${sha}`,
      html_url: `${web}/commit/${sha}`,
      author: info.author,
      committer: info.committer,
      message: info.message,
      tree: { sha: info.tree, url: `${api(repo)}/git/trees/${info.tree}` },
      parents: info.parents.map(p => ({
        sha: p,
        url: `${api(repo)}/git/commits/${p}`,
        html_url: `${web}/commit/${p}`,
      })),
      verification: {
        verified: false,
        reason: 'unsigned',
        signature: null,
        payload: null,
        verified_at: null,
      },
    };
  }

  async function treeItems(
    repo: Repository,
    body: Record<string, unknown>,
  ): Promise<{ path: string; mode: string; sha: string | null }[]> {
    if (!Array.isArray(body.tree)) {
      throw validationFailed({
        resource: 'Tree',
        code: 'missing_field',
        field: 'tree',
      });
    }
    const items: { path: string; mode: string; sha: string | null }[] = [];
    for (const raw of body.tree as TreeItem[]) {
      if (
        typeof raw?.path !== 'string' ||
        !raw.path ||
        raw.path.startsWith('/') ||
        !MODES.has(raw.mode)
      ) {
        throw new ApiError(
          422,
          `tree.path and tree.mode must be a relative path and one of ${[
            ...MODES,
          ].join(', ')}`,
        );
      }
      if (typeof raw.content === 'string') {
        items.push({
          path: raw.path,
          mode: raw.mode,
          sha: await git.writeBlob(
            ...args(repo),
            Buffer.from(raw.content, 'utf8'),
          ),
        });
      } else if (raw.sha === null) {
        items.push({ path: raw.path, mode: raw.mode, sha: null });
      } else {
        // Clients may leave `type` out; the mode says it.
        const type = raw.type ?? typeOfMode(raw.mode);
        if (
          typeof raw.sha !== 'string' ||
          !SHA.test(raw.sha) ||
          (await git.objectType(...args(repo), raw.sha)) !== type
        ) {
          throw new ApiError(422, `tree.sha ${raw.sha} is not a valid ${type}`);
        }
        items.push({ path: raw.path, mode: raw.mode, sha: raw.sha });
      }
    }
    return items;
  }

  return [
    route(
      'POST',
      '/repos/:owner/:repo/git/blobs',
      'git/blobs#create-a-blob',
      async ctx => {
        const repo = repoOf(ctx);
        const body = await ctx.body();
        if (typeof body.content !== 'string') {
          throw validationFailed({
            resource: 'Blob',
            code: 'missing_field',
            field: 'content',
          });
        }
        const encoding = body.encoding ?? 'utf-8';
        if (encoding !== 'utf-8' && encoding !== 'base64') {
          throw new ApiError(422, 'encoding must be "utf-8" or "base64"');
        }
        const sha = await git.writeBlob(
          ...args(repo),
          Buffer.from(body.content, encoding === 'base64' ? 'base64' : 'utf8'),
        );
        return {
          status: 201,
          body: { sha, url: `${api(repo)}/git/blobs/${sha}` },
        };
      },
    ),

    route(
      'POST',
      '/repos/:owner/:repo/git/trees',
      'git/trees#create-a-tree',
      async ctx => {
        const repo = repoOf(ctx);
        const body = await ctx.body();
        let base: string | undefined;
        if (body.base_tree !== undefined) {
          base =
            typeof body.base_tree === 'string'
              ? await git.resolve(...args(repo), body.base_tree, 'tree')
              : undefined;
          if (!base) throw new ApiError(422, 'base_tree is not a valid tree');
        }
        const sha = await git.writeTree(
          ...args(repo),
          base,
          await treeItems(repo, body),
        );
        const entries = await git.list(...args(repo), sha, '');
        return { status: 201, body: treeJson(api(repo), sha, entries) };
      },
    ),

    route(
      'POST',
      '/repos/:owner/:repo/git/commits',
      'git/commits#create-a-commit',
      async ctx => {
        const repo = repoOf(ctx);
        const body = await ctx.body();
        const { message, tree } = body;
        const parents = body.parents ?? [];
        if (typeof message !== 'string' || typeof tree !== 'string') {
          throw validationFailed({
            resource: 'Commit',
            code: 'missing_field',
            field: typeof message === 'string' ? 'tree' : 'message',
          });
        }
        if ((await git.objectType(...args(repo), tree)) !== 'tree') {
          throw new ApiError(422, 'Tree SHA does not exist');
        }
        if (
          !Array.isArray(parents) ||
          !(await Promise.all(
            parents.map(
              async p =>
                typeof p === 'string' &&
                (await git.objectType(...args(repo), p)) === 'commit',
            ),
          ).then(all => all.every(Boolean)))
        ) {
          throw new ApiError(
            422,
            'Parent SHA does not exist or is not a commit object',
          );
        }
        const author = body.author as
          | { name?: string; email?: string }
          | undefined;
        const sha = await git.writeCommit(
          ...args(repo),
          tree,
          parents as string[],
          message,
          author?.name && author.email
            ? { name: author.name, email: author.email }
            : ctx.identity,
        );
        return { status: 201, body: await gitCommit(repo, sha) };
      },
    ),

    route(
      'GET',
      '/repos/:owner/:repo/git/commits/:commit_sha',
      'git/commits#get-a-commit-object',
      async ctx => {
        const repo = repoOf(ctx);
        const sha = ctx.params.commit_sha;
        if (
          !SHA.test(sha) ||
          (await git.objectType(...args(repo), sha)) !== 'commit'
        ) {
          throw notFound();
        }
        return ok(await gitCommit(repo, sha));
      },
    ),

    route(
      'PATCH',
      '/repos/:owner/:repo/git/refs/*ref',
      'git/refs#update-a-reference',
      async ctx => {
        const repo = repoOf(ctx);
        const body = await ctx.body();
        const ref = `refs/${ctx.params.ref}`;
        if (typeof body.sha !== 'string') {
          throw validationFailed({
            resource: 'Reference',
            code: 'missing_field',
            field: 'sha',
          });
        }
        if ((await git.objectType(...args(repo), body.sha)) !== 'commit') {
          throw new ApiError(422, 'Object does not exist');
        }
        const moved = await git.moveRef(
          ...args(repo),
          ref,
          body.sha,
          body.force === true,
        );
        if (moved === 'missing') throw notFound('Reference does not exist');
        if (moved === 'not-fast-forward') {
          throw new ApiError(422, 'Update is not a fast forward');
        }
        model.touchPushed(repo);
        return ok({
          ref,
          node_id: render.nodeId('REF', `${repo.id}:${ref}`),
          url: `${api(repo)}/git/${ref}`,
          object: {
            type: 'commit',
            sha: body.sha,
            url: `${api(repo)}/git/commits/${body.sha}`,
          },
        });
      },
    ),
  ];
}
