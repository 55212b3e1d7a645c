import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@paved/plugin-tech-insights-backend-module-argocd',
  'migrations',
);
// The tech-insights plugin owns the database and its default migrations table.
const MIGRATIONS_TABLE = 'paved_argocd_facts_knex_migrations';

/** The Argo CD facts last collected for an entity, and when. */
export interface StoredArgocdFacts {
  facts: Record<string, unknown>;
  collectedAt: Date;
}

/**
 * Each entity's last Argo CD facts, in the tech-insights database so every replica shares them:
 * what the retriever returns, marked stale, while an Argo CD instance cannot be read.
 */
export class ArgocdFactStore {
  static async create(database: DatabaseService): Promise<ArgocdFactStore> {
    const client = await database.getClient();
    if (!database.migrations?.skip) {
      await client.migrate.latest({
        directory: migrationsDir,
        tableName: MIGRATIONS_TABLE,
      });
    }
    return new ArgocdFactStore(client);
  }

  private constructor(private readonly db: Knex) {}

  async getFacts(entityRef: string): Promise<StoredArgocdFacts | undefined> {
    const row = await this.db('paved_argocd_entity_facts')
      .where({ entity_ref: entityRef })
      .first();
    return row
      ? {
          facts: JSON.parse(row.facts),
          collectedAt: new Date(row.collected_at),
        }
      : undefined;
  }

  async saveFacts(entityRef: string, stored: StoredArgocdFacts): Promise<void> {
    await this.db('paved_argocd_entity_facts')
      .insert({
        entity_ref: entityRef,
        facts: JSON.stringify(stored.facts),
        collected_at: stored.collectedAt,
      })
      .onConflict('entity_ref')
      .merge();
  }
}
