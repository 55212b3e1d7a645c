/*
 * A GitOps repository on the GitHub stand-in, reached by the plugin through a relay (so a test
 * can cut GitHub off), read by the clusters' Argo CD directly, with a person who merges or
 * closes pull requests as one would on GitHub.
 */
import { Octokit } from '@octokit/rest';
import {
  GitHubStandIn,
  gitHubManifestReader,
  gitHubRevisionResolver,
  startGitHubStandIn,
} from '@paved/sandbox';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestCluster, startRelay } from './clusters';

const BOT_TOKEN = 'paved-gitops-bot-token';
const PERSON_TOKEN = 'sre-alice-token';

export interface TestGitOpsRepository {
  github: GitHubStandIn;
  owner: string;
  repo: string;
  /** The repository's web URL as the plugin reaches it (`crossplane.environments[].delivery.repository`). */
  repository: string;
  /** The `integrations.github` entry the plugin uses, through the relay. */
  integration: { host: string; apiBaseUrl: string; token: string };
  /** Alice, who reviews, merges and closes pull requests on GitHub. */
  person: Octokit;
  /** What Argo CD on a cluster reads the repository with. */
  argoCd: {
    resolveRevision: ReturnType<typeof gitHubRevisionResolver>;
    readManifests: ReturnType<typeof gitHubManifestReader>;
  };
  /** Every pull request of the repository, newest first. */
  pullRequests(): Promise<
    Awaited<ReturnType<Octokit['rest']['pulls']['list']>>['data']
  >;
  /** A file's text on a branch, or undefined when the branch has no such file. */
  fileOn(branch: string, path: string): Promise<string | undefined>;
  /** Makes GitHub unreachable for the plugin, and reachable again. */
  disconnect(): Promise<void>;
  reconnect(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the GitHub stand-in with `acme/platform-gitops`, a folder per environment on `main`. */
export async function startGitOpsRepository(options: {
  environments: string[];
}): Promise<TestGitOpsRepository> {
  const owner = 'acme';
  const repo = 'platform-gitops';
  const dataDir = await mkdtemp(join(tmpdir(), 'paved-gitops-'));
  const github = await startGitHubStandIn({
    tokens: [
      { token: BOT_TOKEN, login: 'paved-bot', name: 'Paved' },
      { token: PERSON_TOKEN, login: 'alice', email: 'alice@acme.test' },
    ],
    dataDir,
    org: owner,
  });
  await github.createRepo(owner, repo, {
    description: 'What Argo CD applies to the platform clusters',
    files: Object.fromEntries(
      options.environments.map(env => [
        `infrastructure/${env}/README.md`,
        `Infrastructure of ${env}, one folder per team namespace.\n`,
      ]),
    ),
  });
  const relay = await startRelay(new URL(github.webUrl));
  const relayHost = new URL(relay.url).host;
  const person = new Octokit({ auth: PERSON_TOKEN, baseUrl: github.apiUrl });
  return {
    github,
    owner,
    repo,
    repository: `${relay.url}/${owner}/${repo}`,
    integration: {
      host: relayHost,
      apiBaseUrl: `${relay.url}/api/v3`,
      token: BOT_TOKEN,
    },
    person,
    argoCd: {
      resolveRevision: gitHubRevisionResolver(
        github.gitBaseUrl,
        github.apiUrl,
        BOT_TOKEN,
      ),
      readManifests: gitHubManifestReader(
        github.gitBaseUrl,
        github.apiUrl,
        BOT_TOKEN,
      ),
    },
    async pullRequests() {
      const { data } = await person.rest.pulls.list({
        owner,
        repo,
        state: 'all',
      });
      return data;
    },
    async fileOn(branch, path) {
      try {
        const { data } = await person.rest.repos.getContent({
          owner,
          repo,
          path,
          ref: branch,
          mediaType: { format: 'raw' },
        });
        return data as unknown as string;
      } catch (error) {
        if ((error as { status?: number }).status === 404) return undefined;
        throw error;
      }
    },
    disconnect: relay.close,
    reconnect: relay.listen,
    async stop() {
      await relay.close();
      await github.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * An Argo CD Application on `cluster` syncing a folder of the GitOps repository (and its
 * subfolders) automatically, pruning what the folder no longer has, as the platform team sets
 * up once per environment.
 */
export async function syncFolder(
  cluster: TestCluster,
  gitops: TestGitOpsRepository,
  name: string,
  path: string,
): Promise<void> {
  await cluster.objects.createNamespacedCustomObject({
    group: 'argoproj.io',
    version: 'v1alpha1',
    plural: 'applications',
    namespace: 'argocd',
    body: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name, namespace: 'argocd' },
      spec: {
        project: 'default',
        source: {
          repoURL: `${gitops.github.gitBaseUrl}/${gitops.owner}/${gitops.repo}.git`,
          targetRevision: 'main',
          path,
          directory: { recurse: true },
        },
        destination: {
          server: 'https://kubernetes.default.svc',
          namespace: 'default',
        },
        syncPolicy: { automated: { prune: true, selfHeal: true } },
      },
    },
  });
}
