import { Octokit } from '@octokit/rest';
import { GithubFactStore } from './GithubFactStore';

/** Thrown when GitHub's rate limit is exhausted; no request is made until `until`. */
export class RateLimitedError extends Error {
  constructor(readonly until: Date) {
    super(`GitHub rate limit exhausted until ${until.toISOString()}`);
  }
}

/**
 * What a GET came back with: the data and the ETag GitHub gave it (the same ETag means the same
 * answer), or that there is nothing there.
 */
export type GetResult<T> =
  | { found: true; data: T; etag?: string }
  | { found: false };

interface OctokitError {
  status?: number;
  response?: { headers?: Record<string, string | number | undefined> };
}

/** Requests made through one client, for logs and tests. */
export interface RequestCounts {
  /** Requests sent to GitHub. */
  sent: number;
  /** Of those, answered 304 Not Modified (which GitHub does not count against the rate limit). */
  notModified: number;
}

/**
 * GETs against one GitHub API with `If-None-Match`, replaying the stored answer on a 304. ETags
 * and answers live in the database, so a replica benefits from what another one fetched. Once
 * the rate limit is hit, every later call throws {@link RateLimitedError} without asking.
 */
export class ConditionalGithubClient {
  readonly counts: RequestCounts = { sent: 0, notModified: 0 };

  constructor(
    private readonly octokit: Octokit,
    private readonly store: GithubFactStore,
    private readonly apiBaseUrl: string,
  ) {}

  async get<T>(
    route: string,
    params: Record<string, string | number>,
    options: { raw?: boolean } = {},
  ): Promise<GetResult<T>> {
    const limitedUntil = await this.store.getRateLimitedUntil(this.apiBaseUrl);
    if (limitedUntil) throw new RateLimitedError(limitedUntil);

    const request = {
      ...params,
      ...(options.raw ? { mediaType: { format: 'raw' } } : {}),
    };
    const { url } = this.octokit.request.endpoint(`GET ${route}`, request);
    const key = options.raw ? `${url}#raw` : url;
    const stored = await this.store.getResponse(key);
    this.counts.sent++;
    try {
      const response = await this.octokit.request(`GET ${route}`, {
        ...request,
        headers: stored ? { 'if-none-match': stored.etag } : {},
      });
      const etag = response.headers.etag;
      if (etag) {
        await this.store.saveResponse(key, { etag, data: response.data });
      }
      return { found: true, data: response.data as T, etag };
    } catch (e) {
      const error = e as OctokitError;
      if (error.status === 304 && stored) {
        this.counts.notModified++;
        return { found: true, data: stored.data as T, etag: stored.etag };
      }
      if (error.status === 404) return { found: false };
      const until = rateLimitReset(error);
      if (until) {
        await this.store.setRateLimitedUntil(this.apiBaseUrl, until);
        throw new RateLimitedError(until);
      }
      throw e;
    }
  }
}

/**
 * When a rate-limited request may be retried: the primary limit's reset time when no requests
 * remain, `Retry-After` for the secondary limit; undefined for any other error.
 */
function rateLimitReset(error: OctokitError): Date | undefined {
  if (error.status !== 403 && error.status !== 429) return undefined;
  const headers = error.response?.headers ?? {};
  const retryAfter = Number(headers['retry-after']);
  if (retryAfter > 0) return new Date(Date.now() + retryAfter * 1000);
  if (String(headers['x-ratelimit-remaining']) === '0') {
    const reset = Number(headers['x-ratelimit-reset']);
    if (reset > 0) return new Date(reset * 1000);
  }
  // GitHub documents a minute's wait for a 429 that names no time.
  return error.status === 429 ? new Date(Date.now() + 60_000) : undefined;
}
