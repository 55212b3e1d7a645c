/*
 * Writing to a repository through the REST API, as a bot does without a clone: creating a
 * branch (`POST git/refs`) and creating, updating or deleting one file per commit (the
 * contents API). Each write is a commit by the token's identity on the named branch.
 */
import { ApiError, notFound, validationFailed } from './errors';
import { GitHubModel, Repository } from './model';
import { GitError } from './repoStore';
import * as render from './render';
import { Context, Reply, Route, route } from './route';

function stringField(
  body: Record<string, unknown>,
  field: string,
): string | undefined {
  const value = body[field];
  return typeof value === 'string' ? value : undefined;
}

export function contentsWriteRoutes(
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

  /** The branch a write goes to and its tip; GitHub answers 404 for a branch that does not exist. */
  async function branchOf(repo: Repository, body: Record<string, unknown>) {
    const branch = stringField(body, 'branch') ?? repo.defaultBranch;
    const tip = await git.resolve(...args(repo), `refs/heads/${branch}`);
    if (!tip) throw notFound(`Branch ${branch} not found`);
    return { branch, tip };
  }

  /** What the contents API answers for a write: the file (null once deleted) and the commit. */
  async function fileCommit(
    repo: Repository,
    branch: string,
    path: string,
    sha: string,
  ) {
    const info = await git.commitInfo(...args(repo), sha);
    const api = render.repoApi(urls, repo);
    const entry = await git.entry(...args(repo), sha, path);
    return {
      content: entry ? render.content(urls, repo, branch, entry) : null,
      commit: {
        sha,
        node_id: render.nodeId('C', sha),
        url: `${api}/git/commits/${sha}`,
        html_url: `${render.repoWeb(urls, repo)}/commit/${sha}`,
        author: info.author,
        committer: info.committer,
        message: info.message,
        tree: { url: `${api}/git/trees/${info.tree}`, sha: info.tree },
        parents: info.parents.map(parent => ({
          url: `${api}/git/commits/${parent}`,
          html_url: `${render.repoWeb(urls, repo)}/commit/${parent}`,
          sha: parent,
        })),
        verification: {
          verified: false,
          reason: 'unsigned',
          signature: null,
          payload: null,
          verified_at: null,
        },
      },
    };
  }

  /** The `sha` a write of an existing file must name, as GitHub checks it. */
  function checkBlobSha(
    body: Record<string, unknown>,
    path: string,
    current: string | undefined,
  ) {
    const sha = stringField(body, 'sha');
    if (current && !sha) {
      throw validationFailed({
        resource: 'Contents',
        code: 'custom',
        field: 'sha',
        message: `"sha" wasn't supplied.`,
      });
    }
    if (sha && current !== sha) {
      throw new ApiError(409, `${path} does not match ${sha}`);
    }
  }

  async function writeFile(ctx: Context, remove: boolean): Promise<Reply> {
    const repo = repoOf(ctx);
    const body = await ctx.body();
    const path = (ctx.params.path ?? '').replace(/^\/+|\/+$/g, '');
    const message = stringField(body, 'message');
    if (!message) {
      throw validationFailed({
        resource: 'Contents',
        code: 'missing_field',
        field: 'message',
      });
    }
    const content = stringField(body, 'content');
    if (!remove && content === undefined) {
      throw validationFailed({
        resource: 'Contents',
        code: 'missing_field',
        field: 'content',
      });
    }
    const { branch, tip } = await branchOf(repo, body);
    const current = await git.entry(...args(repo), tip, path);
    if (current && current.type !== 'blob') {
      throw validationFailed({
        resource: 'Contents',
        code: 'invalid',
        field: 'path',
      });
    }
    if (remove && !current) throw notFound();
    checkBlobSha(body, path, current?.sha);
    // The branch must still be at the tip read above; GitHub answers 409 when a concurrent
    // write moved it. fast-import refuses to move a branch that way.
    const sha = await git
      .commit(
        ...args(repo),
        branch,
        { [path]: remove ? null : Buffer.from(content!, 'base64') },
        message,
        ctx.identity,
      )
      .catch(async error => {
        const now = await git.resolve(...args(repo), `refs/heads/${branch}`);
        if (!(error instanceof GitError) || now === tip) throw error;
        throw new ApiError(409, `is at ${now} but expected ${tip}`);
      });
    model.touchPushed(repo);
    return {
      status: remove || current ? 200 : 201,
      body: await fileCommit(repo, branch, path, sha),
    };
  }

  return [
    route(
      'POST',
      '/repos/:owner/:repo/git/refs',
      'git/refs#create-a-reference',
      async ctx => {
        const repo = repoOf(ctx);
        const body = await ctx.body();
        const ref = stringField(body, 'ref');
        const sha = stringField(body, 'sha');
        if (!ref || !sha) {
          throw validationFailed({
            resource: 'Reference',
            code: 'missing_field',
            field: ref ? 'sha' : 'ref',
          });
        }
        if (!/^refs\/.+\/.+/.test(ref)) {
          throw new ApiError(
            422,
            'Reference name must start with refs/ and have at least two slashes.',
          );
        }
        if ((await git.objectType(...args(repo), sha)) !== 'commit') {
          throw new ApiError(422, 'Object does not exist');
        }
        if (!(await git.createRef(...args(repo), ref, sha))) {
          throw new ApiError(422, 'Reference already exists');
        }
        const api = render.repoApi(urls, repo);
        return {
          status: 201,
          body: {
            ref,
            node_id: render.nodeId('REF', `${repo.id}:${ref}`),
            url: `${api}/git/${ref}`,
            object: { type: 'commit', sha, url: `${api}/git/commits/${sha}` },
          },
        };
      },
    ),
    route(
      'PUT',
      '/repos/:owner/:repo/contents/*path',
      'repos/contents#create-or-update-file-contents',
      ctx => writeFile(ctx, false),
    ),
    route(
      'DELETE',
      '/repos/:owner/:repo/contents/*path',
      'repos/contents#delete-a-file',
      ctx => writeFile(ctx, true),
    ),
  ];
}
