import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  DefaultGithubCredentialsProvider,
  GithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import {
  InfrastructureRequest,
  RequestPullRequest,
} from '@paved/plugin-crossplane-common';
import { Octokit } from '@octokit/rest';
import { stringify } from 'yaml';

/** How an environment's requests reach its cluster, from `crossplane.environments[].delivery`. */
export type EnvironmentDelivery = { type: 'direct' } | GitOpsTarget;

/** Where an environment's manifests are committed: a folder of a GitOps repository's branch. */
export interface GitOpsTarget {
  type: 'gitops';
  /** The repository's web URL, e.g. `https://github.com/acme/platform-gitops`. */
  repository: string;
  owner: string;
  repo: string;
  /** The branch pull requests go to, which Argo CD syncs. */
  branch: string;
  /** Folder template; `{environment}`, `{cluster}` and `{namespace}` are filled in. */
  path: string;
}

const PATH_PLACEHOLDERS = ['environment', 'cluster', 'namespace'];

/** Reads an environment's `delivery`, refusing what cannot work with a message naming the key. */
export function readDelivery(
  env: Config,
  environment: string,
): EnvironmentDelivery {
  const key = `crossplane.environments: environment '${environment}' delivery`;
  const type = env.getOptionalString('delivery.type') ?? 'direct';
  if (type === 'direct') return { type };
  if (type !== 'gitops') {
    throw new Error(`${key}.type is '${type}'; use 'direct' or 'gitops'`);
  }
  const repository = env.getOptionalString('delivery.repository');
  if (!repository) {
    throw new Error(
      `${key}.repository is required for gitops: the web URL of a GitHub repository, e.g. https://github.com/acme/platform-gitops`,
    );
  }
  let url: URL | undefined;
  try {
    url = new URL(repository);
  } catch {
    // Reported below.
  }
  const segments = url?.pathname.split('/').filter(Boolean) ?? [];
  // Plain HTTP only for a GitHub on this machine, such as the sandbox's stand-in.
  const loopback =
    url && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (
    !url ||
    !(url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) ||
    segments.length !== 2
  ) {
    throw new Error(
      `${key}.repository '${repository}' is not the https URL of a GitHub repository, e.g. https://github.com/acme/platform-gitops`,
    );
  }
  const path = (
    env.getOptionalString('delivery.path') ??
    'infrastructure/{environment}/{namespace}'
  ).replace(/^\/+|\/+$/g, '');
  const unknown = [...path.matchAll(/\{([^}]*)\}/g)]
    .map(match => match[1])
    .filter(name => !PATH_PLACEHOLDERS.includes(name));
  if (unknown.length > 0 || path.split('/').includes('..') || !path) {
    throw new Error(
      `${key}.path '${path}' must be a folder inside the repository using only ${PATH_PLACEHOLDERS.map(
        p => `{${p}}`,
      ).join(', ')}`,
    );
  }
  return {
    type,
    repository: `${url.origin}/${segments.join('/')}`,
    owner: segments[0],
    repo: segments[1].replace(/\.git$/, ''),
    branch: env.getOptionalString('delivery.branch') ?? 'main',
    path,
  };
}

/** Where a request's manifest lives in its environment's GitOps repository. */
export function manifestPathOf(
  request: InfrastructureRequest,
  target: GitOpsTarget,
): string {
  const { resource } = request;
  const values: Record<string, string> = {
    environment: request.environment,
    cluster: resource.cluster,
    // Cluster-scoped composites have no namespace; they share one folder.
    namespace: resource.namespace ?? 'cluster-scoped',
  };
  const folder = target.path.replace(/\{(\w+)\}/g, (_, name) => values[name]);
  return `${folder}/${resource.kind.toLowerCase()}-${resource.name}.yaml`;
}

/** The branch a request's pull request comes from. */
export function branchOf(request: InfrastructureRequest): string {
  return `paved/request-${request.id}`;
}

/** How opening (or finding) a request's pull request ended. */
export type PullRequestOutcome =
  | { result: 'opened'; pullRequest: RequestPullRequest }
  /** GitHub refused in a way retrying cannot fix (no such repository or branch). */
  | { result: 'refused'; message: string }
  /**
   * A passing failure (rate limit, GitHub unreachable): try again at `retryAt` (GitHub's reset
   * time), or at the delivery task's next run without one.
   */
  | { result: 'retry'; message: string; retryAt?: Date };

/** Where a request's pull request is, as GitHub reports it. */
export type PullRequestState =
  | { state: 'open' }
  | { state: 'merged'; by?: string; at?: string }
  | { state: 'closed'; by?: string; at?: string }
  | { state: 'unknown'; message: string; retryAt?: Date };

/** What an error from GitHub looks like through Octokit (`RequestError`). */
interface GitHubError {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | undefined> };
}

/**
 * Delivers requests through a GitOps repository on GitHub: commits a request's manifest to its
 * own branch `paved/request-<id>` and opens a pull request to the environment's branch, which
 * Argo CD applies once merged. Every step first looks for what an earlier attempt made, so a
 * retry after a crash or a rate limit finds the branch and pull request instead of making
 * others. Credentials come from Backstage's GitHub integration for the repository's host.
 */
export class GitOpsDelivery {
  /** Checks that every gitops environment's repository has a GitHub integration. */
  static fromConfig(
    config: Config,
    options: {
      targets: GitOpsTarget[];
      logger: LoggerService;
    },
  ): GitOpsDelivery {
    const integrations = ScmIntegrations.fromConfig(config);
    for (const target of options.targets) {
      if (!integrations.github.byUrl(target.repository)) {
        throw new Error(
          `crossplane.environments: the GitOps repository ${
            target.repository
          } has no GitHub integration; add integrations.github with host ${
            new URL(target.repository).host
          }`,
        );
      }
    }
    return new GitOpsDelivery({
      integrations,
      credentials:
        DefaultGithubCredentialsProvider.fromIntegrations(integrations),
      portalUrl: config.getString('app.baseUrl'),
      logger: options.logger,
    });
  }

  constructor(
    private readonly options: {
      integrations: ScmIntegrations;
      credentials: GithubCredentialsProvider;
      /** The portal's base URL, for the link to the request page. */
      portalUrl: string;
      logger: LoggerService;
    },
  ) {}

  private async client(target: GitOpsTarget): Promise<Octokit> {
    const integration = this.options.integrations.github.byUrl(
      target.repository,
    );
    if (!integration) {
      throw new Error(`No GitHub integration for ${target.repository}`);
    }
    const { token } = await this.options.credentials.getCredentials({
      url: target.repository,
    });
    return new Octokit({
      auth: token,
      baseUrl: integration.config.apiBaseUrl,
      // Retries are the delivery task's, at the time GitHub names; none inside a call.
      request: { retries: 0 },
    });
  }

  /**
   * Puts `manifest` (or, when undefined, the absence of the request's file) on the request's
   * branch and makes sure a pull request to the environment's branch is open for it.
   */
  async open(
    request: InfrastructureRequest,
    target: GitOpsTarget,
    manifest: object | undefined,
  ): Promise<PullRequestOutcome> {
    const where = `GitOps repository ${target.owner}/${target.repo}`;
    try {
      const octokit = await this.client(target);
      const repoArgs = { owner: target.owner, repo: target.repo };
      const branch = branchOf(request);
      const existing = await this.findPullRequest(octokit, target, branch);
      if (existing) return { result: 'opened', pullRequest: existing };

      const base = await this.branchTip(octokit, target, target.branch);
      if (!base) {
        return {
          result: 'refused',
          message: `${where} has no branch ${target.branch}`,
        };
      }
      if (!(await this.branchTip(octokit, target, branch))) {
        await octokit.rest.git
          .createRef({ ...repoArgs, ref: `refs/heads/${branch}`, sha: base })
          .catch(error => {
            // Made a moment ago by another attempt (a replica, or the scheduled retry).
            if ((error as GitHubError).status !== 422) throw error;
          });
      }
      const path = manifestPathOf(request, target);
      await this.writeFile(octokit, request, target, path, manifest).catch(
        async error => {
          // Another attempt wrote the same file first (GitHub: 409 or 422 on a stale sha).
          const status = (error as GitHubError).status;
          if (status !== 409 && status !== 422) throw error;
          await this.writeFile(octokit, request, target, path, manifest);
        },
      );
      try {
        const { data } = await octokit.rest.pulls.create({
          ...repoArgs,
          head: branch,
          base: target.branch,
          title: this.titleOf(request, manifest !== undefined),
          body: this.bodyOf(request, path),
        });
        return {
          result: 'opened',
          pullRequest: {
            repository: target.repository,
            number: data.number,
            url: data.html_url,
          },
        };
      } catch (error) {
        // Opened by an attempt whose answer was lost; find it rather than fail.
        const raced = await this.findPullRequest(octokit, target, branch);
        if (raced) return { result: 'opened', pullRequest: raced };
        throw error;
      }
    } catch (error) {
      return this.failure(error, where);
    }
  }

  /** Reads whether the request's pull request is still open, merged or closed. */
  async state(
    target: GitOpsTarget,
    pullRequest: RequestPullRequest,
  ): Promise<PullRequestState> {
    try {
      const octokit = await this.client(target);
      const { data } = await octokit.rest.pulls.get({
        owner: target.owner,
        repo: target.repo,
        pull_number: pullRequest.number,
      });
      if (data.merged_at) {
        return {
          state: 'merged',
          ...(data.merged_by ? { by: data.merged_by.login } : {}),
          at: data.merged_at,
        };
      }
      if (data.state === 'closed') {
        // Pull requests are issues; only the issue names who closed it.
        const { data: issue } = await octokit.rest.issues.get({
          owner: target.owner,
          repo: target.repo,
          issue_number: pullRequest.number,
        });
        return {
          state: 'closed',
          ...(issue.closed_by ? { by: issue.closed_by.login } : {}),
          ...(data.closed_at ? { at: data.closed_at } : {}),
        };
      }
      return { state: 'open' };
    } catch (error) {
      const failure = this.failure(
        error,
        `pull request #${pullRequest.number} of ${target.owner}/${target.repo}`,
      );
      return {
        state: 'unknown',
        message: failure.message,
        ...(failure.result === 'retry' && failure.retryAt
          ? { retryAt: failure.retryAt }
          : {}),
      };
    }
  }

  /** Makes the request's file on its branch hold `manifest`, or removes it when undefined. */
  private async writeFile(
    octokit: Octokit,
    request: InfrastructureRequest,
    target: GitOpsTarget,
    path: string,
    manifest: object | undefined,
  ): Promise<void> {
    const branch = branchOf(request);
    const repoArgs = { owner: target.owner, repo: target.repo };
    const file = await this.fileOn(octokit, target, branch, path);
    const content = manifest ? stringify(manifest) : undefined;
    const what = `${request.resource.kind} ${request.resource.name}`;
    if (content !== undefined && content !== file?.content) {
      await octokit.rest.repos.createOrUpdateFileContents({
        ...repoArgs,
        path,
        branch,
        message: `${file ? 'Update' : 'Add'} ${what} for ${
          request.entityRef
        } (Paved request ${request.id})`,
        content: Buffer.from(content, 'utf8').toString('base64'),
        ...(file ? { sha: file.sha } : {}),
      });
    } else if (content === undefined && file) {
      await octokit.rest.repos.deleteFile({
        ...repoArgs,
        path,
        branch,
        sha: file.sha,
        message: `Remove ${what} of ${request.entityRef} (Paved request ${request.id})`,
      });
    }
  }

  private titleOf(request: InfrastructureRequest, adding: boolean): string {
    const { resource } = request;
    return `${adding ? 'Create' : 'Delete'} ${request.offeringTitle} ${
      resource.name
    } for ${request.entityRef} in ${request.environment}`;
  }

  private bodyOf(request: InfrastructureRequest, path: string): string {
    const { resource, approval } = request;
    const link = `${this.options.portalUrl.replace(
      /\/+$/,
      '',
    )}/infrastructure/requests/${request.id}`;
    return [
      `Paved request [${request.id}](${link}) for \`${request.entityRef}\` (owned by \`${request.ownerRef}\`).`,
      '',
      `- Requested by: \`${request.requestedBy}\``,
      `- Resource: ${resource.kind} \`${
        resource.namespace ? `${resource.namespace}/` : ''
      }${resource.name}\` on cluster \`${resource.cluster}\` (${
        request.environment
      })`,
      `- File: \`${path}\``,
      approval
        ? `- Approval: ${approval.decision} by \`${approval.by}\` at ${
            approval.at
          }${approval.comment ? ` — "${approval.comment}"` : ''}`
        : '- Approval: not required in this environment',
      '',
      `Merging applies it through Argo CD; the request page follows it: ${link}`,
    ].join('\n');
  }

  private async findPullRequest(
    octokit: Octokit,
    target: GitOpsTarget,
    branch: string,
  ): Promise<RequestPullRequest | undefined> {
    const { data } = await octokit.rest.pulls.list({
      owner: target.owner,
      repo: target.repo,
      head: `${target.owner}:${branch}`,
      base: target.branch,
      state: 'all',
    });
    // The newest, should a person have closed one and reopened another.
    const [pull] = data;
    return pull
      ? {
          repository: target.repository,
          number: pull.number,
          url: pull.html_url,
        }
      : undefined;
  }

  private async branchTip(
    octokit: Octokit,
    target: GitOpsTarget,
    branch: string,
  ): Promise<string | undefined> {
    try {
      const { data } = await octokit.rest.git.getRef({
        owner: target.owner,
        repo: target.repo,
        ref: `heads/${branch}`,
      });
      return data.object.sha;
    } catch (error) {
      if ((error as GitHubError).status === 404) return undefined;
      throw error;
    }
  }

  private async fileOn(
    octokit: Octokit,
    target: GitOpsTarget,
    branch: string,
    path: string,
  ): Promise<{ sha: string; content: string } | undefined> {
    try {
      const { data } = await octokit.rest.repos.getContent({
        owner: target.owner,
        repo: target.repo,
        path,
        ref: branch,
      });
      if (Array.isArray(data) || data.type !== 'file') {
        throw new Error(`${path} is not a file on ${branch}`);
      }
      return {
        sha: data.sha,
        content: Buffer.from(data.content ?? '', 'base64').toString('utf8'),
      };
    } catch (error) {
      if ((error as GitHubError).status === 404) return undefined;
      throw error;
    }
  }

  /** Turns an error from GitHub into a message a person can act on, and whether to retry. */
  private failure(
    error: unknown,
    where: string,
  ): Extract<PullRequestOutcome, { result: 'retry' | 'refused' }> {
    const { status, message, response } = error as GitHubError;
    const headers = response?.headers ?? {};
    const now = Date.now();
    if (status === 403 || status === 429) {
      const retryAfter = Number(headers['retry-after']);
      const reset = Number(headers['x-ratelimit-reset']);
      let retryAt: Date | undefined;
      if (headers['retry-after'] !== undefined && retryAfter >= 0) {
        retryAt = new Date(now + retryAfter * 1000);
      } else if (headers['x-ratelimit-remaining'] === '0' && reset > 0) {
        retryAt = new Date(reset * 1000);
      }
      if (retryAt) {
        this.options.logger.warn('GitHub rate limit', {
          where,
          retryAt: retryAt.toISOString(),
        });
        return {
          result: 'retry',
          message: `GitHub rate limit; retrying at ${retryAt.toISOString()}`,
          retryAt,
        };
      }
    }
    // Without a response GitHub was not reached (Octokit still reports status 500 then).
    const detail = response
      ? `${where}: GitHub answered ${status}: ${message}`
      : `${where}: GitHub unreachable: ${message ?? String(error)}`;
    // 404: no such repository, or no access to it. A 422 is more likely a race with another
    // attempt, which the next run sorts out.
    if (response && status === 404) {
      return { result: 'refused', message: detail };
    }
    // Unreachable, 5xx, bad credentials or permissions: an operator can fix those without the request changing.
    return { result: 'retry', message: `${detail}; retrying` };
  }
}
