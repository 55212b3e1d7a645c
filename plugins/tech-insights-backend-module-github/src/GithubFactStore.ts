import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@paved/plugin-tech-insights-backend-module-github',
  'migrations',
);
// The tech-insights plugin owns the database and its default migrations table.
const MIGRATIONS_TABLE = 'paved_github_facts_knex_migrations';

/** A stored answer of a GET: its ETag and data. */
export interface StoredResponse {
  etag: string;
  data: unknown;
}

/** The facts last collected from a repository, and when. */
export interface StoredFacts {
  facts: Record<string, unknown>;
  collectedAt: Date;
  /** ETag of the repository's own answer (`GET /repos/{owner}/{repo}`) the facts were read with, after the read's version. */
  repositoryEtag?: string;
  /** When branch protection and rulesets were last read, which the repository's ETag does not cover. */
  reviewCheckedAt?: Date;
}

/**
 * What the GitHub fact retriever keeps in the database so that every replica shares it: ETags
 * with the answers they stand for, each repository's last facts, and rate limit resets.
 */
export class GithubFactStore {
  static async create(database: DatabaseService): Promise<GithubFactStore> {
    const client = await database.getClient();
    if (!database.migrations?.skip) {
      await client.migrate.latest({
        directory: migrationsDir,
        tableName: MIGRATIONS_TABLE,
      });
    }
    return new GithubFactStore(client);
  }

  private constructor(private readonly db: Knex) {}

  async getResponse(url: string): Promise<StoredResponse | undefined> {
    const row = await this.db('paved_github_responses').where({ url }).first();
    return row ? { etag: row.etag, data: JSON.parse(row.body) } : undefined;
  }

  async saveResponse(url: string, response: StoredResponse): Promise<void> {
    await this.db('paved_github_responses')
      .insert({
        url,
        etag: response.etag,
        body: JSON.stringify(response.data),
        updated_at: new Date(),
      })
      .onConflict('url')
      .merge();
  }

  async getFacts(repository: string): Promise<StoredFacts | undefined> {
    const row = await this.db('paved_github_repository_facts')
      .where({ repository })
      .first();
    return row
      ? {
          facts: JSON.parse(row.facts),
          collectedAt: new Date(row.collected_at),
          ...(row.repository_etag
            ? { repositoryEtag: row.repository_etag }
            : {}),
          ...(row.review_checked_at
            ? { reviewCheckedAt: new Date(row.review_checked_at) }
            : {}),
        }
      : undefined;
  }

  async saveFacts(repository: string, stored: StoredFacts): Promise<void> {
    await this.db('paved_github_repository_facts')
      .insert({
        repository,
        facts: JSON.stringify(stored.facts),
        collected_at: stored.collectedAt,
        repository_etag: stored.repositoryEtag ?? null,
        review_checked_at: stored.reviewCheckedAt ?? null,
      })
      .onConflict('repository')
      .merge();
  }

  /** When the rate limit of `apiBaseUrl` resets, if it is exhausted now. */
  async getRateLimitedUntil(apiBaseUrl: string): Promise<Date | undefined> {
    const row = await this.db('paved_github_rate_limits')
      .where({ api_base_url: apiBaseUrl })
      .first();
    if (!row) return undefined;
    const until = new Date(row.limited_until);
    return until > new Date() ? until : undefined;
  }

  async setRateLimitedUntil(apiBaseUrl: string, until: Date): Promise<void> {
    await this.db('paved_github_rate_limits')
      .insert({ api_base_url: apiBaseUrl, limited_until: until })
      .onConflict('api_base_url')
      .merge();
  }
}
