/*
 * Changing a pull request (`PATCH pulls/{n}`: title, body, closing and reopening) and reading
 * it as the issue every pull request also is (`GET issues/{n}`), which is where GitHub says
 * who closed it. Plain issues are not modelled: their numbers answer 404.
 */
import { ApiError, notFound, validationFailed } from './errors';
import { GitHubModel, PullRequest, Repository, timestamp } from './model';
import * as render from './render';
import { Context, Route, ok, route } from './route';

export function pullRequestUpdateRoutes(
  model: GitHubModel,
  urls: render.Urls,
  fullPull: (repo: Repository, pull: PullRequest) => Promise<unknown>,
): Route[] {
  function pullOf(ctx: Context, number: string) {
    const repo = model.repo(ctx.params.owner, ctx.params.repo);
    const pull = repo.pulls.find(p => String(p.number) === number);
    if (!pull) throw notFound();
    return { repo, pull };
  }

  function issueJson(repo: Repository, pull: PullRequest) {
    const api = render.repoApi(urls, repo);
    const url = `${api}/issues/${pull.number}`;
    const htmlUrl = `${render.repoWeb(urls, repo)}/pull/${pull.number}`;
    return {
      id: pull.id,
      node_id: render.nodeId('I', pull.id),
      url,
      repository_url: api,
      labels_url: `${url}/labels{/name}`,
      comments_url: `${url}/comments`,
      events_url: `${url}/events`,
      html_url: htmlUrl,
      number: pull.number,
      state: pull.state,
      state_reason: pull.state === 'closed' ? 'completed' : null,
      title: pull.title,
      body: pull.body,
      user: render.simpleUser(urls, pull.user),
      labels: [],
      assignee: null,
      assignees: [],
      milestone: null,
      locked: false,
      active_lock_reason: null,
      comments: 0,
      pull_request: {
        url: `${api}/pulls/${pull.number}`,
        html_url: htmlUrl,
        diff_url: `${htmlUrl}.diff`,
        patch_url: `${htmlUrl}.patch`,
        merged_at: pull.mergedAt,
      },
      closed_at: pull.closedAt,
      closed_by: pull.closedBy ? render.simpleUser(urls, pull.closedBy) : null,
      created_at: pull.createdAt,
      updated_at: pull.updatedAt,
      draft: pull.draft,
      author_association: 'MEMBER',
    };
  }

  return [
    route(
      'PATCH',
      '/repos/:owner/:repo/pulls/:number',
      'pulls/pulls#update-a-pull-request',
      async ctx => {
        const { repo, pull } = pullOf(ctx, ctx.params.number);
        const body = await ctx.body();
        const { title, state } = body;
        if (title !== undefined && (typeof title !== 'string' || !title)) {
          throw validationFailed({
            resource: 'PullRequest',
            code: 'missing_field',
            field: 'title',
          });
        }
        if (state !== undefined && state !== 'open' && state !== 'closed') {
          throw validationFailed({
            resource: 'PullRequest',
            code: 'invalid',
            field: 'state',
          });
        }
        if (state === 'open' && pull.mergedAt) {
          throw new ApiError(422, 'Cannot reopen a merged pull request', {
            errors: [
              {
                resource: 'PullRequest',
                code: 'custom',
                message: 'state cannot be changed. The pull request is merged.',
              },
            ],
          });
        }
        const now = timestamp();
        if (typeof title === 'string') pull.title = title;
        if (typeof body.body === 'string' || body.body === null) {
          pull.body = body.body as string | null;
        }
        if (state && state !== pull.state) {
          pull.state = state;
          pull.closedAt = state === 'closed' ? now : null;
          pull.closedBy = state === 'closed' ? ctx.user : null;
        }
        pull.updatedAt = now;
        return ok(await fullPull(repo, pull));
      },
    ),
    route(
      'GET',
      '/repos/:owner/:repo/issues/:number',
      'issues/issues#get-an-issue',
      async ctx => {
        const { repo, pull } = pullOf(ctx, ctx.params.number);
        return ok(issueJson(repo, pull));
      },
    ),
  ];
}
