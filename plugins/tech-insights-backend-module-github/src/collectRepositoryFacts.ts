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
}
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
interface AlertJson {
  number: number;
}
interface RuleJson {
  type: string;
  parameters?: { required_approving_review_count?: number };
}

/**
 * Reads one repository's facts in six or seven conditional GETs: the repository (default branch,
 * licence), its default branch (newest commit, protected or not), the branch's whole tree (which
 * files exist), CODEOWNERS when there is one, the branch protection when it is protected, the
 * rules rulesets apply to the branch, and the open high and critical Dependabot alerts.
 */
export async function collectRepositoryFacts(
  github: ConditionalGithubClient,
  owner: string,
  repo: string,
): Promise<RepositoryFacts | undefined> {
  const repository = await github.get<RepoJson>('/repos/{owner}/{repo}', {
    owner,
    repo,
  });
  if (!repository.found) return undefined;
  const branch = repository.data.default_branch;
  const tip = await github.get<BranchJson>(
    '/repos/{owner}/{repo}/branches/{branch}',
    { owner, repo, branch },
  );
  // An empty repository has no branch and no files.
  if (!tip.found) return undefined;
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

  const branchRequiresReview = await requiresReview(
    github,
    owner,
    repo,
    branch,
    tip.data.protected,
  );
  const openSecurityAlerts = await countSecurityAlerts(github, owner, repo);
  const commit = tip.data.commit.commit;
  return {
    hasReadme: [...paths].some(p => {
      const slash = p.lastIndexOf('/');
      const dir = slash < 0 ? '' : p.slice(0, slash);
      return (
        ['', '.github', 'docs'].includes(dir) && README.test(p.slice(slash + 1))
      );
    }),
    hasCodeowners: Boolean(codeownersPath),
    codeownersValid,
    ...(branchRequiresReview === undefined ? {} : { branchRequiresReview }),
    ...(openSecurityAlerts === undefined ? {} : { openSecurityAlerts }),
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
