import {
  ANNOTATION_SOURCE_LOCATION,
  CompoundEntityRef,
  Entity,
  getEntitySourceLocation,
} from '@backstage/catalog-model';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import {
  FactRetriever,
  FactRetrieverContext,
  TechInsightFact,
} from '@backstage-community/plugin-tech-insights-node';
import {
  GithubCredentialsProvider,
  GithubIntegration,
  ScmIntegrationRegistry,
} from '@backstage/integration';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { LoggerService } from '@backstage/backend-plugin-api';
import { Octokit } from '@octokit/rest';
import {
  ConditionalGithubClient,
  RateLimitedError,
  RequestCounts,
} from './ConditionalGithubClient';
import { GithubFactStore, StoredFacts } from './GithubFactStore';
import {
  RepositoryFacts,
  collectRepositoryFacts,
} from './collectRepositoryFacts';
import { createHash } from 'node:crypto';

/** Id of the GitHub fact retriever, for checks' `factIds` and `techInsights.factRetrievers`. */
export const GITHUB_FACT_RETRIEVER_ID = 'githubRepositoryFactRetriever';

/** The annotation naming an entity's repository, `owner/repo`. */
export const PROJECT_SLUG_ANNOTATION = 'github.com/project-slug';

const CONCURRENCY = 8;
const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * How long branch protection and rulesets of an unchanged repository are trusted: their changes
 * do not move the repository's ETag, so they are read again after 6 to 12 hours (spread by
 * repository, so that runs share the work). A push reads everything at once.
 */
const REVIEW_SETTINGS_MAX_AGE_MS = 12 * 60 * 60 * 1000;

/** When the review settings of `repository`, read at `checkedAt`, are due again. */
function reviewSettingsDue(repository: string, checkedAt: Date): Date {
  const spread = createHash('sha256')
    .update(repository)
    .digest()
    .readUInt32BE();
  const maxAge = REVIEW_SETTINGS_MAX_AGE_MS * (0.5 + spread / 2 ** 33);
  return new Date(checkedAt.getTime() + maxAge);
}

/** Counts of the last run, for logs and tests. */
export interface GithubRunSummary extends RequestCounts {
  repositories: number;
  /** Repositories answered from their last facts, marked stale. */
  stale: number;
}

/**
 * The GitHub fact retriever: facts about each catalog entity's repository (named by
 * `github.com/project-slug`), read with conditional requests. When GitHub's rate limit is hit, or
 * a repository cannot be read, the repository's last facts are returned again with `stale: true`
 * and their original `collectedAt`, so checks keep their last outcome instead of failing.
 */
export function createGithubFactRetriever(options: {
  catalog: CatalogService;
  integrations: ScmIntegrationRegistry;
  credentialsProvider: GithubCredentialsProvider;
  store: GithubFactStore;
  logger: LoggerService;
  onRun?: (summary: GithubRunSummary) => void;
  /** The clock; tests move it on to see review settings read again. */
  now?: () => Date;
}): FactRetriever {
  const { catalog, integrations, credentialsProvider, store, logger } = options;
  const now = options.now ?? (() => new Date());

  return {
    id: GITHUB_FACT_RETRIEVER_ID,
    version: '0.2.0',
    title: 'GitHub repository',
    description:
      'README, CODEOWNERS, review required on the default branch, CI, dependency updates, open security alerts, licence and last commit of the repository in github.com/project-slug',
    entityFilter: [{ kind: 'component' }],
    schema: {
      hasReadme: {
        type: 'boolean',
        description: 'A README in the root, .github/ or docs/',
      },
      hasCodeowners: {
        type: 'boolean',
        description: 'CODEOWNERS in .github/, the root or docs/',
      },
      codeownersValid: {
        type: 'boolean',
        description: 'CODEOWNERS parses and names an owner',
      },
      branchRequiresReview: {
        type: 'boolean',
        description:
          'Branch protection or a ruleset requires an approving review on the default branch',
      },
      hasCiWorkflow: {
        type: 'boolean',
        description: 'A GitHub Actions workflow in .github/workflows',
      },
      openSecurityAlerts: {
        type: 'integer',
        description:
          'Open Dependabot alerts of high or critical severity; absent when they cannot be read',
      },
      hasDependencyUpdates: {
        type: 'boolean',
        description: 'Dependabot or Renovate is configured',
      },
      hasLicense: {
        type: 'boolean',
        description: 'A licence GitHub detects, or a LICENSE file',
      },
      lastCommitAgeDays: {
        type: 'integer',
        description: 'Days since the newest commit on the default branch',
      },
      stale: {
        type: 'boolean',
        description:
          'GitHub could not be asked: these are the last facts known',
      },
      collectedAt: {
        type: 'datetime',
        description: 'When these facts were read from GitHub',
      },
    },
    async handler({ auth, entityFilter }) {
      const onlyNamedEntities = [entityFilter ?? []]
        .flat()
        .some(filter => 'metadata.name' in filter);
      const { items } = await catalog.getEntities(
        {
          filter: narrowedFilter(entityFilter, {
            kind: 'Component',
            [`metadata.annotations.${PROJECT_SLUG_ANNOTATION}`]:
              CATALOG_FILTER_EXISTS,
          }),
          fields: ['kind', 'metadata', 'spec.type'],
        },
        { credentials: await auth.getOwnServiceCredentials() },
      );
      const summary: GithubRunSummary = {
        repositories: 0,
        stale: 0,
        sent: 0,
        notModified: 0,
      };
      const clients = new Map<string, ConditionalGithubClient>();
      const facts: TechInsightFact[] = [];
      // One client per organisation: a GitHub App's token is for one installation (one
      // organisation), so a token asked for one repository may not read another owner's.
      const clientFor = async (
        integration: GithubIntegration,
        owner: string,
        repository: string,
      ) => {
        const apiBaseUrl = integration.config.apiBaseUrl!;
        const key = `${apiBaseUrl} ${owner.toLowerCase()}`;
        let client = clients.get(key);
        if (!client) {
          const { token } = await credentialsProvider.getCredentials({
            url: repository,
          });
          client = new ConditionalGithubClient(
            new Octokit({ auth: token, baseUrl: apiBaseUrl }),
            store,
            apiBaseUrl,
          );
          clients.set(key, client);
        }
        return client;
      };

      const factFor = async (
        entity: Entity,
      ): Promise<TechInsightFact | undefined> => {
        const slug =
          entity.metadata.annotations?.[PROJECT_SLUG_ANNOTATION] ?? '';
        const [owner, repo] = slug.split('/');
        const integration = integrationFor(integrations, entity);
        if (!owner || !repo || !integration?.config.apiBaseUrl) {
          logger.warn('Cannot tell the GitHub repository of an entity', {
            entity: entity.metadata.name,
            slug,
          });
          return undefined;
        }
        const repository = `https://${integration.config.host}/${owner}/${repo}`;
        summary.repositories++;
        const last = await store.getFacts(repository);
        try {
          const client = await clientFor(integration, owner, repository);
          const readAt = now();
          const read = await collectRepositoryFacts(client, owner, repo, {
            readAt,
            last: last?.repositoryEtag
              ? {
                  facts: last.facts as unknown as RepositoryFacts,
                  repositoryEtag: last.repositoryEtag,
                  // One entity asked for (a scorecard re-run): its owner may just have changed
                  // protection or dismissed alerts, which no ETag shows.
                  reviewDue:
                    onlyNamedEntities ||
                    !last.reviewCheckedAt ||
                    reviewSettingsDue(repository, last.reviewCheckedAt) <=
                      readAt,
                }
              : undefined,
          });
          if (!read) {
            logger.warn('GitHub repository not found', { repository });
            return undefined;
          }
          const stored: StoredFacts = {
            facts: { ...read.facts },
            collectedAt: readAt,
            repositoryEtag: read.repositoryEtag,
            reviewCheckedAt: read.reviewRead ? readAt : last?.reviewCheckedAt,
          };
          await store.saveFacts(repository, stored);
          return toFact(entity, stored, false);
        } catch (error) {
          if (!(error instanceof RateLimitedError)) {
            logger.warn(
              'Could not read GitHub repository; keeping its last facts',
              {
                repository,
                error: String(error),
              },
            );
          }
          if (!last) return undefined;
          summary.stale++;
          return toFact(entity, last, true);
        }
      };

      const queue = [...items];
      const worker = async () => {
        for (let entity = queue.shift(); entity; entity = queue.shift()) {
          const fact = await factFor(entity);
          if (fact) facts.push(fact);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      for (const client of clients.values()) {
        summary.sent += client.counts.sent;
        summary.notModified += client.counts.notModified;
      }
      logger.info('Collected GitHub facts', { ...summary });
      options.onRun?.(summary);
      return facts;
    },
  };
}

/**
 * The catalog filter for a run: the entities Tech Insights or a one-entity refresh asks for
 * (`ctx.entityFilter`), each also meeting what this retriever needs.
 */
function narrowedFilter(
  entityFilter: FactRetrieverContext['entityFilter'],
  required: Record<string, string | symbol>,
): Record<string, string | symbol | (string | symbol)[]>[] {
  const asked = entityFilter ?? {};
  return (Array.isArray(asked) ? asked : [asked]).map(filter => ({
    ...filter,
    ...required,
  }));
}

/** The integration of the entity's source location when it is on GitHub, else the first configured one. */
function integrationFor(
  integrations: ScmIntegrationRegistry,
  entity: Entity,
): GithubIntegration | undefined {
  if (entity.metadata.annotations?.[ANNOTATION_SOURCE_LOCATION]) {
    const { target } = getEntitySourceLocation(entity);
    const bySource = integrations.github.byUrl(target);
    if (bySource) return bySource;
  }
  return integrations.github.list()[0];
}

function toFact(
  entity: Entity,
  stored: StoredFacts,
  stale: boolean,
): TechInsightFact {
  const { lastCommitAt, ...facts } = stored.facts as unknown as RepositoryFacts;
  const ref: CompoundEntityRef = {
    kind: entity.kind,
    namespace: entity.metadata.namespace ?? 'default',
    name: entity.metadata.name,
  };
  return {
    entity: ref,
    facts: {
      ...facts,
      lastCommitAgeDays: Math.floor(
        (Date.now() - Date.parse(lastCommitAt)) / DAY_MS,
      ),
      stale,
      collectedAt: stored.collectedAt.toISOString(),
    },
  };
}
