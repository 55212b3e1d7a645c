import {
  GithubIntegration,
  ScmIntegrationRegistry,
} from '@backstage/integration';

/** A repository on a host with a configured GitHub integration. */
export interface GitHubRepository {
  integration: GithubIntegration;
  owner: string;
  repo: string;
  /** `https://host/owner/repo`, the repository's web page and the key commits are cached under. */
  webUrl: string;
}

const COMMIT_SHA = /^[0-9a-f]{7,40}$/i;

/** True when a revision is a commit SHA rather than, say, a Helm chart version. */
export function isCommitSha(revision: string | undefined): revision is string {
  return Boolean(revision && COMMIT_SHA.test(revision));
}

/**
 * Finds the GitHub integration for an Argo CD source's `repoURL`. Owner and repository are the
 * last two path segments, so clone URLs under a path prefix (such as the sandbox's `/git/`) work
 * as well as GitHub's `https://host/owner/repo.git`. SSH URLs (`git@host:owner/repo`) are read
 * as `https://host/owner/repo`.
 */
export function findGitHubRepository(
  integrations: ScmIntegrationRegistry,
  repoURL: string | undefined,
): GitHubRepository | undefined {
  const url = parseRepoUrl(repoURL);
  if (!url) {
    return undefined;
  }
  const integration = integrations.github.byUrl(url.href);
  if (!integration) {
    return undefined;
  }
  const segments = url.pathname
    .replace(/\.git$/, '')
    .split('/')
    .filter(Boolean);
  if (segments.length < 2) {
    return undefined;
  }
  const [owner, repo] = segments.slice(-2);
  return {
    integration,
    owner,
    repo,
    webUrl: `${url.protocol}//${url.host}/${owner}/${repo}`,
  };
}

function parseRepoUrl(repoURL: string | undefined): URL | undefined {
  if (!repoURL) {
    return undefined;
  }
  const scp = repoURL.match(/^[\w.-]+@([^:/]+):(.+)$/);
  try {
    return new URL(scp ? `https://${scp[1]}/${scp[2]}` : repoURL);
  } catch {
    return undefined;
  }
}
