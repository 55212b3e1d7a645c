import { ConditionalGithubClient } from './ConditionalGithubClient';
import { CODEOWNERS_PATHS, codeownersProblems } from './codeowners';

/**
 * Facts about a repository as collected. `branchRequiresReview` is absent when the token may not
 * read the default branch's protection, and `openSecurityAlerts` when it may not read Dependabot
 * alerts (or they are off), so checks on them stay unknown rather than failing.
 */
export interface RepositoryFacts {
  hasReadme: boolean;
  hasCodeowners: boolean;
  codeownersValid: boolean;
  branchRequiresReview?: boolean;
  /** Open Dependabot alerts of high or critical severity (at most 100 are counted). */
  openSecurityAlerts?: number;
  hasCiWorkflow: boolean;
  hasDependencyUpdates: boolean;
  hasLicense: boolean;
  /** ISO time of the default branch's newest commit. */
  lastCommitAt: string;
}

const README = /^readme(\.|$)/i;
const WORKFLOW = /^\.github\/workflows\/[^/]+\.ya?ml$/;
const DEPENDENCY_UPDATE_CONFIGS = new Set([
  '.github/dependabot.yml',
  '.github/dependabot.yaml',
  'renovate.json',
  'renovate.json5',
  '.github/renovate.json',
  '.github/renovate.json5',
  '.renovaterc',
  '.renovaterc.json',
  '.renovaterc.json5',
]);
const LICENSE_FILE = /^(licen[cs]e|copying)(\.|$)/i;

interface RepoJson {
  default_branch: string;
  license: { spdx_id?: string } | null;
  pushed_at?: string | null;
}

/**
 * How long after a push its repository's answer is not trusted to stand for the files: `pushed_at`
 * has whole seconds, so a second push in the same second leaves the answer as it was, and clocks
 * differ a little.
 */
const PUSH_SETTLE_MS = 10_000;
/**
 * Stored with the repository's ETag: facts read by a version that reads files differently are
 * read again, though the repository has not changed. Raise it when a fact is computed differently.
 */
const READ_VERSION = 1;
interface BranchJson {
  protected: boolean;
  commit: {
    commit: { committer?: { date?: string }; author?: { date?: string } };
  };
}
interface TreeJson {
  tree: Array<{ path: string; type: string }>;
}
interface ProtectionJson {
  required_pull_request_reviews?: { required_approving_review_count?: number };
}
interface RuleJson {
  type: string;
  parameters?: { required_approving_review_count?: number };
}

interface AlertJson {
  number: number;
}

/** What a repository's facts were last read with; see {@link collectRepositoryFacts}. */
export interface LastRead {
  facts: RepositoryFacts;
  /** ETag of the repository's answer the facts were read with, after the read's version. */
  repositoryEtag: string;
  /** Branch protection and rulesets are due to be read again. */
  reviewDue: boolean;
}

/** The facts of one read, what they were read with, and whether review settings were read. */
export interface RepositoryRead {
  facts: RepositoryFacts;
  repositoryEtag?: string;
  reviewRead: boolean;
}

/**
 * Reads one repository's facts with conditional GETs: the repository (default branch, licence),
 * its default branch (newest commit, protected or not), the rules rulesets apply to the branch,
 * the branch protection when it is protected, the open high and critical Dependabot alerts, the
 * branch's whole tree (which files exist), and CODEOWNERS when there is one. A repository whose answer has the ETag of `last` has not been
 * pushed to or changed since: its files, commit and licence are as `last` says, and only the
 * review settings and alerts are read again, when due (one request instead of five or six). An answer
 * within seconds of a push is not trusted so: the facts come back without its ETag.
 */
export async function collectRepositoryFacts(
  github: ConditionalGithubClient,
  owner: string,
  repo: string,
  options: { last?: LastRead; readAt: Date },
): Promise<RepositoryRead | undefined> {
  const { last, readAt } = options;
  const repository = await github.get<RepoJson>('/repos/{owner}/{repo}', {
    owner,
    repo,
  });
  if (!repository.found) return undefined;
  const pushedAt = Date.parse(repository.data.pushed_at ?? '');
  const settled =
    Number.isNaN(pushedAt) || pushedAt + PUSH_SETTLE_MS <= readAt.getTime();
  const repositoryEtag =
    settled && repository.etag
      ? `${READ_VERSION} ${repository.etag}`
      : undefined;
  const unchanged = Boolean(
    last && repositoryEtag && last.repositoryEtag === repositoryEtag,
  );
  if (last && unchanged && !last.reviewDue) {
    return { facts: last.facts, repositoryEtag, reviewRead: false };
  }
  const branch = repository.data.default_branch;
  const tip = await github.get<BranchJson>(
    '/repos/{owner}/{repo}/branches/{branch}',
    { owner, repo, branch },
  );
  // An empty repository has no branch and no files.
  if (!tip.found) return undefined;
  const branchRequiresReview = await requiresReview(
    github,
    owner,
    repo,
    branch,
    tip.data.protected,
  );
  // Alerts, like review settings, change without a push: read on the same schedule.
  const openSecurityAlerts = await countSecurityAlerts(github, owner, repo);
  const review = {
    ...(branchRequiresReview === undefined ? {} : { branchRequiresReview }),
    ...(openSecurityAlerts === undefined ? {} : { openSecurityAlerts }),
  };
  if (last && unchanged) {
    const {
      branchRequiresReview: _review,
      openSecurityAlerts: _alerts,
      ...files
    } = last.facts;
    return {
      facts: { ...files, ...review },
      repositoryEtag,
      reviewRead: true,
    };
  }

  const tree = await github.get<TreeJson>(
    '/repos/{owner}/{repo}/git/trees/{tree_sha}',
    { owner, repo, tree_sha: branch, recursive: 1 },
  );
  const paths = new Set(
    tree.found
      ? tree.data.tree.filter(e => e.type === 'blob').map(e => e.path)
      : [],
  );

  const codeownersPath = CODEOWNERS_PATHS.find(p => paths.has(p));
  let codeownersValid = false;
  if (codeownersPath) {
    const file = await github.get<string>(
      '/repos/{owner}/{repo}/contents/{path}',
      { owner, repo, path: codeownersPath, ref: branch },
      { raw: true },
    );
    codeownersValid =
      file.found && codeownersProblems(String(file.data)).length === 0;
  }

  const commit = tip.data.commit.commit;
  const facts: RepositoryFacts = {
    hasReadme: [...paths].some(p => {
      const slash = p.lastIndexOf('/');
      const dir = slash < 0 ? '' : p.slice(0, slash);
      return (
        ['', '.github', 'docs'].includes(dir) && README.test(p.slice(slash + 1))
      );
    }),
    hasCodeowners: Boolean(codeownersPath),
    codeownersValid,
    ...review,
    hasCiWorkflow: [...paths].some(p => WORKFLOW.test(p)),
    hasDependencyUpdates: [...paths].some(p =>
      DEPENDENCY_UPDATE_CONFIGS.has(p),
    ),
    hasLicense:
      Boolean(repository.data.license?.spdx_id) ||
      [...paths].some(p => !p.includes('/') && LICENSE_FILE.test(p)),
    lastCommitAt:
      commit.committer?.date ??
      commit.author?.date ??
      new Date(0).toISOString(),
  };
  return { facts, repositoryEtag, reviewRead: true };
}

/**
 * Whether merging into the branch needs an approving review, from classic branch protection or a
 * ruleset; undefined when the protection exists but the token may not read it.
 */
async function requiresReview(
  github: ConditionalGithubClient,
  owner: string,
  repo: string,
  branch: string,
  isProtected: boolean,
): Promise<boolean | undefined> {
  const rules = await github.get<RuleJson[]>(
    '/repos/{owner}/{repo}/rules/branches/{branch}',
    { owner, repo, branch },
  );
  const byRuleset =
    rules.found &&
    rules.data.some(
      r =>
        r.type === 'pull_request' &&
        (r.parameters?.required_approving_review_count ?? 0) > 0,
    );
  if (byRuleset) return true;
  if (!isProtected) return false;
  try {
    const protection = await github.get<ProtectionJson>(
      '/repos/{owner}/{repo}/branches/{branch}/protection',
      { owner, repo, branch },
    );
    return (
      protection.found &&
      (protection.data.required_pull_request_reviews
        ?.required_approving_review_count ?? 0) > 0
    );
  } catch (e) {
    // Reading protection needs admin rights on the repository.
    if ((e as { status?: number }).status === 403) return undefined;
    throw e;
  }
}

/**
 * Open Dependabot alerts of high or critical severity; undefined when the token may not read
 * them (403: no "Dependabot alerts" read permission, or alerts are disabled; 404: no access).
 */
async function countSecurityAlerts(
  github: ConditionalGithubClient,
  owner: string,
  repo: string,
): Promise<number | undefined> {
  try {
    const alerts = await github.get<AlertJson[]>(
      '/repos/{owner}/{repo}/dependabot/alerts',
      {
        owner,
        repo,
        state: 'open',
        severity: 'high,critical',
        per_page: 100,
      },
    );
    return alerts.found ? alerts.data.length : undefined;
  } catch (e) {
    if ((e as { status?: number }).status === 403) return undefined;
    throw e;
  }
}
