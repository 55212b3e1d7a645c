/*
 * The in-memory side of the stand-in: accounts, organizations, teams,
 * repository settings, branch protection and pull requests. File contents,
 * branches and commits are not kept here; they live in the bare
 * repositories of the RepoStore.
 */
import { ApiError, notFound, validationFailed } from './errors';
import { FileChanges, GitIdentity, GitSignature, RepoStore } from './repoStore';

export type OrgRole = 'admin' | 'member';
export type TeamRole = 'member' | 'maintainer';

export type Visibility = 'public' | 'private' | 'internal';

/** A team's permission on a repository, weakest first: each includes the ones before it. */
export const REPO_PERMISSIONS = [
  'pull',
  'triage',
  'push',
  'maintain',
  'admin',
] as const;
export type RepoPermission = (typeof REPO_PERMISSIONS)[number];

export interface Account {
  id: number;
  login: string;
  type: 'User' | 'Organization';
  name?: string;
  email?: string;
  createdAt: string;
}

export interface Team {
  id: number;
  slug: string;
  name: string;
  description: string | null;
  parent?: Team;
  members: Map<string, TeamRole>;
  createdAt: string;
  updatedAt: string;
}

export interface Organization extends Account {
  type: 'Organization';
  /** Keyed by lower-cased login, like every name lookup here. */
  members: Map<string, { user: Account; role: OrgRole }>;
  teams: Map<string, Team>;
}

/**
 * The body of `PUT /repos/{owner}/{repo}/branches/{branch}/protection`,
 * kept as sent and rendered back in GitHub's response shape.
 */
export interface BranchProtectionSettings {
  required_status_checks?: { strict?: boolean; contexts?: string[] } | null;
  enforce_admins?: boolean | null;
  required_pull_request_reviews?: {
    dismiss_stale_reviews?: boolean;
    require_code_owner_reviews?: boolean;
    required_approving_review_count?: number;
    require_last_push_approval?: boolean;
  } | null;
  restrictions?: { users?: string[]; teams?: string[]; apps?: string[] } | null;
  required_linear_history?: boolean;
  allow_force_pushes?: boolean | null;
  allow_deletions?: boolean;
  block_creations?: boolean;
  required_conversation_resolution?: boolean;
  lock_branch?: boolean;
  allow_fork_syncing?: boolean;
}

export interface PullRequest {
  id: number;
  number: number;
  title: string;
  body: string | null;
  user: Account;
  head: string;
  base: string;
  draft: boolean;
  state: 'open' | 'closed';
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  mergedAt: string | null;
  mergedBy: Account | null;
  /** Who closed it, by merging or not, as the issue view's `closed_by` reports. */
  closedBy: Account | null;
  mergeCommitSha: string | null;
  /** The head commit once the pull request is merged, when the branch may move on. */
  mergedHeadSha: string | null;
}

export interface Repository {
  id: number;
  owner: Account;
  name: string;
  description: string | null;
  homepage: string | null;
  topics: string[];
  visibility: Visibility;
  defaultBranch: string;
  createdAt: string;
  updatedAt: string;
  pushedAt: string;
  protections: Map<string, BranchProtectionSettings>;
  pulls: PullRequest[];
  /** Teams of the owning organization with access, by lower-cased slug. */
  teams: Map<string, RepoPermission>;
}

export interface CreateRepoOptions {
  description?: string;
  homepage?: string;
  topics?: string[];
  private?: boolean;
  /** Wins over `private` when both are given. */
  visibility?: Visibility;
  defaultBranch?: string;
  /** Files of an initial commit; none (or an empty object) leaves the repository empty. */
  files?: FileChanges;
  /** Author (and date) of the initial commit; defaults to the model's default author, now. */
  author?: GitSignature;
}

/** GitHub's timestamps: UTC, whole seconds. */
export function timestamp(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const key = (name: string) => name.toLowerCase();

// The names GitHub allows for repositories; anything else is rejected with 422.
const REPO_NAME = /^[A-Za-z0-9._-]{1,100}$/;

export class GitHubModel {
  private nextAccountId = 1;
  private nextRepoId = 1;
  private nextTeamId = 1;
  private nextPullId = 1;
  private readonly accounts = new Map<string, Account>();
  private readonly repos = new Map<string, Repository>();

  constructor(readonly git: RepoStore, readonly defaultAuthor: GitIdentity) {}

  /** Finds or creates a user; users spring into being when first mentioned. */
  user(
    login: string,
    details: { name?: string; email?: string } = {},
  ): Account {
    const existing = this.accounts.get(key(login));
    if (existing) {
      if (existing.type !== 'User') {
        throw new ApiError(422, `${login} is an organization, not a user`);
      }
      Object.assign(existing, details);
      return existing;
    }
    const user: Account = {
      id: this.nextAccountId++,
      login,
      type: 'User',
      createdAt: timestamp(),
      ...details,
    };
    this.accounts.set(key(login), user);
    return user;
  }

  account(login: string): Account {
    const account = this.accounts.get(key(login));
    if (!account) throw notFound();
    return account;
  }

  accountById(id: number): Account {
    const account = [...this.accounts.values()].find(a => a.id === id);
    if (!account) throw notFound();
    return account;
  }

  org(login: string): Organization {
    const account = this.accounts.get(key(login));
    if (!account || account.type !== 'Organization') throw notFound();
    return account as Organization;
  }

  createOrg(login: string, options: { name?: string } = {}): Organization {
    if (this.accounts.has(key(login))) {
      throw validationFailed({
        resource: 'Organization',
        code: 'custom',
        field: 'login',
        message: 'login already exists',
      });
    }
    const org: Organization = {
      id: this.nextAccountId++,
      login,
      type: 'Organization',
      name: options.name,
      createdAt: timestamp(),
      members: new Map(),
      teams: new Map(),
    };
    this.accounts.set(key(login), org);
    return org;
  }

  team(orgLogin: string, slug: string): Team {
    const team = this.org(orgLogin).teams.get(key(slug));
    if (!team) throw notFound();
    return team;
  }

  createTeam(
    orgLogin: string,
    slug: string,
    options: { name: string; description?: string; parent?: string },
  ): Team {
    const org = this.org(orgLogin);
    if (org.teams.has(key(slug))) {
      throw validationFailed({
        resource: 'Team',
        code: 'already_exists',
        field: 'name',
        message: 'Name must be unique for this org',
      });
    }
    const now = timestamp();
    const team: Team = {
      id: this.nextTeamId++,
      slug,
      name: options.name,
      description: options.description ?? null,
      parent: options.parent ? this.team(orgLogin, options.parent) : undefined,
      members: new Map(),
      createdAt: now,
      updatedAt: now,
    };
    org.teams.set(key(slug), team);
    return team;
  }

  /**
   * Makes a user a member of an organization (role `member` unless given)
   * and, with `team`, of that team too.
   */
  addMember(
    orgLogin: string,
    login: string,
    options: {
      team?: string;
      role?: OrgRole | TeamRole;
      name?: string;
      email?: string;
    } = {},
  ): Account {
    const org = this.org(orgLogin);
    const user = this.user(login, { name: options.name, email: options.email });
    const membership = org.members.get(key(login));
    if (options.team) {
      this.team(orgLogin, options.team).members.set(
        key(login),
        options.role === 'maintainer' ? 'maintainer' : 'member',
      );
      if (!membership) org.members.set(key(login), { user, role: 'member' });
    } else {
      org.members.set(key(login), {
        user,
        role: options.role === 'admin' ? 'admin' : 'member',
      });
    }
    return user;
  }

  repo(ownerLogin: string, name: string): Repository {
    const repo = this.repos.get(`${key(ownerLogin)}/${key(name)}`);
    if (!repo) throw notFound();
    return repo;
  }

  allRepos(): Repository[] {
    return [...this.repos.values()];
  }

  allOrgs(): Organization[] {
    return [...this.accounts.values()].filter(
      (a): a is Organization => a.type === 'Organization',
    );
  }

  /** The account a commit's email belongs to, as GitHub links commits to users. */
  userByEmail(email: string): Account | undefined {
    const wanted = email.toLowerCase();
    return [...this.accounts.values()].find(
      account => account.email?.toLowerCase() === wanted,
    );
  }

  async createRepo(
    ownerLogin: string,
    name: string,
    options: CreateRepoOptions = {},
  ): Promise<Repository> {
    const owner = this.account(ownerLogin);
    if (!REPO_NAME.test(name) || name === '.' || name === '..') {
      throw validationFailed({
        resource: 'Repository',
        code: 'custom',
        field: 'name',
        message: 'name is invalid',
      });
    }
    if (this.repos.has(`${key(owner.login)}/${key(name)}`)) {
      throw validationFailed({
        resource: 'Repository',
        code: 'custom',
        field: 'name',
        message: 'name already exists on this account',
      });
    }
    const now = timestamp();
    const repo: Repository = {
      id: this.nextRepoId++,
      owner,
      name,
      description: options.description ?? null,
      homepage: options.homepage ?? null,
      topics: [...(options.topics ?? [])],
      visibility:
        options.visibility ?? (options.private ? 'private' : 'public'),
      defaultBranch: options.defaultBranch ?? 'main',
      createdAt: now,
      updatedAt: now,
      pushedAt: now,
      protections: new Map(),
      pulls: [],
      teams: new Map(),
    };
    this.repos.set(`${key(owner.login)}/${key(name)}`, repo);
    await this.git.init(owner.login, name, repo.defaultBranch);
    if (options.files && Object.keys(options.files).length > 0) {
      await this.git.commit(
        owner.login,
        name,
        repo.defaultBranch,
        options.files,
        'Initial commit',
        options.author ?? this.defaultAuthor,
      );
    }
    return repo;
  }

  /** Adds a commit on top of a branch; a new branch starts from the default branch. */
  async commit(
    ownerLogin: string,
    name: string,
    branch: string,
    files: FileChanges,
    message: string,
    author?: GitSignature,
  ): Promise<string> {
    const repo = this.repo(ownerLogin, name);
    const [owner, repoName] = [repo.owner.login, repo.name];
    const sha = await this.git.commit(
      owner,
      repoName,
      branch,
      files,
      message,
      author ?? this.defaultAuthor,
      await this.git.resolve(
        owner,
        repoName,
        `refs/heads/${repo.defaultBranch}`,
      ),
    );
    this.touchPushed(repo);
    return sha;
  }

  touchPushed(repo: Repository): void {
    repo.pushedAt = timestamp();
    repo.updatedAt = repo.pushedAt;
  }

  async protectBranch(
    ownerLogin: string,
    name: string,
    branch: string,
    settings: BranchProtectionSettings,
  ): Promise<BranchProtectionSettings> {
    const repo = this.repo(ownerLogin, name);
    if (
      !(await this.git.resolve(
        repo.owner.login,
        repo.name,
        `refs/heads/${branch}`,
      ))
    ) {
      throw notFound('Branch not found');
    }
    repo.protections.set(branch, settings);
    return settings;
  }

  nextPullRequestId(): number {
    return this.nextPullId++;
  }
}
