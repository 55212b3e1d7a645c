/*
 * Team access to repositories: a team of the repository's organization
 * holds one permission on it (pull, triage, push, maintain or admin), as
 * Backstage's `publish:github` grants with `access: org/team`. Stored and
 * shown; like every permission here, not enforced.
 */
import { ApiError } from './errors';
import {
  GitHubModel,
  Organization,
  REPO_PERMISSIONS,
  RepoPermission,
  Team,
} from './model';
import * as render from './render';
import { Context, Reply, Route, route } from './route';

/** The stand-in's paged list answer (per_page, page, Link header). */
type ListReply = <T>(
  ctx: Context,
  items: T[],
  toJson: (item: T) => unknown,
) => Reply;

export function teamRepositoryRoutes(
  model: GitHubModel,
  urls: render.Urls,
  list: ListReply,
): Route[] {
  /** The organization, team and repository a route names; GitHub answers 404 for any that is missing. */
  function named(ctx: Context) {
    const org = model.org(ctx.params.org);
    const team = model.team(org.login, ctx.params.team_slug);
    const repo = model.repo(ctx.params.owner, ctx.params.repo);
    return { org, team, repo };
  }

  return [
    route(
      'PUT',
      '/orgs/:org/teams/:team_slug/repos/:owner/:repo',
      'teams/teams#add-or-update-team-repository-permissions',
      async ctx => {
        const { org, team, repo } = named(ctx);
        // Without one, GitHub grants the team's default permission, which is pull.
        const permission = (await ctx.body()).permission ?? 'pull';
        // GitHub answers an unknown permission, or a repository its organization does not own, with a bare 422.
        if (
          !REPO_PERMISSIONS.includes(permission as RepoPermission) ||
          repo.owner !== org
        ) {
          throw new ApiError(422, 'Validation Failed');
        }
        repo.teams.set(team.slug.toLowerCase(), permission as RepoPermission);
        return { status: 204 };
      },
    ),

    route(
      'DELETE',
      '/orgs/:org/teams/:team_slug/repos/:owner/:repo',
      'teams/teams#remove-a-repository-from-a-team',
      async ctx => {
        const { team, repo } = named(ctx);
        repo.teams.delete(team.slug.toLowerCase());
        return { status: 204 };
      },
    ),

    route(
      'GET',
      '/repos/:owner/:repo/teams',
      'repos/repos#list-repository-teams',
      async ctx => {
        const repo = model.repo(ctx.params.owner, ctx.params.repo);
        const org = repo.owner as Organization;
        const teams = [...repo.teams]
          .map(([slug, permission]) => ({
            team: org.teams?.get(slug),
            permission,
          }))
          .filter((t): t is { team: Team; permission: RepoPermission } =>
            Boolean(t.team),
          )
          .sort((a, b) => a.team.name.localeCompare(b.team.name));
        return list(ctx, teams, t =>
          render.repositoryTeam(urls, org, t.team, t.permission),
        );
      },
    ),
  ];
}
