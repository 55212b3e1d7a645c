import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { CommitInfo } from '@paved/plugin-argocd-common';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@paved/plugin-argocd-backend',
  'migrations',
);

const TABLE = 'argocd_commits';

/** Commit details by repository and SHA; commits are immutable, so entries never expire. */
export interface CommitStore {
  /** The stored commits of `repoUrl` among `shas`, by SHA. */
  getCommits(repoUrl: string, shas: string[]): Promise<Map<string, CommitInfo>>;
  /** Stores a commit under the SHA it was asked for; a second write of the same one is ignored. */
  saveCommit(repoUrl: string, sha: string, commit: CommitInfo): Promise<void>;
}

interface CommitRow {
  repo_url: string;
  sha: string;
  message: string;
  author_name: string;
  author_login: string | null;
  author_avatar_url: string | null;
  committed_at: string | null;
  url: string;
}

/** {@link CommitStore} in the plugin's database, shared by every replica. */
export class DatabaseCommitStore implements CommitStore {
  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<DatabaseCommitStore> {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip && !options.skipMigrations) {
      await client.migrate.latest({ directory: migrationsDir });
    }
    return new DatabaseCommitStore(client);
  }

  private constructor(private readonly db: Knex) {}

  async getCommits(
    repoUrl: string,
    shas: string[],
  ): Promise<Map<string, CommitInfo>> {
    const found = new Map<string, CommitInfo>();
    if (shas.length === 0) {
      return found;
    }
    const rows = await this.db<CommitRow>(TABLE)
      .where('repo_url', repoUrl)
      .whereIn('sha', shas);
    for (const row of rows) {
      found.set(row.sha, {
        sha: row.sha,
        message: row.message,
        author: {
          name: row.author_name,
          ...(row.author_login ? { login: row.author_login } : {}),
          ...(row.author_avatar_url
            ? { avatarUrl: row.author_avatar_url }
            : {}),
        },
        ...(row.committed_at ? { committedAt: row.committed_at } : {}),
        url: row.url,
      });
    }
    return found;
  }

  async saveCommit(
    repoUrl: string,
    sha: string,
    commit: CommitInfo,
  ): Promise<void> {
    await this.db<CommitRow>(TABLE)
      .insert({
        repo_url: repoUrl,
        sha,
        message: commit.message,
        author_name: commit.author.name,
        author_login: commit.author.login ?? null,
        author_avatar_url: commit.author.avatarUrl ?? null,
        committed_at: commit.committedAt ?? null,
        url: commit.url,
      })
      .onConflict(['repo_url', 'sha'])
      .ignore();
  }
}

const stores = new WeakMap<DatabaseService, Promise<CommitStore>>();

/**
 * One store per database service, so two callers in one plugin do not run migrations
 * concurrently.
 */
export function commitStoreFor(
  database: DatabaseService,
): Promise<CommitStore> {
  let store = stores.get(database);
  if (!store) {
    store = DatabaseCommitStore.create({ database });
    stores.set(database, store);
    // A failed start (database down) may be retried by the next caller.
    store.catch(() => stores.delete(database));
  }
  return store;
}
