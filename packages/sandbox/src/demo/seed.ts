import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
} from '@kubernetes/client-node';
import { DemoComponent, DemoOrganisation } from './organisation';

/** The seeding calls of the GitHub stand-in this module uses. */
export interface GitHubSeeding {
  createOrg(
    login: string,
    options?: { name?: string },
  ): Promise<unknown> | unknown;
  createTeam(
    org: string,
    slug: string,
    options: { name: string; description?: string },
  ): Promise<unknown> | unknown;
  addMember(
    org: string,
    login: string,
    options?: { team?: string; name?: string; email?: string },
  ): Promise<unknown> | unknown;
  createRepo(
    org: string,
    name: string,
    options: {
      description?: string;
      topics?: string[];
      files: Record<string, string>;
    },
  ): Promise<{ clone_url: string } | unknown>;
  protectBranch(
    org: string,
    repo: string,
    branch: string,
    settings: Record<string, unknown>,
  ): Promise<unknown> | unknown;
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
 * The files of a demo component's repository: its catalog and docs files from demo/, plus what a
 * real service repo carries. Some repos lack CODEOWNERS or CI so scorecards have something to find.
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
  if (isDeployed(component)) {
    files['deploy/kustomization.yaml'] = [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'resources: [deployment.yaml]',
      '',
    ].join('\n');
    files['deploy/deployment.yaml'] = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      `  name: ${component.name}`,
      '  labels:',
      `    backstage.io/kubernetes-id: ${component.name}`,
      'spec:',
      '  replicas: 2',
      `  selector: { matchLabels: { app: ${component.name} } }`,
      '  template:',
      `    metadata: { labels: { app: ${component.name}, backstage.io/kubernetes-id: ${component.name} } }`,
      '    spec:',
      '      containers:',
      `        - name: ${component.name}`,
      `          image: ghcr.io/${org}/${component.name}:1.0.0`,
      '',
    ].join('\n');
  }
  return files;
}

/**
 * Fills the GitHub stand-in and the clusters with the demo organisation: org, teams, members,
 * one repo per component, branch protection on most production repos, and an Argo CD
 * Application per deployed component (dev for all, prod for production ones).
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

  const cloneUrls = new Map<string, string>();
  for (const [index, component] of demo.components.entries()) {
    const repo = (await github.createRepo(demo.org, component.name, {
      description: component.description,
      topics: component.tags,
      files: repoFiles(component, index, demo.org),
    })) as { clone_url: string };
    cloneUrls.set(component.name, repo.clone_url);
    if (component.lifecycle === 'production' && index % 4 !== 3) {
      await github.protectBranch(demo.org, component.name, 'main', {
        required_pull_request_reviews: { required_approving_review_count: 1 },
        required_status_checks: { strict: true, contexts: ['ci'] },
        enforce_admins: true,
        restrictions: null,
      });
    }
  }

  for (const cluster of clusters) {
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    const custom = cluster.kubeConfig.makeApiClient(CustomObjectsApi);
    const isProd = cluster.name.endsWith('prod');
    await core.createNamespace({
      body: { metadata: { name: ARGOCD_NAMESPACE } },
    });

    const deployed = demo.components.filter(
      c => isDeployed(c) && (!isProd || c.lifecycle === 'production'),
    );
    for (const system of new Set(deployed.map(c => c.system ?? 'default'))) {
      await custom.createNamespacedCustomObject({
        group: 'argoproj.io',
        version: 'v1alpha1',
        namespace: ARGOCD_NAMESPACE,
        plural: 'appprojects',
        body: {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'AppProject',
          metadata: { name: system, namespace: ARGOCD_NAMESPACE },
          spec: {
            description: `Deployments of the ${system} system`,
            sourceRepos: ['*'],
            destinations: [
              { server: 'https://kubernetes.default.svc', namespace: system },
            ],
          },
        },
      });
    }
    for (const component of deployed) {
      await custom.createNamespacedCustomObject({
        group: 'argoproj.io',
        version: 'v1alpha1',
        namespace: ARGOCD_NAMESPACE,
        plural: 'applications',
        body: {
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
            project: component.system ?? 'default',
            source: {
              repoURL: cloneUrls.get(component.name),
              path: 'deploy',
              targetRevision: 'main',
            },
            destination: {
              server: 'https://kubernetes.default.svc',
              namespace: component.system ?? 'default',
            },
            // Dev follows main on its own; prod waits for someone to sync.
            ...(isProd
              ? {}
              : { syncPolicy: { automated: { prune: true, selfHeal: true } } }),
          },
        },
      });
    }
  }
}
