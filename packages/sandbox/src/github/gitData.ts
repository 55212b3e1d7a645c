/*
 * Read-only git data: trees (`recursive` lists every entry below) and
 * blobs, straight from the bare repository. Backstage's GitHub UrlReader
 * lists a tree to answer a glob `search` and then reads the matching blobs.
 */
import { notFound } from './errors';
import { GitHubModel } from './model';
import * as render from './render';
import { TreeEntry } from './repoStore';
import { Route, ok, route } from './route';

/** A tree as the git data API answers it (`GET` and `POST git/trees`); `api` is the repo's API URL. */
export function treeJson(api: string, sha: string, entries: TreeEntry[]) {
  return {
    sha,
    url: `${api}/git/trees/${sha}`,
    tree: entries.map(entry => ({
      path: entry.path,
      mode: entry.mode,
      type: entry.type,
      sha: entry.sha,
      ...(entry.type === 'blob' ? { size: entry.size } : {}),
      // Submodule entries name a commit of another repository: no URL here.
      ...(entry.type === 'commit'
        ? {}
        : { url: `${api}/git/${entry.type}s/${entry.sha}` }),
    })),
    truncated: false,
  };
}

export function gitDataRoutes(model: GitHubModel, urls: render.Urls): Route[] {
  const git = model.git;

  return [
    route(
      'GET',
      '/repos/:owner/:repo/git/trees/*tree_sha',
      'git/trees#get-a-tree',
      async ctx => {
        const repo = model.repo(ctx.params.owner, ctx.params.repo);
        const [owner, name] = [repo.owner.login, repo.name];
        // Like GitHub, takes a tree's sha or anything naming a commit (a commit sha, branch or tag).
        const sha = await git.resolve(owner, name, ctx.params.tree_sha, 'tree');
        if (!sha) throw notFound();
        // GitHub treats any value of `recursive` as on, even "false" or "0".
        const entries =
          ctx.query.get('recursive') !== null
            ? await git.walk(owner, name, sha)
            : await git.list(owner, name, sha, '');
        return ok(treeJson(`${urls.api}/repos/${owner}/${name}`, sha, entries));
      },
    ),

    route(
      'GET',
      '/repos/:owner/:repo/git/blobs/:file_sha',
      'git/blobs#get-a-blob',
      async ctx => {
        const repo = model.repo(ctx.params.owner, ctx.params.repo);
        const [owner, name] = [repo.owner.login, repo.name];
        const sha = ctx.params.file_sha;
        if ((await git.objectType(owner, name, sha)) !== 'blob')
          throw notFound();
        const bytes = await git.blob(owner, name, sha);
        if (ctx.media === 'raw') return { status: 200, raw: bytes };
        return ok({
          sha,
          node_id: `B_${Buffer.from(`${repo.id}:${sha}`).toString(
            'base64url',
          )}`,
          size: bytes.length,
          url: `${urls.api}/repos/${owner}/${name}/git/blobs/${sha}`,
          // GitHub wraps the base64 text at 60 characters.
          content: `${bytes.toString('base64').replace(/.{60}/g, '$&\n')}\n`,
          encoding: 'base64',
        });
      },
    ),
  ];
}
