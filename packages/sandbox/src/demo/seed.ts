import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { DependabotAlertSeed } from '../github/dependabotAlerts';
import { ApplicationSyncs } from './applicationSyncs';
import { DemoComponent, DemoOrganisation } from './organisation';
import { repoHistory } from './repoHistory';

/** The seeding calls of the GitHub stand-in this module uses. */
export interface GitHubSeeding {
  createOrg(
    login: string,
    options?: { name?: string },
  ): Promise<unknown> | unknown;
  createTeam(
    org: string,
    slug: string,
    options: { name: string; description?: string; parent?: string },
  ): Promise<unknown> | unknown;
  addMember(
    org: string,
    login: string,
    options?: { team?: string; name?: string; email?: string },
  ): Promise<unknown> | unknown;
  createRepo(
    org: string,
    name: string,
    options: { description?: string; topics?: string[] },
  ): Promise<{ clone_url: string } | unknown>;
  commit(
    org: string,
    repo: string,
    branch: string,
    files: Record<string, string>,
    message: string,
    author: { name: string; email: string; date: Date },
  ): Promise<string>;
  protectBranch(
    org: string,
    repo: string,
    branch: string,
    settings: Record<string, unknown>,
  ): Promise<unknown> | unknown;
  setDependabotAlerts(
    org: string,
    repo: string,
    alerts: DependabotAlertSeed[],
  ): void;
}

export interface SeedCluster {
  name: string;
  kubeConfig: KubeConfig;
}

const ARGOCD_NAMESPACE = 'argocd';

function isDeployed(component: DemoComponent) {
  return Boolean(component.argoAppName);
}

/**
 * The files of a demo component's repository but its `deploy/` folder (see repoHistory): its
 * catalog and docs files from demo/, plus what a real service repo carries. Some repos lack
 * CODEOWNERS or CI so scorecards have something to find: catalog-service (team-storefront), for
 * one, passes every Bronze and Silver check but CODEOWNERS, so adding the file makes it Silver.
 */
export function repoFiles(
  component: DemoComponent,
  index: number,
  org: string,
) {
  const files: Record<string, string> = {
    ...component.files,
    'README.md': `# ${component.title}\n\n${component.description}\n\nOwned by the ${component.owner} team. Documentation lives in \`docs/\` and is published in Paved.\n`,
  };
  if (index % 3 !== 2) {
    files['.github/CODEOWNERS'] = `* @${org}/${component.owner}\n`;
  }
  if (component.type !== 'library' || index % 2 === 0) {
    files['.github/workflows/ci.yaml'] = [
      'name: ci',
      'on: [push, pull_request]',
      'jobs:',
      '  test:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '      - run: make test',
      '',
    ].join('\n');
  }
  return files;
}

/** Open Dependabot alerts of some demo repositories, for the Gold security check to find. */
export const DEMO_SECURITY_ALERTS: Record<string, DependabotAlertSeed[]> = {
  'payments-service': [
    {
      ecosystem: 'npm',
      package: 'jsonwebtoken',
      manifestPath: 'package-lock.json',
      severity: 'critical',
      summary: 'jsonwebtoken unrestricted key type could lead to legacy keys usage',
      ghsaId: 'GHSA-8cf7-32gw-wr33',
      cveId: 'CVE-2022-23539',
      vulnerableVersionRange: '<= 8.5.1',
      firstPatchedVersion: '9.0.0',
    },
  ],
  'storefront-web': [
    {
      ecosystem: 'npm',
      package: 'axios',
      manifestPath: 'package-lock.json',
      severity: 'high',
      summary: 'axios Requests Vulnerable To Possible SSRF and Credential Leakage',
      ghsaId: 'GHSA-jr5f-v2jv-69x6',
      cveId: 'CVE-2025-27152',
      vulnerableVersionRange: '>= 1.0.0, < 1.8.2',
      firstPatchedVersion: '1.8.2',
    },
    {
      ecosystem: 'npm',
      package: 'nanoid',
      manifestPath: 'package-lock.json',
      severity: 'medium',
      summary: 'Predictable results in nanoid generation when given non-integer values',
      ghsaId: 'GHSA-mwcw-c2x4-8c55',
      cveId: 'CVE-2024-55565',
      vulnerableVersionRange: '< 3.3.8',
      firstPatchedVersion: '3.3.8',
    },
  ],
};

/** A revision Argo CD is to deploy, and who promotes it (its author). */
interface Revision {
  sha: string;
  by: string;
}

interface SeededRepo {
  component: DemoComponent;
  cloneUrl: string;
  /** The commits that change `deploy/`, oldest first. */
  revisions: Revision[];
}

/** How long seeding waits for one sync before giving up. */
const SYNC_TIMEOUT_MS = 60_000;

/**
 * Fills the GitHub stand-in and the clusters with the demo organisation: org, teams, members,
 * one repo per component with a few commits by its team (see repoHistory), branch protection
 * on most production repos, Dependabot alerts on a couple (DEMO_SECURITY_ALERTS), an Argo CD AppProject per team on every cluster, and an Argo CD
 * Application per deployed component (dev for all, prod for production ones). Each Application is promoted through its repo's revisions in
 * order, as a team releasing would: created pinned to the first commit of `deploy/`, then
 * pinned to each later one and finally set to `main`, waiting for the simulated Argo CD to
 * deploy each (automatically on dev; on prod through a sync operation by the commit's author),
 * so `status.history` records one deployment per revision. The workload controller runs what
 * it applies: a Deployment (one replica on dev, two on prod), its ReplicaSet and Pods, and a
 * Service. Resolves once every Application has deployed its repo's HEAD and is Healthy.
 */
export async function seedDemo(options: {
  demo: DemoOrganisation;
  github: GitHubSeeding;
  clusters: SeedCluster[];
}) {
  const { demo, github, clusters } = options;
  await github.createOrg(demo.org, { name: demo.org });
  for (const team of demo.teams) {
    await github.createTeam(demo.org, team.slug, {
      name: team.name,
      description: team.description,
      parent: team.parent,
    });
  }
  for (const user of demo.users) {
    for (const team of user.teams.length ? user.teams : [undefined]) {
      await github.addMember(demo.org, user.login, {
        team,
        name: user.name,
        email: user.email,
      });
    }
  }

  const now = new Date();
  const repos: SeededRepo[] = await Promise.all(
    demo.components.map(async (component, index) => {
      const repo = (await github.createRepo(demo.org, component.name, {
        description: component.description,
        topics: component.tags,
      })) as { clone_url: string };
      const revisions: Revision[] = [];
      const history = repoHistory(
        demo,
        component,
        repoFiles(component, index, demo.org),
        now,
      );
      for (const commit of history) {
        const { name, email, date } = commit.author;
        const sha = await github.commit(
          demo.org,
          component.name,
          'main',
          commit.files,
          commit.message,
          { name, email, date },
        );
        if (commit.deploys) {
          revisions.push({ sha, by: commit.author.login });
        }
      }
      const alerts = DEMO_SECURITY_ALERTS[component.name];
      if (alerts) github.setDependabotAlerts(demo.org, component.name, alerts);
      if (component.lifecycle === 'production' && index % 4 !== 3) {
        await github.protectBranch(demo.org, component.name, 'main', {
          required_pull_request_reviews: {
            required_approving_review_count: 1,
          },
          required_status_checks: { strict: true, contexts: ['ci'] },
          enforce_admins: true,
          restrictions: null,
        });
      }
      return { component, cloneUrl: repo.clone_url, revisions };
    }),
  );

  await Promise.all(
    clusters.map(cluster => seedCluster(cluster, demo, repos)),
  );
}

/** The team whose members read every project (its `viewer` role). */
export const SRE_TEAM = 'team-sre';

/** A team's AppProject: its `owner` role for the team, `viewer` for the SRE team. */
export function appProject(
  org: string,
  team: string,
  destinations: Array<{ server: string; namespace: string }>,
) {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: team, namespace: ARGOCD_NAMESPACE },
    spec: {
      description: `Deployments owned by ${team}`,
      sourceRepos: ['*'],
      destinations,
      roles: [
        {
          name: 'owner',
          description: `${team} deploys and reads its Applications`,
          groups: [`${org}:${team}`],
        },
        ...(team === SRE_TEAM
          ? []
          : [
              {
                name: 'viewer',
                description: 'SREs read every project',
                groups: [`${org}:${SRE_TEAM}`],
              },
            ]),
      ],
    },
  };
}

/**
 * The namespaces a team's Applications may deploy to: one per system it owns or has components
 * in (a service lives in its system's namespace; `default` without a system). Listed by name,
 * no `*`, so a new service in any of the team's systems is allowed and nothing else is.
 */
export function teamDestinations(demo: DemoOrganisation, team: string) {
  const namespaces = new Set([
    ...demo.systems.filter(s => s.owner === team).map(s => s.name),
    ...demo.components
      .filter(c => c.owner === team)
      .map(c => c.system ?? 'default'),
  ]);
  return [...namespaces].sort().map(namespace => ({
    server: 'https://kubernetes.default.svc',
    namespace,
  }));
}

async function seedCluster(
  cluster: SeedCluster,
  demo: DemoOrganisation,
  repos: SeededRepo[],
) {
  const { org } = demo;
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  const custom = cluster.kubeConfig.makeApiClient(CustomObjectsApi);
  const isProd = cluster.name.endsWith('prod');
  await core.createNamespace({
    body: { metadata: { name: ARGOCD_NAMESPACE } },
  });

  const deployed = repos.filter(
    ({ component }) =>
      isDeployed(component) &&
      (!isProd || component.lifecycle === 'production'),
  );
  // One project per team, deploying or not yet, as Argo CD RBAC is usually split: the team owns
  // it, SREs read every project. Groups are named as Argo CD's Dex GitHub connector names teams.
  for (const team of demo.teams.filter(t => t.type === 'team')) {
    await custom.createNamespacedCustomObject({
      group: 'argoproj.io',
      version: 'v1alpha1',
      namespace: ARGOCD_NAMESPACE,
      plural: 'appprojects',
      body: appProject(org, team.slug, teamDestinations(demo, team.slug)),
    });
  }

  const syncs = await ApplicationSyncs.open(
    cluster.kubeConfig,
    cluster.name,
    ARGOCD_NAMESPACE,
    SYNC_TIMEOUT_MS,
  );
  try {
    await Promise.all(
      deployed.map(async ({ component, cloneUrl, revisions }) => {
        const name = component.argoAppName!;
        // Pinned to each revision in turn; the last step follows the branch, as the app will from now on.
        const targetOf = (i: number) =>
          i === revisions.length - 1 ? 'main' : revisions[i].sha;
        await custom.createNamespacedCustomObject({
          group: 'argoproj.io',
          version: 'v1alpha1',
          namespace: ARGOCD_NAMESPACE,
          plural: 'applications',
          body: application(component, cloneUrl, targetOf(0), isProd),
        });
        await syncs.deployed(name, revisions[0].sha);
        for (let i = 1; i < revisions.length; i++) {
          await custom.patchNamespacedCustomObject(
            {
              group: 'argoproj.io',
              version: 'v1alpha1',
              namespace: ARGOCD_NAMESPACE,
              plural: 'applications',
              name,
              body: {
                spec: { source: { targetRevision: targetOf(i) } },
                // Dev follows its target on its own; on prod the release's author syncs it.
                ...(isProd
                  ? {
                      operation: {
                        sync: { revision: targetOf(i) },
                        initiatedBy: { username: revisions[i].by },
                      },
                    }
                  : {}),
              },
            },
            setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
          );
          await syncs.deployed(name, revisions[i].sha);
        }
        await syncs.healthy(name);
      }),
    );
  } finally {
    syncs.close();
  }
}

function application(
  component: DemoComponent,
  repoURL: string,
  targetRevision: string,
  isProd: boolean,
) {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: component.argoAppName,
      namespace: ARGOCD_NAMESPACE,
      labels: {
        'app.kubernetes.io/part-of': component.system ?? 'default',
        'backstage.io/kubernetes-id': component.name,
      },
    },
    spec: {
      // The owning team's project decides who may see it (see appProject).
      project: component.owner,
      source: {
        repoURL,
        path: 'deploy',
        targetRevision,
        kustomize: {
          replicas: [{ name: component.name, count: isProd ? 2 : 1 }],
        },
      },
      destination: {
        server: 'https://kubernetes.default.svc',
        namespace: component.system ?? 'default',
      },
      syncPolicy: {
        syncOptions: ['CreateNamespace=true'],
        // Dev follows its target revision on its own; prod waits for someone to sync.
        ...(isProd ? {} : { automated: { prune: true, selfHeal: true } }),
      },
    },
  };
}
