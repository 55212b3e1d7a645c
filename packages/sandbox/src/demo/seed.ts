import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
} from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
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

/** The image a component's CI would have pushed, tagged with a short commit SHA (a stable fake one). */
export function componentImage(org: string, component: DemoComponent) {
  const sha = createHash('sha1')
    .update(`${org}/${component.name}`)
    .digest('hex')
    .slice(0, 7);
  return `ghcr.io/${org}/${component.name}:${sha}`;
}

/**
 * The `deploy/` folder Argo CD syncs: a kustomization of a Deployment and a Service. Replicas are
 * left to each cluster's Application (`spec.source.kustomize.replicas`), so one folder serves dev
 * and prod.
 */
function deployFiles(org: string, component: DemoComponent) {
  const name = component.name;
  const labels = `{ app: ${name}, backstage.io/kubernetes-id: ${name} }`;
  return {
    'deploy/kustomization.yaml': [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'resources: [deployment.yaml, service.yaml]',
      '',
    ].join('\n'),
    'deploy/deployment.yaml': [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      `  name: ${name}`,
      `  labels: ${labels}`,
      'spec:',
      `  selector: { matchLabels: { app: ${name} } }`,
      '  template:',
      `    metadata: { labels: ${labels} }`,
      '    spec:',
      '      containers:',
      `        - name: ${name}`,
      `          image: ${componentImage(org, component)}`,
      '          ports: [{ name: http, containerPort: 8080 }]',
      '          resources:',
      '            requests: { cpu: 100m, memory: 128Mi }',
      '            limits: { cpu: 500m, memory: 256Mi }',
      '',
    ].join('\n'),
    'deploy/service.yaml': [
      'apiVersion: v1',
      'kind: Service',
      'metadata:',
      `  name: ${name}`,
      `  labels: ${labels}`,
      'spec:',
      `  selector: { app: ${name} }`,
      '  ports: [{ name: http, port: 80, targetPort: http }]',
      '',
    ].join('\n'),
  };
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
    Object.assign(files, deployFiles(org, component));
  }
  return files;
}

/**
 * Fills the GitHub stand-in and the clusters with the demo organisation: org, teams, members,
 * one repo per component, branch protection on most production repos, and an Argo CD
 * Application per deployed component (dev for all, prod for production ones). The simulated
 * Argo CD's first sync applies each repo's `deploy/` folder into the system's namespace, where
 * the workload controller runs it: a Deployment (one replica on dev, two on prod), its
 * ReplicaSet and Running Pods, and a Service.
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
              // Dev follows main on its own; prod waits for someone to sync.
              ...(isProd
                ? {}
                : { automated: { prune: true, selfHeal: true } }),
            },
          },
        },
      });
    }
  }
}
