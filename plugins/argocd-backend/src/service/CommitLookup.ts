import { LoggerService } from '@backstage/backend-plugin-api';
import {
  GithubCredentialsProvider,
  ScmIntegrationRegistry,
} from '@backstage/integration';
import { Octokit } from '@octokit/rest';
import { CommitInfo } from '@paved/plugin-argocd-common';
import { CommitStore } from '../database/CommitStore';
import { GitHubRepository, findGitHubRepository } from './GitHubRepository';

/** A commit's details, or why they could not be had. */
export type CommitResult = { commit: CommitInfo } | { error: string };

const DEFAULT_CONCURRENCY = 4;
const REQUEST_TIMEOUT_MS = 10_000;

/** Runs at most `limit` tasks at once; the rest wait in order. */
class ConcurrencyLimit {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) {
      await new Promise<void>(resolve => this.waiting.push(resolve));
    }
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

interface GitHubRequestError {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined> };
}

/** The per-entry error while the commit store cannot be read; the log has the cause. */
export const COMMIT_STORE_UNAVAILABLE =
  "commit details are unavailable: the plugin's commit store could not be read (see the backend log)";

/** Thrown while a host's rate limit has not reset, without asking the host again. */
class RateLimitedError extends Error {}

/**
 * Commit details of deployed revisions from GitHub, through the configured integrations. Found
 * commits are stored, so each revision is asked of GitHub once across replicas and restarts;
 * failures are not stored and are tried again on a later request.
 */
export class CommitLookup {
  private readonly limit: ConcurrencyLimit;
  private readonly inFlight = new Map<string, Promise<CommitResult>>();
  /** Per API base URL: when its rate limit resets, while it is exhausted. */
  private readonly rateLimitedUntil = new Map<string, Date>();
  /** Set while the store fails, so an outage is logged once rather than per request. */
  private storeFailing = false;

  constructor(
    private readonly options: {
      integrations: ScmIntegrationRegistry;
      credentialsProvider: GithubCredentialsProvider;
      store: CommitStore;
      logger: LoggerService;
      concurrency?: number;
    },
  ) {
    this.limit = new ConcurrencyLimit(
      options.concurrency ?? DEFAULT_CONCURRENCY,
    );
  }

  /** Details of each of `shas` in the repository Argo CD deploys from, by SHA. */
  async lookup(
    repoURL: string,
    shas: string[],
  ): Promise<Map<string, CommitResult>> {
    const results = new Map<string, CommitResult>();
    const unique = [...new Set(shas)];
    const repository = findGitHubRepository(this.options.integrations, repoURL);
    if (!repository) {
      const error = this.noIntegrationMessage(repoURL);
      unique.forEach(sha => results.set(sha, { error }));
      return results;
    }
    let stored: Map<string, CommitInfo>;
    try {
      stored = await this.options.store.getCommits(repository.webUrl, unique);
      this.storeAnswered();
    } catch (error) {
      // Asking GitHub instead would repeat every request while the database is down.
      this.storeFailed('read', error);
      unique.forEach(sha =>
        results.set(sha, { error: COMMIT_STORE_UNAVAILABLE }),
      );
      return results;
    }
    await Promise.all(
      unique.map(async sha => {
        const commit = stored.get(sha);
        results.set(
          sha,
          commit ? { commit } : await this.fetchOnce(repository, sha),
        );
      }),
    );
    return results;
  }

  private noIntegrationMessage(repoURL: string) {
    let host: string | undefined;
    try {
      host = new URL(repoURL).host;
    } catch {
      host = repoURL.match(/^[\w.-]+@([^:/]+):/)?.[1];
    }
    return host
      ? `no GitHub integration is configured for ${host}`
      : `cannot tell the host of repository ${repoURL}`;
  }

  /** Concurrent requests for one commit share one GitHub call. */
  private fetchOnce(
    repository: GitHubRepository,
    sha: string,
  ): Promise<CommitResult> {
    const key = `${repository.webUrl}@${sha}`;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.limit
        .run(() => this.fetch(repository, sha))
        .finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async fetch(
    repository: GitHubRepository,
    sha: string,
  ): Promise<CommitResult> {
    const { integration, owner, repo, webUrl } = repository;
    const apiBaseUrl = integration.config.apiBaseUrl;
    const short = sha.slice(0, 7);
    try {
      if (!apiBaseUrl) {
        return {
          error: `the GitHub integration for ${integration.config.host} has no apiBaseUrl`,
        };
      }
      const limitedUntil = this.rateLimitedUntil.get(apiBaseUrl);
      if (limitedUntil && limitedUntil > new Date()) {
        throw new RateLimitedError(this.rateLimitMessage(limitedUntil));
      }
      const { token } = await this.options.credentialsProvider.getCredentials({
        url: webUrl,
      });
      const octokit = new Octokit({
        auth: token,
        baseUrl: apiBaseUrl,
        request: { timeout: REQUEST_TIMEOUT_MS },
      });
      const { data } = await octokit.repos.getCommit({ owner, repo, ref: sha });
      const commit: CommitInfo = {
        sha: data.sha,
        message: data.commit.message,
        author: {
          name: data.commit.author?.name ?? data.author?.login ?? 'unknown',
          ...(data.author?.login ? { login: data.author.login } : {}),
          ...(data.author?.avatar_url
            ? { avatarUrl: data.author.avatar_url }
            : {}),
        },
        ...(data.commit.committer?.date || data.commit.author?.date
          ? {
              committedAt:
                data.commit.committer?.date ?? data.commit.author?.date,
            }
          : {}),
        url: data.html_url || `${webUrl}/commit/${data.sha}`,
      };
      // The commit is known either way; an unsaved one is only asked of GitHub again.
      await this.options.store.saveCommit(webUrl, sha, commit).then(
        () => this.storeAnswered(),
        error => this.storeFailed('write', error),
      );
      return { commit };
    } catch (e) {
      if (e instanceof RateLimitedError) {
        return { error: e.message };
      }
      const error = this.describe(e as GitHubRequestError, apiBaseUrl ?? '', {
        owner,
        repo,
        short,
      });
      this.options.logger.warn(`Commit ${short} of ${owner}/${repo}: ${error}`);
      return { error };
    }
  }

  private storeFailed(operation: 'read' | 'write', error: unknown) {
    if (!this.storeFailing) {
      this.storeFailing = true;
      this.options.logger.error(
        'Argo CD commit store failed; history entries go without commit details until it recovers',
        { operation, error: String(error) },
      );
    }
  }

  private storeAnswered() {
    if (this.storeFailing) {
      this.storeFailing = false;
      this.options.logger.info('Argo CD commit store answers again');
    }
  }

  private rateLimitMessage(resetsAt: Date) {
    return `GitHub rate limit exceeded; it resets at ${resetsAt.toISOString()}`;
  }

  private describe(
    e: GitHubRequestError,
    apiBaseUrl: string,
    { owner, repo, short }: { owner: string; repo: string; short: string },
  ): string {
    const headers = e.response?.headers ?? {};
    const remaining = headers['x-ratelimit-remaining'];
    const reset = Number(headers['x-ratelimit-reset']);
    const retryAfter = Number(headers['retry-after']);
    const rateLimited =
      e.status === 429 ||
      (e.status === 403 &&
        (String(remaining) === '0' ||
          Number.isFinite(retryAfter) ||
          /rate limit/i.test(e.message ?? '')));
    if (rateLimited) {
      let resetsAt: Date | undefined;
      if (Number.isFinite(retryAfter) && retryAfter > 0) {
        resetsAt = new Date(Date.now() + retryAfter * 1000);
      } else if (Number.isFinite(reset) && reset > 0) {
        resetsAt = new Date(reset * 1000);
      }
      if (resetsAt) {
        this.rateLimitedUntil.set(apiBaseUrl, resetsAt);
        return this.rateLimitMessage(resetsAt);
      }
      return 'GitHub rate limit exceeded';
    }
    if (e.status === 404 || e.status === 422) {
      return `commit ${short} not found in ${owner}/${repo} (${e.status})`;
    }
    if (e.status === 401 || e.status === 403) {
      return `GitHub rejected the integration's credentials for ${owner}/${repo} (${e.status})`;
    }
    return `GitHub request for ${owner}/${repo}@${short} failed${
      e.status ? ` (${e.status})` : ''
    }: ${e.message ?? String(e)}`;
  }
}
