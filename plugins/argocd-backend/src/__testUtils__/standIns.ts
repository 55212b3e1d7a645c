/*
 * Real stand-ins for the plugin's tests: HTTPS Kubernetes API servers with the simulated Argo CD
 * controller, and the GitHub stand-in with real git repositories. Everything is talked to over
 * HTTP, as the plugin does in production.
 */
import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  SignalPayload,
  signalsServiceRef,
} from '@backstage/plugin-signals-node';
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
} from '@kubernetes/client-node';
import {
  GitHubStandIn,
  KubernetesStandIn,
  StandInConnection,
  TlsKeyPair,
  standInClusterConfig,
  standInKubeConfig,
  startGitHubStandIn,
  startKubernetesStandIn,
} from '@paved/sandbox';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const KUBERNETES_TOKEN = 'argocd-plugin-test-token';
export const GITHUB_TOKEN = 'argocd-plugin-github-token';

/**
 * What the simulated Argo CD deploys: the newest commit each repository URL points at here, or
 * a fixed fake SHA for repositories the GitHub stand-in does not hold.
 */
export class DeployedRevisions {
  private readonly heads = new Map<string, string>();

  set(repoURL: string, sha: string) {
    this.heads.set(repoURL, sha);
  }

  resolve = async (repoURL: string): Promise<string> =>
    this.heads.get(repoURL) ?? createHash('sha1').update(repoURL).digest('hex');
}

export interface TestCluster {
  standIn: KubernetesStandIn;
  kubeConfig: KubeConfig;
  connection: StandInConnection;
}

export async function startCluster(
  clusterName: string,
  revisions: DeployedRevisions,
  tls?: TlsKeyPair,
): Promise<TestCluster> {
  const standIn = await startKubernetesStandIn({
    clusterName,
    token: KUBERNETES_TOKEN,
    tls,
    controllers: {
      crossplane: false,
      delayMs: 100,
      revisionPollIntervalMs: 200,
      resolveRevision: revisions.resolve,
    },
  });
  const kubeConfig = standInKubeConfig(standIn, KUBERNETES_TOKEN);
  return {
    standIn,
    kubeConfig,
    connection: {
      url: standIn.url,
      caPem: standIn.caPem,
      token: KUBERNETES_TOKEN,
    },
  };
}

export interface ApplicationSpec {
  name: string;
  namespace?: string;
  project?: string;
  labels?: Record<string, string>;
  repoURL: string;
  /** More of `spec.source`, e.g. Helm values. */
  source?: Record<string, unknown>;
}

async function ensureNamespace(cluster: TestCluster, namespace: string) {
  await cluster.kubeConfig
    .makeApiClient(CoreV1Api)
    .createNamespace({ body: { metadata: { name: namespace } } })
    .catch(error => {
      if (error?.code !== 409) throw error;
    });
}

/** Creates an AppProject in the `argocd` namespace, where Argo CD reads them. */
export async function createAppProject(
  cluster: TestCluster,
  project: {
    name: string;
    roles: Array<{ name: string; groups: string[] }>;
    sourceNamespaces?: string[];
  },
) {
  await ensureNamespace(cluster, 'argocd');
  await cluster.kubeConfig
    .makeApiClient(CustomObjectsApi)
    .createNamespacedCustomObject({
      group: 'argoproj.io',
      version: 'v1alpha1',
      plural: 'appprojects',
      namespace: 'argocd',
      body: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'AppProject',
        metadata: { name: project.name },
        spec: {
          sourceRepos: ['*'],
          destinations: [{ server: '*', namespace: '*' }],
          roles: project.roles,
          ...(project.sourceNamespaces
            ? { sourceNamespaces: project.sourceNamespaces }
            : {}),
        },
      },
    });
}

/** Creates an automatically syncing Application (and its namespace) through the API server. */
export async function createApplication(
  cluster: TestCluster,
  spec: ApplicationSpec,
) {
  const namespace = spec.namespace ?? 'argocd';
  await ensureNamespace(cluster, namespace);
  await cluster.kubeConfig
    .makeApiClient(CustomObjectsApi)
    .createNamespacedCustomObject({
      group: 'argoproj.io',
      version: 'v1alpha1',
      plural: 'applications',
      namespace,
      body: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: { name: spec.name, labels: spec.labels ?? {} },
        spec: {
          project: spec.project ?? 'default',
          source: {
            repoURL: spec.repoURL,
            path: 'deploy',
            targetRevision: 'main',
            ...spec.source,
          },
          destination: {
            server: 'https://kubernetes.default.svc',
            namespace: spec.name,
          },
          syncPolicy: { automated: { prune: true } },
        },
      },
    });
}

/** The `kubernetes.clusterLocatorMethods` entry of a stand-in, as Paved configures it. */
export function clusterConfig(
  cluster: TestCluster,
  overrides: Record<string, unknown> = {},
) {
  return {
    ...standInClusterConfig(cluster.standIn, KUBERNETES_TOKEN),
    ...overrides,
  };
}

export interface TestGitHub {
  standIn: GitHubStandIn;
  /** Clone URL of a repository, as Argo CD would be given it. */
  cloneUrl(repo: string): string;
  /** The integration config that points Backstage at the stand-in, as the sandbox overlay does. */
  integration: { host: string; apiBaseUrl: string; token: string };
  /** Requests the REST API has served so far, read from its rate-limit headers. */
  requestsServed(): Promise<number>;
  stop(): Promise<void>;
}

export async function startGitHub(): Promise<TestGitHub> {
  const dataDir = mkdtempSync(join(tmpdir(), 'argocd-github-'));
  const standIn = await startGitHubStandIn({
    tokens: [GITHUB_TOKEN],
    dataDir,
    org: 'acme',
  });
  return {
    standIn,
    cloneUrl: repo => `${standIn.gitBaseUrl}/acme/${repo}.git`,
    integration: {
      host: new URL(standIn.apiUrl).host,
      apiBaseUrl: standIn.apiUrl,
      token: GITHUB_TOKEN,
    },
    // Every counted request raises X-RateLimit-Used by one, this probe included.
    async requestsServed() {
      const res = await fetch(`${standIn.apiUrl}/user`, {
        headers: { authorization: `token ${GITHUB_TOKEN}` },
      });
      return Number(res.headers.get('x-ratelimit-used')) - 1;
    },
    async stop() {
      await standIn.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A signals service that records what the plugin publishes. */
export function recordingSignals() {
  const published: SignalPayload[] = [];
  return {
    published,
    factory: createServiceFactory({
      service: signalsServiceRef,
      deps: {},
      factory: () => ({
        async publish(signal: SignalPayload<any>) {
          published.push(signal);
        },
      }),
    }),
  };
}
