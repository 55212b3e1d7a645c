/*
 * The JSON GitHub returns for each kind of object. Field sets follow the
 * schemas of GitHub's OpenAPI description (the tests check every response
 * against it); URLs follow a GitHub Enterprise Server layout: web pages at
 * the root, the API under /api/v3.
 */
import {
  Account,
  BranchProtectionSettings,
  Organization,
  PullRequest,
  REPO_PERMISSIONS,
  RepoPermission,
  Repository,
  Team,
} from './model';
import { GitCommit, TreeEntry } from './repoStore';

export interface Urls {
  /** e.g. http://127.0.0.1:PORT/api/v3 */
  api: string;
  /** e.g. http://127.0.0.1:PORT */
  web: string;
  /** e.g. http://127.0.0.1:PORT/git */
  git: string;
}

type Json = Record<string, unknown>;

/** GitHub's global node ids are opaque; this keeps them stable and distinct per type. */
export function nodeId(prefix: string, id: number | string): string {
  return `${prefix}_${Buffer.from(String(id)).toString('base64url')}`;
}

export function simpleUser(urls: Urls, account: Account): Json {
  const url = `${urls.api}/users/${account.login}`;
  return {
    login: account.login,
    id: account.id,
    node_id: nodeId(account.type === 'User' ? 'U' : 'O', account.id),
    avatar_url: `${urls.web}/avatars/u/${account.id}`,
    gravatar_id: '',
    url,
    html_url: `${urls.web}/${account.login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: account.type,
    user_view_type: 'public',
    site_admin: false,
  };
}

/** `GET /users/{login}`: the public profile, for users and organizations alike. */
export function publicUser(
  urls: Urls,
  account: Account,
  publicRepos: number,
): Json {
  return {
    ...simpleUser(urls, account),
    name: account.name ?? null,
    company: null,
    blog: '',
    location: null,
    email: account.email ?? null,
    hireable: null,
    bio: null,
    twitter_username: null,
    public_repos: publicRepos,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: account.createdAt,
    updated_at: account.createdAt,
  };
}

/** `GET /user`: the profile with the fields only its owner sees. */
export function privateUser(
  urls: Urls,
  account: Account,
  publicRepos: number,
  privateRepos: number,
): Json {
  return {
    ...publicUser(urls, account, publicRepos),
    private_gists: 0,
    total_private_repos: privateRepos,
    owned_private_repos: privateRepos,
    disk_usage: 0,
    collaborators: 0,
    two_factor_authentication: false,
  };
}

export function organization(
  urls: Urls,
  org: Organization,
  publicRepos: number,
): Json {
  const url = `${urls.api}/orgs/${org.login}`;
  return {
    login: org.login,
    id: org.id,
    node_id: nodeId('O', org.id),
    url,
    repos_url: `${url}/repos`,
    events_url: `${url}/events`,
    hooks_url: `${url}/hooks`,
    issues_url: `${url}/issues`,
    members_url: `${url}/members{/member}`,
    public_members_url: `${url}/public_members{/member}`,
    avatar_url: `${urls.web}/avatars/u/${org.id}`,
    description: null,
    // GitHub leaves out profile fields an organization has not filled in.
    ...(org.name ? { name: org.name } : {}),
    is_verified: false,
    has_organization_projects: true,
    has_repository_projects: true,
    public_repos: publicRepos,
    public_gists: 0,
    followers: 0,
    following: 0,
    html_url: `${urls.web}/${org.login}`,
    created_at: org.createdAt,
    updated_at: org.createdAt,
    archived_at: null,
    type: 'Organization',
  };
}

function teamUrls(urls: Urls, org: Organization, value: Team): Json {
  const url = `${urls.api}/organizations/${org.id}/team/${value.id}`;
  return {
    id: value.id,
    node_id: nodeId('T', value.id),
    url,
    html_url: `${urls.web}/orgs/${org.login}/teams/${value.slug}`,
    name: value.name,
    slug: value.slug,
    description: value.description,
    privacy: 'closed',
    notification_setting: 'notifications_enabled',
    permission: 'pull',
    members_url: `${url}/members{/member}`,
    repositories_url: `${url}/repos`,
    type: 'organization',
    organization_id: org.id,
  };
}

export function team(urls: Urls, org: Organization, value: Team): Json {
  return {
    ...teamUrls(urls, org, value),
    parent: value.parent ? teamUrls(urls, org, value.parent) : null,
  };
}

/** A team as `GET /repos/{owner}/{repo}/teams` lists it: with its permission on that repository. */
export function repositoryTeam(
  urls: Urls,
  org: Organization,
  value: Team,
  permission: RepoPermission,
): Json {
  const level = REPO_PERMISSIONS.indexOf(permission);
  return {
    ...team(urls, org, value),
    permission,
    permissions: Object.fromEntries(
      REPO_PERMISSIONS.map((name, i) => [name, i <= level]),
    ),
  };
}

export function fullTeam(
  urls: Urls,
  org: Organization,
  value: Team,
  reposCount: number,
  publicRepos: number,
): Json {
  return {
    ...team(urls, org, value),
    members_count: value.members.size,
    repos_count: reposCount,
    created_at: value.createdAt,
    updated_at: value.updatedAt,
    organization: organization(urls, org, publicRepos),
  };
}

export function repository(
  urls: Urls,
  repo: Repository,
  options: { full?: boolean } = {},
): Json {
  const fullName = `${repo.owner.login}/${repo.name}`;
  const url = `${urls.api}/repos/${fullName}`;
  const host = new URL(urls.web).host;
  const json: Json = {
    id: repo.id,
    node_id: nodeId('R', repo.id),
    name: repo.name,
    full_name: fullName,
    private: repo.visibility !== 'public',
    owner: simpleUser(urls, repo.owner),
    html_url: `${urls.web}/${fullName}`,
    description: repo.description,
    fork: false,
    url,
    forks_url: `${url}/forks`,
    keys_url: `${url}/keys{/key_id}`,
    collaborators_url: `${url}/collaborators{/collaborator}`,
    teams_url: `${url}/teams`,
    hooks_url: `${url}/hooks`,
    issue_events_url: `${url}/issues/events{/number}`,
    events_url: `${url}/events`,
    assignees_url: `${url}/assignees{/user}`,
    branches_url: `${url}/branches{/branch}`,
    tags_url: `${url}/tags`,
    blobs_url: `${url}/git/blobs{/sha}`,
    git_tags_url: `${url}/git/tags{/sha}`,
    git_refs_url: `${url}/git/refs{/sha}`,
    trees_url: `${url}/git/trees{/sha}`,
    statuses_url: `${url}/statuses/{sha}`,
    languages_url: `${url}/languages`,
    stargazers_url: `${url}/stargazers`,
    contributors_url: `${url}/contributors`,
    subscribers_url: `${url}/subscribers`,
    subscription_url: `${url}/subscription`,
    commits_url: `${url}/commits{/sha}`,
    git_commits_url: `${url}/git/commits{/sha}`,
    comments_url: `${url}/comments{/number}`,
    issue_comment_url: `${url}/issues/comments{/number}`,
    contents_url: `${url}/contents/{+path}`,
    compare_url: `${url}/compare/{base}...{head}`,
    merges_url: `${url}/merges`,
    archive_url: `${url}/{archive_format}{/ref}`,
    downloads_url: `${url}/downloads`,
    issues_url: `${url}/issues{/number}`,
    pulls_url: `${url}/pulls{/number}`,
    milestones_url: `${url}/milestones{/number}`,
    notifications_url: `${url}/notifications{?since,all,participating}`,
    labels_url: `${url}/labels{/name}`,
    releases_url: `${url}/releases{/id}`,
    deployments_url: `${url}/deployments`,
    created_at: repo.createdAt,
    updated_at: repo.updatedAt,
    pushed_at: repo.pushedAt,
    git_url: `git://${host}/${fullName}.git`,
    ssh_url: `git@${host}:${fullName}.git`,
    clone_url: `${urls.git}/${fullName}.git`,
    svn_url: `${urls.web}/${fullName}`,
    homepage: repo.homepage,
    size: 0,
    stargazers_count: 0,
    watchers_count: 0,
    language: null,
    has_issues: true,
    has_projects: true,
    has_downloads: true,
    has_wiki: true,
    has_pages: false,
    has_discussions: false,
    forks_count: 0,
    mirror_url: null,
    archived: false,
    disabled: false,
    open_issues_count: repo.pulls.filter(pull => pull.state === 'open').length,
    license: null,
    allow_forking: true,
    is_template: false,
    web_commit_signoff_required: false,
    topics: repo.topics,
    visibility: repo.visibility,
    forks: 0,
    open_issues: repo.pulls.filter(pull => pull.state === 'open').length,
    watchers: 0,
    default_branch: repo.defaultBranch,
    permissions: {
      admin: true,
      maintain: true,
      push: true,
      triage: true,
      pull: true,
    },
  };
  if (options.full) {
    Object.assign(json, {
      allow_squash_merge: true,
      allow_merge_commit: true,
      allow_rebase_merge: false,
      allow_auto_merge: false,
      delete_branch_on_merge: false,
      allow_update_branch: false,
      use_squash_pr_title_as_default: false,
      squash_merge_commit_title: 'COMMIT_OR_PR_TITLE',
      squash_merge_commit_message: 'COMMIT_MESSAGES',
      merge_commit_title: 'MERGE_MESSAGE',
      merge_commit_message: 'PR_TITLE',
      ...(repo.owner.type === 'Organization'
        ? { organization: simpleUser(urls, repo.owner) }
        : {}),
      network_count: 0,
      subscribers_count: 0,
    });
  }
  return json;
}

export function repoApi(urls: Urls, repo: Repository): string {
  return `${urls.api}/repos/${repo.owner.login}/${repo.name}`;
}

export function repoWeb(urls: Urls, repo: Repository): string {
  return `${urls.web}/${repo.owner.login}/${repo.name}`;
}

/**
 * One commit as `GET /repos/{o}/{r}/commits` shows it; `user` links a git
 * author or committer to an account by email, as GitHub does.
 */
export function commit(
  urls: Urls,
  repo: Repository,
  value: GitCommit,
  user: (email: string) => Account | undefined,
): Json {
  const api = repoApi(urls, repo);
  const web = repoWeb(urls, repo);
  const author = user(value.author.email);
  const committer = user(value.committer.email);
  return {
    sha: value.sha,
    node_id: nodeId('C', value.sha),
    commit: {
      author: value.author,
      committer: value.committer,
      message: value.message,
      tree: { sha: value.tree, url: `${api}/git/trees/${value.tree}` },
      url: `${api}/git/commits/${value.sha}`,
      comment_count: 0,
      verification: {
        verified: false,
        reason: 'unsigned',
        signature: null,
        payload: null,
        verified_at: null,
      },
    },
    url: `${api}/commits/${value.sha}`,
    html_url: `${web}/commit/${value.sha}`,
    comments_url: `${api}/commits/${value.sha}/comments`,
    author: author ? simpleUser(urls, author) : null,
    committer: committer ? simpleUser(urls, committer) : null,
    parents: value.parents.map(sha => ({
      sha,
      url: `${api}/commits/${sha}`,
      html_url: `${web}/commit/${sha}`,
    })),
  };
}

/** A file or directory entry of the contents API; files carry their bytes. */
export function content(
  urls: Urls,
  repo: Repository,
  ref: string,
  entry: TreeEntry,
  bytes?: Buffer,
): Json {
  const api = repoApi(urls, repo);
  const web = repoWeb(urls, repo);
  const name = entry.path.split('/').pop() ?? '';
  const type = {
    blob: entry.mode === '120000' ? 'symlink' : 'file',
    tree: 'dir',
    commit: 'submodule',
  }[entry.type];
  const url = `${api}/contents/${encodePath(
    entry.path,
  )}?ref=${encodeURIComponent(ref)}`;
  const gitUrl = `${api}/git/${entry.type === 'tree' ? 'trees' : 'blobs'}/${
    entry.sha
  }`;
  const htmlUrl = `${web}/${
    entry.type === 'tree' ? 'tree' : 'blob'
  }/${ref}/${encodePath(entry.path)}`;
  const json: Json = {
    type,
    size: entry.size ?? 0,
    name,
    path: entry.path,
    sha: entry.sha,
    url,
    git_url: gitUrl,
    html_url: htmlUrl,
    download_url:
      entry.type === 'blob'
        ? `${web}/raw/${ref}/${encodePath(entry.path)}`
        : null,
    _links: { self: url, git: gitUrl, html: htmlUrl },
  };
  if (bytes) {
    // GitHub wraps the base64 text at 60 characters.
    json.content = `${bytes.toString('base64').replace(/.{60}/g, '$&\n')}\n`;
    json.encoding = 'base64';
  }
  return json;
}

export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function enabled(value: boolean | null | undefined): { enabled: boolean } {
  return { enabled: Boolean(value) };
}

/** Branch protection in the shape of both its GET and its PUT response. */
export function branchProtection(
  urls: Urls,
  repo: Repository,
  branch: string,
  settings: BranchProtectionSettings,
  resolve: {
    user: (login: string) => Account;
    team: (slug: string) => Json | undefined;
  },
): Json {
  const url = `${repoApi(urls, repo)}/branches/${encodeURIComponent(
    branch,
  )}/protection`;
  const json: Json = {
    url,
    required_signatures: { url: `${url}/required_signatures`, enabled: false },
    enforce_admins: {
      url: `${url}/enforce_admins`,
      enabled: Boolean(settings.enforce_admins),
    },
    required_linear_history: enabled(settings.required_linear_history),
    allow_force_pushes: enabled(settings.allow_force_pushes),
    allow_deletions: enabled(settings.allow_deletions),
    block_creations: enabled(settings.block_creations),
    required_conversation_resolution: enabled(
      settings.required_conversation_resolution,
    ),
    lock_branch: enabled(settings.lock_branch),
    allow_fork_syncing: enabled(settings.allow_fork_syncing),
  };
  const checks = settings.required_status_checks;
  if (checks) {
    json.required_status_checks = {
      url: `${url}/required_status_checks`,
      strict: Boolean(checks.strict),
      contexts: checks.contexts ?? [],
      contexts_url: `${url}/required_status_checks/contexts`,
      checks: (checks.contexts ?? []).map(context => ({
        context,
        app_id: null,
      })),
    };
  }
  const reviews = settings.required_pull_request_reviews;
  if (reviews) {
    json.required_pull_request_reviews = {
      url: `${url}/required_pull_request_reviews`,
      dismiss_stale_reviews: Boolean(reviews.dismiss_stale_reviews),
      require_code_owner_reviews: Boolean(reviews.require_code_owner_reviews),
      required_approving_review_count:
        reviews.required_approving_review_count ?? 1,
      require_last_push_approval: Boolean(reviews.require_last_push_approval),
    };
  }
  const restrictions = settings.restrictions;
  if (restrictions) {
    json.restrictions = {
      url: `${url}/restrictions`,
      users_url: `${url}/restrictions/users`,
      teams_url: `${url}/restrictions/teams`,
      apps_url: `${url}/restrictions/apps`,
      users: (restrictions.users ?? []).map(login =>
        simpleUser(urls, resolve.user(login)),
      ),
      teams: (restrictions.teams ?? []).flatMap(
        slug => resolve.team(slug) ?? [],
      ),
      apps: [],
    };
  }
  return json;
}

export function pullRequest(
  urls: Urls,
  repo: Repository,
  pull: PullRequest,
  shas: { head: string; base: string },
): Json {
  const api = repoApi(urls, repo);
  const web = repoWeb(urls, repo);
  const url = `${api}/pulls/${pull.number}`;
  const issueUrl = `${api}/issues/${pull.number}`;
  const htmlUrl = `${web}/pull/${pull.number}`;
  const side = (ref: string, sha: string) => ({
    label: `${repo.owner.login}:${ref}`,
    ref,
    sha,
    user: simpleUser(urls, repo.owner),
    repo: repository(urls, repo),
  });
  return {
    url,
    id: pull.id,
    node_id: nodeId('PR', pull.id),
    html_url: htmlUrl,
    diff_url: `${htmlUrl}.diff`,
    patch_url: `${htmlUrl}.patch`,
    issue_url: issueUrl,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${issueUrl}/comments`,
    statuses_url: `${api}/statuses/${shas.head}`,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    user: simpleUser(urls, pull.user),
    body: pull.body,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    closed_at: pull.closedAt,
    merged_at: pull.mergedAt,
    merge_commit_sha: pull.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: side(pull.head, shas.head),
    base: side(pull.base, shas.base),
    _links: {
      self: { href: url },
      html: { href: htmlUrl },
      issue: { href: issueUrl },
      comments: { href: `${issueUrl}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: `${api}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` },
      statuses: { href: `${api}/statuses/${shas.head}` },
    },
    author_association: 'MEMBER',
    auto_merge: null,
    draft: pull.draft,
  };
}
