/*
 * The platform team's GitOps repository, where Paved's Crossplane requests can be delivered as
 * pull requests (`crossplane.environments[].delivery.type: gitops`), and the Argo CD
 * Application on each cluster that applies its environment's folder once they are merged.
 */
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { GitHubStandIn } from '../github';

/** The repository's name in the demo organisation. */
export const GITOPS_REPOSITORY = 'platform-gitops';

/** The Application on each cluster that applies `infrastructure/<environment>`. */
export const INFRASTRUCTURE_APPLICATION = 'platform-infrastructure';

/** The team owning the repository and the Application's project. */
const PLATFORM_TEAM = 'team-platform';

/**
 * Creates `{org}/platform-gitops` with a folder per environment and, on each cluster, an
 * Application syncing its environment's folder and every folder below it (one per team
 * namespace) into the cluster: automatically on dev, pruning what the repository no longer
 * has, and on request on prod, pruning when the request says so.
 */
export async function seedGitOpsRepository(options: {
  github: GitHubStandIn;
  org: string;
  clusters: Array<{ environment: string; kubeConfig: KubeConfig }>;
}) {
  const { github, org } = options;
  const folders = Object.fromEntries(
    options.clusters.map(c => [
      `infrastructure/${c.environment}/README.md`,
      `What Argo CD applies to ${c.environment}: one folder per team namespace, one file per resource. Paved opens pull requests here.\n`,
    ]),
  );
  await github.createRepo(org, GITOPS_REPOSITORY, {
    description: 'Infrastructure the platform clusters run, applied by Argo CD',
    files: {
      'README.md': `# ${GITOPS_REPOSITORY}\n\nCrossplane resources requested through Paved, by environment and team namespace. Merging a pull request applies it.\n`,
      ...folders,
    },
  });
  await Promise.all(
    options.clusters.map(async ({ environment, kubeConfig }) => {
      const isProd = environment === 'prod';
      await kubeConfig.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
        group: 'argoproj.io',
        version: 'v1alpha1',
        plural: 'applications',
        namespace: 'argocd',
        body: {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Application',
          metadata: { name: INFRASTRUCTURE_APPLICATION, namespace: 'argocd' },
          spec: {
            project: PLATFORM_TEAM,
            source: {
              repoURL: `${github.gitBaseUrl}/${org}/${GITOPS_REPOSITORY}.git`,
              targetRevision: 'main',
              path: `infrastructure/${environment}`,
              directory: { recurse: true },
            },
            // Manifests name their team's namespace; this is only for those that do not.
            destination: {
              server: 'https://kubernetes.default.svc',
              namespace: 'default',
            },
            // Dev applies merges on its own, deleting what a merge removed; on prod whoever syncs
            // decides whether to prune (`argocd app sync --prune`), as they decide when to sync.
            syncPolicy: isProd
              ? {}
              : { automated: { prune: true, selfHeal: true } },
          },
        },
      });
    }),
  );
}
