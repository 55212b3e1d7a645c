/*
 * The REST endpoints: each route names its method, its path under /api/v3,
 * the page of GitHub's docs that error bodies point at, and a handler that
 * answers from the model and the bare repositories.
 */
import { branchRuleRoutes } from './branchRules';
import { commitStatusRoutes } from './commitStatuses';
import { ApiError, notFound, validationFailed } from './errors';
import { contentsWriteRoutes } from './contentsWrites';
import { gitDataRoutes } from './gitData';
import { gitDataWriteRoutes } from './gitDataWrites';
import {
  Account,
  BranchProtectionSettings,
  GitHubModel,
  Organization,
  PullRequest,
  Repository,
  Visibility,
  timestamp,
} from './model';
import * as render from './render';
import { Context, Reply, Route, ok, route } from './route';
import { pullRequestUpdateRoutes } from './pullRequestUpdates';
import { teamRepositoryRoutes } from './teamRepositories';

export type { Context, MediaParam, Reply } from './route';

function string(
  body: Record<string, unknown>,
  field: string,
): string | undefined {
  const value = body[field];
  return typeof value === 'string' ? value : undefined;
}

function missingField(resource: string, field: string): ApiError {
  return validationFailed({ resource, code: 'missing_field', field });
}

export function buildRoutes(model: GitHubModel, urls: render.Urls): Route[] {
  const git = model.git;

  const publicRepoCount = (account: Account) =>
    model
      .allRepos()
      .filter(r => r.owner === account && r.visibility === 'public').length;

  /** Slices a list per `per_page`/`page` and adds GitHub's Link header. */
  function paginate<T>(
    ctx: Context,
    items: T[],
    linkPath = ctx.path,
  ): { items: T[]; headers: Record<string, string> } {
    const perPage = Math.min(
      Math.max(Number(ctx.query.get('per_page')) || 30, 1),
      100,
    );
    const page = Math.max(Number(ctx.query.get('page')) || 1, 1);
    const last = Math.max(Math.ceil(items.length / perPage), 1);
    const pageUrl = (n: number) => {
      const query = new URLSearchParams(ctx.query);
      query.delete('page');
      query.append('page', String(n));
      return `<${urls.api}${linkPath}?${query}>`;
    };
    const links: string[] = [];
    if (page > 1)
      links.push(`${pageUrl(Math.min(page - 1, last))}; rel="prev"`);
    if (page < last)
      links.push(
        `${pageUrl(page + 1)}; rel="next"`,
        `${pageUrl(last)}; rel="last"`,
      );
    if (page > 1) links.push(`${pageUrl(1)}; rel="first"`);
    return {
      items: items.slice((page - 1) * perPage, page * perPage),
      headers: links.length ? { Link: links.join(', ') } : {},
    };
  }

  function list<T>(
    ctx: Context,
    items: T[],
    toJson: (item: T) => unknown,
    linkPath?: string,
  ): Reply {
    const page = paginate(ctx, items, linkPath);
    return ok(page.items.map(toJson), page.headers);
  }

  function repoOf(ctx: Context): Repository {
    return model.repo(ctx.params.owner, ctx.params.repo);
  }

  const gitArgs = (repo: Repository): [string, string] => [
    repo.owner.login,
    repo.name,
  ];

  /** The commit a `ref`/`sha` parameter names, the default branch without one. */
  async function commitOf(
    repo: Repository,
    ref: string | null,
  ): Promise<string> {
    const sha = await git.resolve(...gitArgs(repo), ref || repo.defaultBranch);
    if (sha) return sha;
    if (!ref && (await git.branches(...gitArgs(repo))).length === 0) {
      throw notFound('This repository is empty.');
    }
    throw notFound(`No commit found for the ref ${ref ?? repo.defaultBranch}`);
  }

  function sortRepos(
    ctx: Context,
    repos: Repository[],
    defaultSort: string,
  ): Repository[] {
    const sort = ctx.query.get('sort') ?? defaultSort;
    const direction =
      ctx.query.get('direction') ?? (sort === 'full_name' ? 'asc' : 'desc');
    const keyOf = (repo: Repository): string | number =>
      ({
        created: repo.createdAt,
        updated: repo.updatedAt,
        pushed: repo.pushedAt,
      }[sort] ?? `${repo.owner.login}/${repo.name}`.toLowerCase());
    // Ids break ties between repositories created in the same second.
    const sorted = [...repos].sort((a, b) => {
      const [ka, kb] = [keyOf(a), keyOf(b)];
      if (ka === kb) return a.id - b.id;
      return ka < kb ? -1 : 1;
    });
    return direction === 'desc' ? sorted.reverse() : sorted;
  }

  function filterVisibility(
    repos: Repository[],
    type: string | null,
  ): Repository[] {
    if (type === 'public') return repos.filter(r => r.visibility === 'public');
    if (type === 'private') return repos.filter(r => r.visibility !== 'public');
    return repos;
  }

  function teamJson(
    org: Organization,
    slug: string,
  ): Record<string, unknown> | undefined {
    const found = org.teams.get(slug.toLowerCase());
    return found ? render.team(urls, org, found) : undefined;
  }

  function protectionJson(
    repo: Repository,
    branch: string,
    settings: BranchProtectionSettings,
  ) {
    return render.branchProtection(urls, repo, branch, settings, {
      user: login => model.user(login),
      team: slug =>
        repo.owner.type === 'Organization'
          ? teamJson(repo.owner as Organization, slug)
          : undefined,
    });
  }

  async function branchTip(repo: Repository, branch: string): Promise<string> {
    const sha = await git.resolve(...gitArgs(repo), `refs/heads/${branch}`);
    if (!sha) throw notFound('Branch not found');
    return sha;
  }

  function pullOf(repo: Repository, number: string): PullRequest {
    const pull = repo.pulls.find(p => String(p.number) === number);
    if (!pull) throw notFound();
    return pull;
  }

  async function pullShas(
    repo: Repository,
    pull: PullRequest,
  ): Promise<{ head: string; base: string }> {
    const head =
      pull.mergedHeadSha ??
      (await git.resolve(...gitArgs(repo), `refs/heads/${pull.head}`)) ??
      '';
    const base =
      (await git.resolve(...gitArgs(repo), `refs/heads/${pull.base}`)) ?? '';
    return { head, base };
  }

  /** Why branch protection forbids merging into a branch, if it does. */
  function mergeBlocker(repo: Repository, base: string): string | undefined {
    const protection = repo.protections.get(base);
    const reviews = protection?.required_pull_request_reviews;
    if (reviews) {
      const count = reviews.required_approving_review_count ?? 1;
      return `At least ${count} approving review${
        count === 1 ? ' is' : 's are'
      } required by reviewers with write access.`;
    }
    const context = protection?.required_status_checks?.contexts?.[0];
    if (context) return `Required status check "${context}" is expected.`;
    return undefined;
  }

  async function fullPull(repo: Repository, pull: PullRequest) {
    const shas = await pullShas(repo, pull);
    const open = pull.state === 'open';
    const [owner, name] = gitArgs(repo);
    const mergeable = open
      ? (await git.mergeTree(owner, name, shas.base, shas.head)) !== undefined
      : null;
    const stat = await git.diffStat(owner, name, shas.base, shas.head);
    let mergeableState = 'unknown';
    if (open && !mergeable) mergeableState = 'dirty';
    else if (open)
      mergeableState = mergeBlocker(repo, pull.base) ? 'blocked' : 'clean';
    return {
      ...render.pullRequest(urls, repo, pull, shas),
      merged: pull.mergedAt !== null,
      mergeable,
      rebaseable: false,
      mergeable_state: mergeableState,
      merged_by: pull.mergedBy ? render.simpleUser(urls, pull.mergedBy) : null,
      comments: 0,
      review_comments: 0,
      maintainer_can_modify: false,
      commits: pull.mergedAt
        ? 0
        : await git.countCommits(owner, name, `${shas.base}..${shas.head}`),
      additions: stat.additions,
      deletions: stat.deletions,
      changed_files: stat.files,
    };
  }

  const commitJson =
    (repo: Repository) => (c: Parameters<typeof render.commit>[2]) =>
      render.commit(urls, repo, c, email => model.userByEmail(email));

  return [
    ...teamRepositoryRoutes(model, urls, list),
    // Before `commits/*ref`, which would take `{ref}/status` for a ref.
    ...commitStatusRoutes(model, urls),
    ...gitDataRoutes(model, urls),
    ...gitDataWriteRoutes(model, urls),
    ...contentsWriteRoutes(model, urls),
    ...pullRequestUpdateRoutes(model, urls, fullPull),
    ...branchRuleRoutes(model),

    route(
      'GET',
      '/user',
      'users/users#get-the-authenticated-user',
      async ctx => {
        const privateCount = model
          .allRepos()
          .filter(
            r => r.owner === ctx.user && r.visibility !== 'public',
          ).length;
        return ok(
          render.privateUser(
            urls,
            ctx.user,
            publicRepoCount(ctx.user),
            privateCount,
          ),
        );
      },
    ),

    route('GET', '/users/:username', 'users/users#get-a-user', async ctx => {
      const account = model.account(ctx.params.username);
      return ok(render.publicUser(urls, account, publicRepoCount(account)));
    }),

    route('GET', '/orgs/:org', 'orgs/orgs#get-an-organization', async ctx => {
      const org = model.org(ctx.params.org);
      return ok(render.organization(urls, org, publicRepoCount(org)));
    }),

    route(
      'GET',
      '/orgs/:org/members',
      'orgs/members#list-organization-members',
      async ctx => {
        const role = ctx.query.get('role') ?? 'all';
        const members = [...model.org(ctx.params.org).members.values()]
          .filter(m => role === 'all' || m.role === role)
          .map(m => m.user)
          .sort((a, b) => a.id - b.id);
        return list(ctx, members, user => render.simpleUser(urls, user));
      },
    ),

    route('GET', '/orgs/:org/teams', 'teams/teams#list-teams', async ctx => {
      const org = model.org(ctx.params.org);
      const teams = [...org.teams.values()].sort((a, b) =>
        a.name.localeCompare(b.name),
      );
      return list(ctx, teams, t => render.team(urls, org, t));
    }),

    route(
      'GET',
      '/orgs/:org/teams/:slug',
      'teams/teams#get-a-team-by-name',
      async ctx => {
        const org = model.org(ctx.params.org);
        const value = model.team(org.login, ctx.params.slug);
        const repoCount = model
          .allRepos()
          .filter(r => r.teams.has(value.slug.toLowerCase())).length;
        return ok(
          render.fullTeam(urls, org, value, repoCount, publicRepoCount(org)),
        );
      },
    ),

    route(
      'GET',
      '/orgs/:org/teams/:slug/members',
      'teams/members#list-team-members',
      async ctx => {
        const org = model.org(ctx.params.org);
        const top = model.team(org.login, ctx.params.slug);
        const role = ctx.query.get('role') ?? 'all';
        // As on GitHub, the list includes the members of child teams.
        const teams = [top];
        for (const candidate of teams) {
          teams.push(
            ...[...org.teams.values()].filter(t => t.parent === candidate),
          );
        }
        const logins = new Set<string>();
        for (const t of teams) {
          for (const [login, teamRole] of t.members) {
            if (role === 'all' || role === teamRole) logins.add(login);
          }
        }
        const users = [...logins]
          .map(login => model.user(login))
          .sort((a, b) => a.id - b.id);
        return list(ctx, users, user => render.simpleUser(urls, user));
      },
    ),

    route(
      'GET',
      '/orgs/:org/repos',
      'repos/repos#list-organization-repositories',
      async ctx => {
        const org = model.org(ctx.params.org);
        const repos = model.allRepos().filter(r => r.owner === org);
        const sorted = sortRepos(
          ctx,
          filterVisibility(repos, ctx.query.get('type')),
          'created',
        );
        // GitHub's Link header points at the organization by id.
        return list(
          ctx,
          sorted,
          r => render.repository(urls, r),
          `/organizations/${org.id}/repos`,
        );
      },
    ),

    route(
      'GET',
      '/organizations/:id/repos',
      'repos/repos#list-organization-repositories',
      async ctx => {
        const org = model.accountById(Number(ctx.params.id));
        const repos = model.allRepos().filter(r => r.owner === org);
        const sorted = sortRepos(
          ctx,
          filterVisibility(repos, ctx.query.get('type')),
          'created',
        );
        return list(ctx, sorted, r => render.repository(urls, r));
      },
    ),

    route(
      'POST',
      '/orgs/:org/repos',
      'repos/repos#create-an-organization-repository',
      async ctx => {
        const org = model.org(ctx.params.org);
        const body = await ctx.body();
        const name = string(body, 'name');
        if (!name) throw missingField('Repository', 'name');
        const visibility = string(body, 'visibility') as Visibility | undefined;
        const description = string(body, 'description');
        const repo = await model.createRepo(org.login, name, {
          description,
          homepage: string(body, 'homepage'),
          visibility:
            visibility ?? (body.private === true ? 'private' : 'public'),
          author: ctx.identity,
        });
        if (body.auto_init === true) {
          await model.commit(
            org.login,
            name,
            repo.defaultBranch,
            {
              'README.md': `# ${name}\n${
                description ? `${description}\n` : ''
              }`,
            },
            'Initial commit',
            ctx.identity,
          );
        }
        return {
          status: 201,
          body: render.repository(urls, repo, { full: true }),
        };
      },
    ),

    route(
      'GET',
      '/user/repos',
      'repos/repos#list-repositories-for-the-authenticated-user',
      async ctx => {
        const repos = filterVisibility(
          model.allRepos(),
          ctx.query.get('visibility'),
        );
        return list(ctx, sortRepos(ctx, repos, 'full_name'), r =>
          render.repository(urls, r),
        );
      },
    ),

    route(
      'GET',
      '/repos/:owner/:repo',
      'repos/repos#get-a-repository',
      async ctx => ok(render.repository(urls, repoOf(ctx), { full: true })),
    ),

    route(
      'GET',
      '/repos/:owner/:repo/topics',
      'repos/repos#get-all-repository-topics',
      async ctx => ok({ names: repoOf(ctx).topics }),
    ),

    route(
      'PUT',
      '/repos/:owner/:repo/topics',
      'repos/repos#replace-all-repository-topics',
      async ctx => {
        const repo = repoOf(ctx);
        const names = (await ctx.body()).names;
        if (!Array.isArray(names)) throw missingField('Repository', 'names');
        const invalid = names.find(
          n => typeof n !== 'string' || !/^[a-z0-9][a-z0-9-]{0,49}$/.test(n),
        );
        if (invalid !== undefined) {
          throw new ApiError(422, 'Invalid topics', {
            errors: [
              {
                resource: 'Repository',
                code: 'invalid',
                field: 'topics',
                message: `${invalid} is not a valid topic`,
              },
            ],
          });
        }
        repo.topics = [...new Set(names as string[])];
        repo.updatedAt = timestamp();
        return ok({ names: repo.topics });
      },
    ),

    route(
      'GET',
      '/repos/:owner/:repo/contents',
      'repos/contents#get-repository-content',
      contents,
    ),
    route(
      'GET',
      '/repos/:owner/:repo/contents/*path',
      'repos/contents#get-repository-content',
      contents,
    ),

    route(
      'GET',
      '/repos/:owner/:repo/readme',
      'repos/contents#get-a-repository-readme',
      async ctx => {
        const repo = repoOf(ctx);
        const ref = ctx.query.get('ref');
        const sha = await commitOf(repo, ref);
        // GitHub looks in .github/ first, then the root, then docs/.
        for (const directory of ['.github', '', 'docs']) {
          const dir = await git.entry(...gitArgs(repo), sha, directory);
          if (dir?.type !== 'tree') continue;
          const entries = await git.list(...gitArgs(repo), dir.sha, directory);
          const readme = entries.find(
            e =>
              e.type === 'blob' &&
              /^readme(\.|$)/i.test(e.path.split('/').pop()!),
          );
          if (!readme) continue;
          const bytes = await git.blob(...gitArgs(repo), readme.sha);
          if (ctx.media === 'raw') return { status: 200, raw: bytes };
          return ok(
            render.content(
              urls,
              repo,
              ref ?? repo.defaultBranch,
              readme,
              bytes,
            ),
          );
        }
        throw notFound();
      },
    ),

    route(
      'GET',
      '/repos/:owner/:repo/branches',
      'branches/branches#list-branches',
      async ctx => {
        const repo = repoOf(ctx);
        const wanted = ctx.query.get('protected');
        const branches = (await git.branches(...gitArgs(repo))).filter(
          b =>
            wanted === null || String(repo.protections.has(b.name)) === wanted,
        );
        return list(ctx, branches, b => {
          const protection = repo.protections.get(b.name);
          const api = `${urls.api}/repos/${repo.owner.login}/${repo.name}`;
          return {
            name: b.name,
            commit: { sha: b.sha, url: `${api}/commits/${b.sha}` },
            protected: Boolean(protection),
            protection: {
              enabled: Boolean(protection),
              required_status_checks: {
                enforcement_level: protection?.required_status_checks
                  ? 'non_admins'
                  : 'off',
                contexts: protection?.required_status_checks?.contexts ?? [],
                checks: (
                  protection?.required_status_checks?.contexts ?? []
                ).map(context => ({ context, app_id: null })),
              },
            },
            protection_url: `${api}/branches/${encodeURIComponent(
              b.name,
            )}/protection`,
          };
        });
      },
    ),

    route(
      'GET',
      '/repos/:owner/:repo/branches/*branch/protection',
      'branches/branch-protection#get-branch-protection',
      async ctx => {
        const repo = repoOf(ctx);
        await branchTip(repo, ctx.params.branch);
        const settings = repo.protections.get(ctx.params.branch);
        if (!settings) throw notFound('Branch not protected');
        return ok(protectionJson(repo, ctx.params.branch, settings));
      },
    ),

    route(
      'PUT',
      '/repos/:owner/:repo/branches/*branch/protection',
      'branches/branch-protection#update-branch-protection',
      async ctx => {
        const repo = repoOf(ctx);
        const body = await ctx.body();
        for (const field of [
          'required_status_checks',
          'enforce_admins',
          'required_pull_request_reviews',
          'restrictions',
        ]) {
          if (!(field in body))
            throw new ApiError(
              422,
              `Invalid request.\n\n"${field}" wasn't supplied.`,
            );
        }
        const settings = await model.protectBranch(
          repo.owner.login,
          repo.name,
          ctx.params.branch,
          body as BranchProtectionSettings,
        );
        return ok(protectionJson(repo, ctx.params.branch, settings));
      },
    ),

    route(
      'DELETE',
      '/repos/:owner/:repo/branches/*branch/protection',
      'branches/branch-protection#delete-branch-protection',
      async ctx => {
        const repo = repoOf(ctx);
        await branchTip(repo, ctx.params.branch);
        if (!repo.protections.delete(ctx.params.branch))
          throw notFound('Branch not protected');
        return { status: 204 };
      },
    ),

    route(
      'GET',
      '/repos/:owner/:repo/branches/*branch',
      'branches/branches#get-a-branch',
      async ctx => {
        const repo = repoOf(ctx);
        const branch = ctx.params.branch;
        const sha = await branchTip(repo, branch);
        const settings = repo.protections.get(branch);
        const protection = settings
          ? protectionJson(repo, branch, settings)
          : {
              enabled: false,
              required_status_checks: {
                enforcement_level: 'off',
                contexts: [],
                checks: [],
              },
            };
        const api = `${urls.api}/repos/${repo.owner.login}/${repo.name}`;
        return ok({
          name: branch,
          commit: commitJson(repo)(await git.commitInfo(...gitArgs(repo), sha)),
          _links: {
            self: `${api}/branches/${encodeURIComponent(branch)}`,
            html: `${urls.web}/${repo.owner.login}/${repo.name}/tree/${branch}`,
          },
          protected: Boolean(settings),
          protection,
          protection_url: `${api}/branches/${encodeURIComponent(
            branch,
          )}/protection`,
        });
      },
    ),

    route(
      'GET',
      '/repos/:owner/:repo/rulesets',
      'repos/rules#get-all-repository-rulesets',
      async ctx => {
        repoOf(ctx);
        return ok([]);
      },
    ),

    route(
      'GET',
      '/repos/:owner/:repo/git/ref/*ref',
      'git/refs#get-a-reference',
      async ctx => {
        const repo = repoOf(ctx);
        const name = `refs/${ctx.params.ref}`;
        const target = await git.ref(...gitArgs(repo), name);
        if (!target) throw notFound();
        const api = `${urls.api}/repos/${repo.owner.login}/${repo.name}`;
        return ok({
          ref: name,
          node_id: `REF_${Buffer.from(`${repo.id}:${name}`).toString(
            'base64url',
          )}`,
          url: `${api}/git/${name}`,
          object: {
            type: target.type,
            sha: target.sha,
            url: `${api}/git/${target.type}s/${target.sha}`,
          },
        });
      },
    ),

    route(
      'GET',
      '/repos/:owner/:repo/commits',
      'commits/commits#list-commits',
      async ctx => {
        const repo = repoOf(ctx);
        const [owner, name] = gitArgs(repo);
        if ((await git.branches(owner, name)).length === 0)
          throw new ApiError(409, 'Git Repository is empty.');
        const from = await commitOf(repo, ctx.query.get('sha'));
        const path = ctx.query.get('path') ?? undefined;
        // Paged in git rather than in memory, so long histories stay cheap.
        const perPage = Math.min(
          Math.max(Number(ctx.query.get('per_page')) || 30, 1),
          100,
        );
        const page = Math.max(Number(ctx.query.get('page')) || 1, 1);
        const total = await git.countCommits(owner, name, from, path);
        const commits = await git.log(owner, name, from, {
          path,
          skip: (page - 1) * perPage,
          limit: perPage,
        });
        const { headers } = paginate(ctx, new Array(total).fill(0));
        return ok(commits.map(commitJson(repo)), headers);
      },
    ),

    route(
      'GET',
      '/repos/:owner/:repo/commits/*ref',
      'commits/commits#get-a-commit',
      async ctx => {
        const repo = repoOf(ctx);
        const sha = await git.resolve(...gitArgs(repo), ctx.params.ref);
        if (!sha)
          throw new ApiError(422, `No commit found for SHA: ${ctx.params.ref}`);
        return ok(
          commitJson(repo)(await git.commitInfo(...gitArgs(repo), sha)),
        );
      },
    ),

    route(
      'POST',
      '/repos/:owner/:repo/pulls',
      'pulls/pulls#create-a-pull-request',
      async ctx => {
        const repo = repoOf(ctx);
        const body = await ctx.body();
        const title = string(body, 'title');
        let head = string(body, 'head');
        const base = string(body, 'base');
        if (!title) throw missingField('PullRequest', 'title');
        if (!head) throw missingField('PullRequest', 'head');
        if (!base) throw missingField('PullRequest', 'base');
        // `owner:branch` names a branch of this repository or of a fork; forks are not modelled.
        const [headOwner, headBranch] = head.includes(':')
          ? head.split(':', 2)
          : [repo.owner.login, head];
        if (headOwner.toLowerCase() !== repo.owner.login.toLowerCase()) {
          throw validationFailed({
            resource: 'PullRequest',
            code: 'invalid',
            field: 'head',
          });
        }
        head = headBranch;
        const headSha = await git.resolve(
          ...gitArgs(repo),
          `refs/heads/${head}`,
        );
        if (!headSha)
          throw validationFailed({
            resource: 'PullRequest',
            code: 'invalid',
            field: 'head',
          });
        const baseSha = await git.resolve(
          ...gitArgs(repo),
          `refs/heads/${base}`,
        );
        if (!baseSha)
          throw validationFailed({
            resource: 'PullRequest',
            code: 'invalid',
            field: 'base',
          });
        if (
          (await git.countCommits(
            ...gitArgs(repo),
            `${baseSha}..${headSha}`,
          )) === 0
        ) {
          throw validationFailed({
            resource: 'PullRequest',
            code: 'custom',
            message: `No commits between ${base} and ${head}`,
          });
        }
        // Checked after the awaits above, with none until the push, so two concurrent
        // requests cannot both open one, as on GitHub.
        if (
          repo.pulls.some(
            p => p.state === 'open' && p.head === head && p.base === base,
          )
        ) {
          throw validationFailed({
            resource: 'PullRequest',
            code: 'custom',
            message: `A pull request already exists for ${repo.owner.login}:${head}.`,
          });
        }
        const now = timestamp();
        const pull: PullRequest = {
          id: model.nextPullRequestId(),
          number: repo.pulls.length + 1,
          title,
          body: string(body, 'body') ?? null,
          user: ctx.user,
          head,
          base,
          draft: body.draft === true,
          state: 'open',
          createdAt: now,
          updatedAt: now,
          closedAt: null,
          mergedAt: null,
          mergedBy: null,
          closedBy: null,
          mergeCommitSha: null,
          mergedHeadSha: null,
        };
        repo.pulls.push(pull);
        return { status: 201, body: await fullPull(repo, pull) };
      },
    ),

    route(
      'GET',
      '/repos/:owner/:repo/pulls',
      'pulls/pulls#list-pull-requests',
      async ctx => {
        const repo = repoOf(ctx);
        const state = ctx.query.get('state') ?? 'open';
        const head = ctx.query.get('head');
        const base = ctx.query.get('base');
        const pulls = repo.pulls
          .filter(p => state === 'all' || p.state === state)
          .filter(
            p =>
              !head ||
              `${repo.owner.login}:${p.head}`.toLowerCase() ===
                head.toLowerCase(),
          )
          .filter(p => !base || p.base === base)
          .sort((a, b) => b.number - a.number);
        const page = paginate(
          ctx,
          ctx.query.get('direction') === 'asc' ? pulls.reverse() : pulls,
        );
        const items = await Promise.all(
          page.items.map(async p =>
            render.pullRequest(urls, repo, p, await pullShas(repo, p)),
          ),
        );
        return ok(items, page.headers);
      },
    ),

    route(
      'GET',
      '/repos/:owner/:repo/pulls/:number',
      'pulls/pulls#get-a-pull-request',
      async ctx => {
        const repo = repoOf(ctx);
        return ok(await fullPull(repo, pullOf(repo, ctx.params.number)));
      },
    ),

    route(
      'PUT',
      '/repos/:owner/:repo/pulls/:number/merge',
      'pulls/pulls#merge-a-pull-request',
      async ctx => {
        const repo = repoOf(ctx);
        const pull = pullOf(repo, ctx.params.number);
        const body = await ctx.body();
        const method = string(body, 'merge_method') ?? 'merge';
        if (pull.state !== 'open')
          throw new ApiError(405, 'Pull Request is not mergeable');
        if (method === 'rebase')
          throw new ApiError(
            405,
            'Rebase merges are not allowed on this repository.',
          );
        const shas = await pullShas(repo, pull);
        const expected = string(body, 'sha');
        if (expected && expected !== shas.head) {
          throw new ApiError(
            409,
            'Head branch was modified. Review and try the merge again.',
          );
        }
        const blocker = mergeBlocker(repo, pull.base);
        if (blocker) throw new ApiError(405, blocker);
        const [owner, name] = gitArgs(repo);
        const tree = await git.mergeTree(owner, name, shas.base, shas.head);
        if (!tree) throw new ApiError(405, 'Pull Request is not mergeable');
        const squash = method === 'squash';
        const title =
          string(body, 'commit_title') ??
          (squash
            ? `${pull.title} (#${pull.number})`
            : `Merge pull request #${pull.number} from ${owner}/${pull.head}`);
        const message =
          string(body, 'commit_message') ?? (squash ? '' : pull.title);
        const sha = await git.commitTree(
          owner,
          name,
          pull.base,
          tree,
          squash ? [shas.base] : [shas.base, shas.head],
          message ? `${title}\n\n${message}\n` : `${title}\n`,
          ctx.identity,
        );
        const now = timestamp();
        Object.assign(pull, {
          state: 'closed',
          mergedAt: now,
          closedAt: now,
          updatedAt: now,
          mergedBy: ctx.user,
          closedBy: ctx.user,
          mergeCommitSha: sha,
          mergedHeadSha: shas.head,
        });
        model.touchPushed(repo);
        return ok({
          sha,
          merged: true,
          message: 'Pull Request successfully merged',
        });
      },
    ),
  ];

  async function contents(ctx: Context): Promise<Reply> {
    const repo = repoOf(ctx);
    const path = (ctx.params.path ?? '').replace(/^\/+|\/+$/g, '');
    const ref = ctx.query.get('ref');
    const sha = await commitOf(repo, ref);
    const refName = ref ?? repo.defaultBranch;
    const entry = await git.entry(...gitArgs(repo), sha, path);
    if (!entry) throw notFound();
    if (entry.type === 'tree') {
      const entries = await git.list(...gitArgs(repo), entry.sha, path);
      const items = entries.map(e => render.content(urls, repo, refName, e));
      if (ctx.media === 'object') {
        return ok({
          ...render.content(urls, repo, refName, entry),
          entries: items,
        });
      }
      return ok(items);
    }
    if (entry.type === 'commit') {
      return ok({
        ...render.content(urls, repo, refName, entry),
        submodule_git_url: '',
      });
    }
    const bytes = await git.blob(...gitArgs(repo), entry.sha);
    if (ctx.media === 'raw') return { status: 200, raw: bytes };
    if (entry.mode === '120000') {
      return ok({
        ...render.content(urls, repo, refName, entry),
        target: bytes.toString('utf8'),
      });
    }
    return ok(render.content(urls, repo, refName, entry, bytes));
  }
}
