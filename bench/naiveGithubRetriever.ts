/*
 * The comparison for the scorecards bench: a GitHub fact retriever written the simple way, one
 * unconditional request per fact and no stored ETags, as a bench-only Tech Insights module. It
 * reads the same facts as Paved's `githubRepositoryFactRetriever` from the same repositories and
 * goes through the same Tech Insights engine and store, so the difference is the requests.
 */
import { createBackendModule } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import {
  FactRetriever,
  TechInsightFact,
  techInsightsFactRetrieversExtensionPoint,
} from '@backstage-community/plugin-tech-insights-node';
import {
  CatalogService,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { Octokit } from '@octokit/rest';
import { inParallel } from './measure';

export const NAIVE_RETRIEVER_ID = 'naiveGithubFactRetriever';
const SLUG = 'github.com/project-slug';
/** As many repositories at a time as Paved's retriever reads. */
const CONCURRENCY = 8;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Resolves to the data, or undefined on a 404 (the file or setting is not there). */
async function found<T>(request: Promise<{ data: T }>): Promise<T | undefined> {
  try {
    return (await request).data;
  } catch (error) {
    if ((error as { status?: number }).status === 404) return undefined;
    throw error;
  }
}

async function repositoryFacts(octokit: Octokit, owner: string, repo: string) {
  const repository = { owner, repo };
  const file = (path: string) =>
    found(octokit.repos.getContent({ ...repository, path }));
  const info = await found(octokit.repos.get(repository));
  if (!info) return undefined;
  const branch = info.default_branch;
  const readme = await found(octokit.repos.getReadme(repository));
  let codeowners: unknown;
  for (const path of ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS']) {
    codeowners = await file(path);
    if (codeowners) break;
  }
  const workflows = await file('.github/workflows');
  const dependabot = await file('.github/dependabot.yml');
  const renovate = dependabot ? undefined : await file('renovate.json');
  const license = info.license ? info.license : await file('LICENSE');
  const protection = await found(
    octokit.repos.getBranchProtection({ ...repository, branch }),
  );
  const [commit] =
    (await found(
      octokit.repos.listCommits({ ...repository, sha: branch, per_page: 1 }),
    )) ?? [];
  const codeownersText =
    codeowners && 'content' in (codeowners as object)
      ? Buffer.from((codeowners as { content: string }).content, 'base64')
          .toString()
          .trim()
      : '';
  return {
    hasReadme: Boolean(readme),
    hasCodeowners: Boolean(codeowners),
    // Simple retrievers rarely parse the file; "has an @owner" is the usual shortcut.
    codeownersValid: /\s@\S/.test(codeownersText),
    branchRequiresReview:
      (protection?.required_pull_request_reviews
        ?.required_approving_review_count ?? 0) > 0,
    hasCiWorkflow: Array.isArray(workflows) && workflows.length > 0,
    hasDependencyUpdates: Boolean(dependabot || renovate),
    hasLicense: Boolean(license),
    lastCommitAgeDays: commit?.commit.committer?.date
      ? Math.floor(
          (Date.now() - Date.parse(commit.commit.committer.date)) / DAY_MS,
        )
      : 0,
  };
}

function naiveRetriever(options: {
  catalog: CatalogService;
  apiUrl: string;
  token: string;
}): FactRetriever {
  const bool = (description: string) => ({
    type: 'boolean' as const,
    description,
  });
  return {
    id: NAIVE_RETRIEVER_ID,
    version: '0.1.0',
    title: 'GitHub repository, one request per fact',
    description: 'The bench comparison: unconditional requests, no ETags',
    entityFilter: [{ kind: 'component' }],
    schema: {
      hasReadme: bool('README'),
      hasCodeowners: bool('CODEOWNERS'),
      codeownersValid: bool('CODEOWNERS names an owner'),
      branchRequiresReview: bool('Review required'),
      hasCiWorkflow: bool('A workflow'),
      hasDependencyUpdates: bool('Dependabot or Renovate'),
      hasLicense: bool('A licence'),
      lastCommitAgeDays: { type: 'integer', description: 'Last commit age' },
    },
    async handler({ auth }) {
      const { items } = await options.catalog.getEntities(
        {
          filter: {
            kind: 'Component',
            [`metadata.annotations.${SLUG}`]: CATALOG_FILTER_EXISTS,
          },
        },
        { credentials: await auth.getOwnServiceCredentials() },
      );
      const octokit = new Octokit({
        auth: options.token,
        baseUrl: options.apiUrl,
      });
      const facts: TechInsightFact[] = [];
      await inParallel(items, CONCURRENCY, async entity => {
        const [owner, repo] = (entity.metadata.annotations?.[SLUG] ?? '').split(
          '/',
        );
        const collected = await repositoryFacts(octokit, owner, repo);
        if (collected) {
          facts.push({
            entity: {
              kind: entity.kind,
              namespace: entity.metadata.namespace ?? 'default',
              name: entity.metadata.name,
            },
            facts: collected,
          });
        }
      });
      return facts;
    },
  };
}

/** The naive retriever as a Tech Insights module, reading the stand-in at `apiUrl`. */
export function naiveGithubFactsModule(apiUrl: string, token: string) {
  return createBackendModule({
    pluginId: 'tech-insights',
    moduleId: 'bench-naive-github-facts',
    register(env) {
      env.registerInit({
        deps: {
          catalog: catalogServiceRef,
          factRetrievers: techInsightsFactRetrieversExtensionPoint,
        },
        async init({ catalog, factRetrievers }) {
          factRetrievers.addFactRetrievers({
            [NAIVE_RETRIEVER_ID]: naiveRetriever({ catalog, apiUrl, token }),
          });
        },
      });
    },
  });
}
