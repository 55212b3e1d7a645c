/*
 * The sandbox: the stand-ins the portal talks to in development. Two Kubernetes clusters
 * (`sandbox-dev`, `sandbox-prod`) and the GitHub stand-in, seeded with the demo organisation from
 * demo/, plus the files that let any client find them:
 *   kubeconfig        one context per cluster, for kubectl and any client
 *   app-config.yaml   the overlay that points Paved's GitHub integration, GitHub sign-in and
 *                     clusters here
 * Everything lives in memory and is seeded afresh at each start.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { seedGitOpsRepository } from './demo/gitopsRepository';
import { seedInfrastructure } from './demo/infrastructure';
import { readDemoOrganisation } from './demo/organisation';
import { seedDemo } from './demo/seed';
import { GitHubStandIn, OAuthApp, startGitHubStandIn } from './github';
import { ManifestReader, RevisionResolver } from './kubernetes/argocd';
import { RepositoryFiles, unreadBases } from './kubernetes/manifests';
import { standInClusterConfig, standInKubeConfig } from './kubernetes/access';
import { KubernetesStandIn, startKubernetesStandIn } from './kubernetes/server';

export interface Sandbox {
  github: GitHubStandIn;
  clusters: KubernetesStandIn[];
  token: string;
  /** The OAuth app GitHub sign-in uses; its credentials are new at each start. */
  oauthApp: OAuthApp;
  stop(): Promise<void>;
}

/**
 * Where GitHub sends people back after sign-in. A loopback callback without a port accepts any
 * port, as on GitHub, so a portal on localhost:3000, :7007 or a test's random port all work.
 */
export const SIGN_IN_CALLBACK_URL =
  'http://localhost/api/auth/github/handler/frame';

/** A fresh OAuth app for GitHub sign-in, shaped like GitHub's credentials (20 and 40 hex). */
export function newOAuthApp(): OAuthApp {
  return {
    clientId: `Ov23li${randomBytes(7).toString('hex')}`,
    clientSecret: randomBytes(20).toString('hex'),
    callbackUrl: SIGN_IN_CALLBACK_URL,
    name: 'Paved',
  };
}

/**
 * The GitHub part of the overlay: the integration (REST, GraphQL and git) and the same GitHub
 * auth provider production configures, under the `development` environment the embedded
 * default runs in, pointed at the stand-in's OAuth web flow.
 */
export function gitHubOverlay(
  github: GitHubStandIn,
  token: string,
  oauthApp: OAuthApp,
) {
  return {
    integrations: {
      github: [
        {
          host: new URL(github.apiUrl).host,
          apiBaseUrl: github.apiUrl,
          token,
        },
      ],
    },
    auth: {
      providers: {
        github: {
          development: {
            clientId: oauthApp.clientId,
            clientSecret: oauthApp.clientSecret,
            enterpriseInstanceUrl: github.webUrl,
            signIn: {
              resolvers: [{ resolver: 'usernameMatchingUserEntityName' }],
            },
          },
        },
      },
    },
    // The sign-in page offers GitHub first; the guest stays for a quick look.
    paved: { signIn: { providers: ['github', 'guest'] } },
  };
}

/** The checkout this runs in: the nearest folder up from `from` holding backstage.json. */
export function findRepoRoot(from: string): string {
  let dir = resolve(from);
  while (!existsSync(join(dir, 'backstage.json'))) {
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(
        `no backstage.json above ${from}: run the sandbox inside the Paved repo`,
      );
    }
    dir = parent;
  }
  return dir;
}

/** The kubeconfig file `yarn sandbox` writes: one context per cluster, for kubectl. */
function kubeconfigFile(clusters: KubernetesStandIn[], token: string) {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: clusters.map(c => ({
      name: c.clusterName,
      cluster: { server: c.url, 'certificate-authority-data': c.caData },
    })),
    users: [{ name: 'sandbox-admin', user: { token } }],
    contexts: clusters.map(c => ({
      name: c.clusterName,
      context: { cluster: c.clusterName, user: 'sandbox-admin' },
    })),
    'current-context': clusters[0].clusterName,
  };
}

/** How long the clusters' controllers take to sync, provision or start a Pod once the sandbox is up. */
const CONTROLLER_DELAY_MS = 2000;
/** The same while seeding walks every Application through its history, which nobody watches. */
const SEEDING_DELAY_MS = 200;

/** The owner and name of a repository the GitHub stand-in serves, from its clone URL. */
function repoOf(gitBaseUrl: string, repoURL: string) {
  if (!repoURL.startsWith(`${gitBaseUrl}/`)) {
    return undefined;
  }
  const [owner, repo] = repoURL
    .slice(gitBaseUrl.length + 1)
    .replace(/\.git$/, '')
    .split('/');
  return { owner, repo };
}

const FULL_SHA = /^[0-9a-f]{40}$/;

/**
 * Remembers answers that cannot change, as Argo CD's repo server caches per commit: both
 * clusters then read each revision once. Failures are not remembered.
 */
function memoise<Args extends string[], T>(
  fn: (...args: Args) => Promise<T | undefined>,
  cacheable: (...args: Args) => boolean,
): (...args: Args) => Promise<T | undefined> {
  const answers = new Map<string, Promise<T | undefined>>();
  return (...args) => {
    if (!cacheable(...args)) {
      return fn(...args);
    }
    const key = JSON.stringify(args);
    let answer = answers.get(key);
    if (!answer) {
      answer = fn(...args).then(value => {
        if (value === undefined) {
          answers.delete(key);
        }
        return value;
      });
      answer.catch(() => answers.delete(key));
      answers.set(key, answer);
    }
    return answer;
  };
}

/**
 * Argo CD syncs an Application to the newest commit touching its path; here that is asked of
 * the GitHub stand-in's REST API, as for any repo whose clone URL it serves. What a full
 * commit SHA resolves to never changes, so that is asked once.
 */
export function gitHubRevisionResolver(
  gitBaseUrl: string,
  apiUrl: string,
  token: string,
): RevisionResolver {
  const resolveRevision: RevisionResolver = async (
    repoURL,
    targetRevision,
    path,
  ) => {
    const { owner, repo } = repoOf(gitBaseUrl, repoURL) ?? {};
    if (!owner || !repo) {
      return undefined;
    }
    const query = new URLSearchParams({
      sha: targetRevision,
      path,
      per_page: '1',
    });
    // GitHub unreachable (or stopped under a test) is a source that does not resolve.
    const res = await fetch(
      `${apiUrl}/repos/${owner}/${repo}/commits?${query}`,
      {
        headers: { Authorization: `token ${token}` },
      },
    ).catch(() => undefined);
    if (!res?.ok) {
      return undefined;
    }
    const [latest] = (await res.json()) as { sha: string }[];
    return latest?.sha;
  };
  return memoise(resolveRevision, (_repoURL, targetRevision) =>
    FULL_SHA.test(targetRevision),
  );
}

/** The files Argo CD's repo server may render: YAML, JSON and kustomize's `Kustomization`. */
const MANIFEST_FILE = /(\.(ya?ml|json)|(^|\/)Kustomization)$/;

/**
 * Argo CD's repo server checks out a repository at a commit; here the manifest files an
 * Application's path needs are read through the GitHub stand-in's contents API: the path's
 * folder, then every folder its kustomizations build (bases such as `../../base`), once per
 * commit SHA and path.
 */
export function gitHubManifestReader(
  gitBaseUrl: string,
  apiUrl: string,
  token: string,
): ManifestReader {
  const read: ManifestReader = async (repoURL, revision, path) => {
    const { owner, repo } = repoOf(gitBaseUrl, repoURL) ?? {};
    if (!owner || !repo) {
      return undefined;
    }
    const contents = async (filePath: string, raw: boolean) =>
      fetch(
        `${apiUrl}/repos/${owner}/${repo}/contents/${filePath
          .split('/')
          .map(encodeURIComponent)
          .join('/')}?ref=${revision}`,
        {
          headers: {
            Authorization: `token ${token}`,
            ...(raw ? { Accept: 'application/vnd.github.raw' } : {}),
          },
        },
      ).catch(() => undefined);
    const files: RepositoryFiles = {};
    const readFile = async (filePath: string) => {
      const file = await contents(filePath, true);
      if (file?.ok) {
        files[filePath] = await file.text();
      }
      return Boolean(file?.ok);
    };
    /** Reads a folder recursively (or a single file); false when it cannot be read. */
    const readPath = async (folder: string): Promise<boolean> => {
      const res = await contents(folder, false);
      if (!res?.ok) {
        return false;
      }
      const listing = (await res.json()) as
        | { type: string; path: string }[]
        | { type: string; path: string };
      if (!Array.isArray(listing)) {
        return listing.type !== 'file' || readFile(listing.path);
      }
      const done = await Promise.all(
        listing.map(async entry => {
          if (entry.type === 'dir') {
            return readPath(entry.path);
          }
          return entry.type !== 'file' || !MANIFEST_FILE.test(entry.path)
            ? true
            : readFile(entry.path);
        }),
      );
      return done.every(Boolean);
    };
    if (!(await readPath(path))) {
      return undefined;
    }
    // A base that cannot be read stays missing; rendering then says which resource it was.
    const tried = new Set<string>();
    for (
      let bases = unreadBases(files);
      bases.length > 0;
      bases = unreadBases(files).filter(base => !tried.has(base))
    ) {
      bases.forEach(base => tried.add(base));
      await Promise.all(bases.map(readPath));
    }
    return files;
  };
  return memoise(read, (_repoURL, revision) => FULL_SHA.test(revision));
}

/**
 * Where golden-path templates publish (the GitHub stand-in's organisation, with its web and clone
 * URLs, which differ from github.com's) and which cluster's Argo CD deploys each environment.
 */
export function goldenPathsConfig(
  github: GitHubStandIn,
  org: string,
  clusters: { dev: KubernetesStandIn; prod: KubernetesStandIn },
) {
  return {
    repository: {
      host: new URL(github.apiUrl).host,
      owner: org,
      webUrlBase: github.webUrl,
      cloneUrlBase: github.gitBaseUrl,
    },
    environments: [
      {
        name: 'dev',
        title: 'Development',
        argocdInstance: clusters.dev.clusterName,
      },
      {
        name: 'prod',
        title: 'Production',
        argocdInstance: clusters.prod.clusterName,
      },
    ],
  };
}

/**
 * Where the demo's teams request infrastructure: dev directly, prod after approval, with
 * guardrails on the sandbox's offerings that a request can run into. Both deliver directly, so
 * a request completes without anyone merging a pull request; the seeded GitOps repository
 * (`platform-gitops`) and its Applications are there for an environment switched to
 * `delivery: { type: gitops, repository: <webUrl>/<org>/platform-gitops }`.
 */
export function crossplaneConfig(clusters: {
  dev: KubernetesStandIn;
  prod: KubernetesStandIn;
}) {
  return {
    environments: [
      { name: 'dev', title: 'Development', cluster: clusters.dev.clusterName },
      {
        name: 'prod',
        title: 'Production',
        cluster: clusters.prod.clusterName,
        approval: { required: true },
      },
    ],
    guardrails: [
      {
        offering: 'postgresqlinstances.platform.paved.dev',
        quotaPerTeam: 5,
        limits: [
          {
            field: 'parameters.storageGB',
            environments: ['dev'],
            maximum: 100,
          },
          { field: 'parameters.version', enum: ['15', '16'] },
          {
            field: 'parameters.tier',
            environments: ['prod'],
            enum: ['standard', 'high-availability'],
          },
        ],
      },
    ],
    // Retried often so a sandbox cluster coming back is noticed within seconds.
    delivery: {
      schedule: { frequency: { seconds: 3 }, timeout: { minutes: 1 } },
    },
  };
}

/**
 * Starts and seeds the sandbox. `port` is the GitHub stand-in's; the clusters take the next two
 * (0 picks free ports for all three). Writes kubeconfig and app-config.yaml into `stateDir`.
 */
export async function startSandbox(options: {
  repoRoot: string;
  stateDir: string;
  port: number;
}): Promise<Sandbox> {
  const { repoRoot, stateDir, port } = options;
  const portAfter = (n: number) => (port === 0 ? 0 : port + n);

  const token = randomBytes(24).toString('hex');
  rmSync(join(stateDir, 'app-config.yaml'), { force: true });
  rmSync(join(stateDir, 'github'), { recursive: true, force: true });
  mkdirSync(stateDir, { recursive: true });

  const oauthApp = newOAuthApp();
  const github = await startGitHubStandIn({
    port,
    tokens: [token],
    dataDir: join(stateDir, 'github'),
    oauthApp,
  });
  const controllers = {
    resolveRevision: gitHubRevisionResolver(
      github.gitBaseUrl,
      github.apiUrl,
      token,
    ),
    readManifests: gitHubManifestReader(
      github.gitBaseUrl,
      github.apiUrl,
      token,
    ),
    delayMs: CONTROLLER_DELAY_MS,
  };
  const dev = await startKubernetesStandIn({
    port: portAfter(1),
    token,
    clusterName: 'sandbox-dev',
    controllers,
  });
  // One CA for both clusters, as one kubeconfig user would see in a real fleet.
  const prod = await startKubernetesStandIn({
    port: portAfter(2),
    token,
    clusterName: 'sandbox-prod',
    tls: dev.tls,
    controllers,
  });
  const clusters = [dev, prod];

  writeFileSync(
    join(stateDir, 'kubeconfig'),
    stringify(kubeconfigFile(clusters, token)),
    {
      mode: 0o600,
    },
  );

  clusters.forEach(c => c.setControllerDelay(SEEDING_DELAY_MS));
  const demo = readDemoOrganisation(join(repoRoot, 'demo'));
  await seedDemo({
    demo,
    github,
    clusters: clusters.map(c => ({
      name: c.clusterName,
      kubeConfig: standInKubeConfig(c, token),
    })),
  });
  await seedInfrastructure({
    demoDir: join(repoRoot, 'demo'),
    teams: demo.teams.filter(t => t.type === 'team').map(t => t.slug),
    clusters: clusters.map(c => ({
      name: c.clusterName,
      kubeConfig: standInKubeConfig(c, token),
    })),
  });
  await seedGitOpsRepository({
    github,
    org: demo.org,
    clusters: [
      { environment: 'dev', kubeConfig: standInKubeConfig(dev, token) },
      { environment: 'prod', kubeConfig: standInKubeConfig(prod, token) },
    ],
  });
  clusters.forEach(c => c.setControllerDelay(CONTROLLER_DELAY_MS));

  const gitHub = gitHubOverlay(github, token, oauthApp);
  const overlay = {
    ...gitHub,
    paved: {
      ...gitHub.paved,
      goldenPaths: goldenPathsConfig(github, demo.org, { dev, prod }),
    },
    crossplane: crossplaneConfig({ dev, prod }),
    kubernetes: {
      serviceLocatorMethod: { type: 'multiTenant' },
      clusterLocatorMethods: [
        {
          type: 'config',
          clusters: clusters.map(c => standInClusterConfig(c, token)),
        },
      ],
    },
  };
  writeFileSync(
    join(stateDir, 'app-config.yaml'),
    `# Written by \`yarn sandbox\` at each start; points Paved at the sandbox stand-ins.\n${stringify(
      overlay,
    )}`,
    { mode: 0o600 },
  );

  return {
    github,
    clusters,
    token,
    oauthApp,
    async stop() {
      await Promise.all([github.stop(), ...clusters.map(c => c.stop())]);
    },
  };
}
