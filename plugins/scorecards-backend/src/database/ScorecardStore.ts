import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import {
  CheckResult,
  EntityHistoryPoint,
  NO_LEVEL,
} from '@paved/plugin-scorecards-common';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@paved/plugin-scorecards-backend',
  'migrations',
);

/** An entity's scorecard as stored. */
export interface StoredScorecard {
  entityRef: string;
  ownerRef?: string;
  systemRef?: string;
  level: string | null;
  checks: CheckResult[];
  stale: boolean;
  evaluatedAt: Date;
}

/** Entities per level for one owner or system. */
export interface StoredRollUp {
  entityRef: string;
  levels: Record<string, number>;
}

/** Scorecards and their history. */
export interface ScorecardStore {
  /** Stores an entity's latest scorecard and makes it that day's history entry. */
  save(scorecard: StoredScorecard): Promise<void>;
  get(entityRef: string): Promise<StoredScorecard | undefined>;
  /** Forgets entities no longer in the catalog (their history stays until retention ends). */
  keepOnly(entityRefs: string[]): Promise<void>;
  /** Entities per level, grouped by owner or by system; entities without one are left out. */
  rollUps(groupBy: 'owner' | 'system'): Promise<StoredRollUp[]>;
  entityHistory(
    entityRef: string,
    sinceDay: string,
  ): Promise<EntityHistoryPoint[]>;
  /** Per day, entities per level. */
  orgHistory(
    sinceDay: string,
  ): Promise<Array<{ day: string; levels: Record<string, number> }>>;
  /** Deletes history before `day`; returns how many rows went. */
  deleteHistoryBefore(day: string): Promise<number>;
}

/** `YYYY-MM-DD` of a time, UTC. */
export function dayOf(time: Date): string {
  return time.toISOString().slice(0, 10);
}

/** {@link ScorecardStore} in the plugin's database (SQLite or PostgreSQL). */
export class DatabaseScorecardStore implements ScorecardStore {
  static async create(
    database: DatabaseService,
  ): Promise<DatabaseScorecardStore> {
    const client = await database.getClient();
    if (!database.migrations?.skip) {
      await client.migrate.latest({ directory: migrationsDir });
    }
    return new DatabaseScorecardStore(client);
  }

  private constructor(private readonly db: Knex) {}

  async save(scorecard: StoredScorecard): Promise<void> {
    const count = (outcome: CheckResult['outcome']) =>
      scorecard.checks.filter(check => check.outcome === outcome).length;
    await this.db.transaction(async tx => {
      await tx('scorecard_entities')
        .insert({
          entity_ref: scorecard.entityRef,
          owner_ref: scorecard.ownerRef ?? null,
          system_ref: scorecard.systemRef ?? null,
          level: scorecard.level,
          checks: JSON.stringify(scorecard.checks),
          stale: scorecard.stale,
          evaluated_at: scorecard.evaluatedAt,
        })
        .onConflict('entity_ref')
        .merge();
      await tx('scorecard_history')
        .insert({
          entity_ref: scorecard.entityRef,
          day: dayOf(scorecard.evaluatedAt),
          level: scorecard.level,
          passed: count('pass'),
          failed: count('fail'),
          unknown: count('unknown'),
        })
        .onConflict(['entity_ref', 'day'])
        .merge();
    });
  }

  async get(entityRef: string): Promise<StoredScorecard | undefined> {
    const row = await this.db('scorecard_entities')
      .where({ entity_ref: entityRef })
      .first();
    if (!row) return undefined;
    return {
      entityRef: row.entity_ref,
      ...(row.owner_ref ? { ownerRef: row.owner_ref } : {}),
      ...(row.system_ref ? { systemRef: row.system_ref } : {}),
      level: row.level,
      checks: JSON.parse(row.checks),
      // SQLite answers booleans as 0/1.
      stale: Boolean(row.stale),
      evaluatedAt: new Date(row.evaluated_at),
    };
  }

  async keepOnly(entityRefs: string[]): Promise<void> {
    const keep = new Set(entityRefs);
    const stored: Array<{ entity_ref: string }> = await this.db(
      'scorecard_entities',
    ).select('entity_ref');
    const gone = stored.map(r => r.entity_ref).filter(ref => !keep.has(ref));
    // Chunked: SQLite limits the number of bound parameters.
    for (let i = 0; i < gone.length; i += 500) {
      await this.db('scorecard_entities')
        .whereIn('entity_ref', gone.slice(i, i + 500))
        .delete();
    }
  }

  async rollUps(groupBy: 'owner' | 'system'): Promise<StoredRollUp[]> {
    const column = groupBy === 'owner' ? 'owner_ref' : 'system_ref';
    const rows = (await this.db('scorecard_entities')
      .select({ ref: column, level: 'level' })
      .count({ count: '*' })
      .whereNotNull(column)
      .groupBy(column, 'level')
      .orderBy(column)) as Array<{
      ref: string;
      level: string | null;
      count: string | number;
    }>;
    const byRef = new Map<string, Record<string, number>>();
    for (const row of rows) {
      const levels = byRef.get(row.ref) ?? {};
      levels[row.level ?? NO_LEVEL] = Number(row.count);
      byRef.set(row.ref, levels);
    }
    return [...byRef].map(([entityRef, levels]) => ({ entityRef, levels }));
  }

  async entityHistory(
    entityRef: string,
    sinceDay: string,
  ): Promise<EntityHistoryPoint[]> {
    const rows = await this.db('scorecard_history')
      .where({ entity_ref: entityRef })
      .andWhere('day', '>=', sinceDay)
      .orderBy('day');
    return rows.map(row => ({
      day: row.day,
      level: row.level,
      passed: row.passed,
      failed: row.failed,
      unknown: row.unknown,
    }));
  }

  async orgHistory(sinceDay: string) {
    const rows = (await this.db('scorecard_history')
      .select('day', 'level')
      .count({ count: '*' })
      .where('day', '>=', sinceDay)
      .groupBy('day', 'level')
      .orderBy('day')) as Array<{
      day: string;
      level: string | null;
      count: string | number;
    }>;
    const byDay = new Map<string, Record<string, number>>();
    for (const row of rows) {
      const levels = byDay.get(row.day) ?? {};
      levels[row.level ?? NO_LEVEL] = Number(row.count);
      byDay.set(row.day, levels);
    }
    return [...byDay].map(([day, levels]) => ({ day, levels }));
  }

  async deleteHistoryBefore(day: string): Promise<number> {
    return this.db('scorecard_history').where('day', '<', day).delete();
  }
}

const stores = new WeakMap<DatabaseService, Promise<DatabaseScorecardStore>>();

/** The store of a database, migrated once however many callers ask for it. */
export function scorecardStoreFor(
  database: DatabaseService,
): Promise<ScorecardStore> {
  let store = stores.get(database);
  if (!store) {
    store = DatabaseScorecardStore.create(database);
    stores.set(database, store);
  }
  return store;
}
