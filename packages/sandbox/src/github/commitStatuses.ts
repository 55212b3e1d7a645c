/*
 * Commit statuses. None are ever reported here, so a commit's combined
 * status is always `pending` with no statuses; Backstage's GitHub
 * UrlReader asks for it only to learn the commit a ref names and the
 * repository's `archive_url`.
 */
import { ApiError, notFound } from './errors';
import { GitHubModel } from './model';
import * as render from './render';
import { Route, ok, route } from './route';

export function commitStatusRoutes(
  model: GitHubModel,
  urls: render.Urls,
): Route[] {
  return [
    route(
      'GET',
      '/repos/:owner/:repo/commits/*ref/status',
      'commits/statuses#get-the-combined-status-for-a-specific-reference',
      async ctx => {
        const repo = model.repo(ctx.params.owner, ctx.params.repo);
        const [owner, name] = [repo.owner.login, repo.name];
        const ref = ctx.params.ref;
        if ((await model.git.branches(owner, name)).length === 0)
          throw new ApiError(409, 'Git Repository is empty.');
        const sha = await model.git.resolve(owner, name, ref);
        // GitHub tells a missing commit (422) from a name that matches no branch or tag (404).
        if (!sha && /^[0-9a-f]{40}$/i.test(ref))
          throw new ApiError(422, `No commit found for SHA: ${ref}`);
        if (!sha) throw notFound('Ref not found');
        const api = `${urls.api}/repos/${owner}/${name}`;
        return ok({
          state: 'pending',
          statuses: [],
          sha,
          total_count: 0,
          repository: render.repository(urls, repo),
          commit_url: `${api}/commits/${sha}`,
          url: `${api}/commits/${sha}/status`,
        });
      },
    ),
  ];
}
