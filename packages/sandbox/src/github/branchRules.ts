/*
 * Rules that rulesets apply to a branch. The stand-in has no rulesets (its
 * `GET /repos/{o}/{r}/rulesets` lists none), so every branch has no rules:
 * review requirements come from classic branch protection only, which
 * scorecards read through this route as they would on GitHub.
 */
import { GitHubModel } from './model';
import { Route, ok, route } from './route';

export function branchRuleRoutes(model: GitHubModel): Route[] {
  return [
    route(
      'GET',
      '/repos/:owner/:repo/rules/branches/*branch',
      'repos/rules#get-rules-for-a-branch',
      async ctx => {
        // Like GitHub, the branch need not exist; the repository must.
        model.repo(ctx.params.owner, ctx.params.repo);
        return ok([]);
      },
    ),
  ];
}
