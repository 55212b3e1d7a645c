import { DatabaseService } from '@backstage/backend-plugin-api';
import {
  CheckResult,
  EntityFilter,
  EntityHistoryPoint,
  NO_LEVEL,
} from '@paved/plugin-scorecards-common';
import { Knex } from 'knex';
import { migratedClient } from './migrations';

/** An entity's scorecard as stored. */
export interface StoredScorecard {
  entityRef: string;
  /** `metadata.title`, else the name; absent for rows scored before titles were kept. */
  title?: string;
  ownerRef?: string;
  systemRef?: string;
  lifecycle?: string;
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
  /** The latest scorecards of the entities matching the filter, by entity ref. */
  list(filter: EntityFilter): Promise<StoredScorecard[]>;
  /** Forgets entities no longer in the catalog (their history stays until retention ends). */
  keepOnly(entityRefs: string[]): Promise<void>;
  /**
   * Entities matching the filter per level, grouped by owner or by system; entities without one
   * are left out.
   */
  rollUps(
    groupBy: 'owner' | 'system',
    filter: EntityFilter,
  ): Promise<StoredRollUp[]>;
  entityHistory(
    entityRef: string,
    sinceDay: string,
  ): Promise<EntityHistoryPoint[]>;
  /**
   * Per day, entities per level. A filter selects entities by their current owner, system and
   * lifecycle, so entities gone from the catalog drop out of a filtered history.
   */
  orgHistory(
    sinceDay: string,
    filter: EntityFilter,
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
    return new DatabaseScorecardStore(await migratedClient(database));
  }

  private constructor(private readonly db: Knex) {}

  async save(scorecard: StoredScorecard): Promise<void> {
    const count = (outcome: CheckResult['outcome']) =>
      scorecard.checks.filter(check => check.outcome === outcome).length;
    await this.db.transaction(async tx => {
      await tx('scorecard_entities')
        .insert({
          entity_ref: scorecard.entityRef,
          title: scorecard.title ?? null,
          owner_ref: scorecard.ownerRef ?? null,
          system_ref: scorecard.systemRef ?? null,
          lifecycle: scorecard.lifecycle ?? null,
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
    const row = await this.db<EntityRow>('scorecard_entities')
      .where({ entity_ref: entityRef })
      .first();
    return row ? toScorecard(row) : undefined;
  }

  async list(filter: EntityFilter): Promise<StoredScorecard[]> {
    const rows: EntityRow[] = await matching(
      this.db('scorecard_entities'),
      filter,
    ).orderBy('entity_ref');
    return rows.map(toScorecard);
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

  async rollUps(
    groupBy: 'owner' | 'system',
    filter: EntityFilter,
  ): Promise<StoredRollUp[]> {
    const column = groupBy === 'owner' ? 'owner_ref' : 'system_ref';
    const rows = (await matching(this.db('scorecard_entities'), filter)
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

  async orgHistory(sinceDay: string, filter: EntityFilter) {
    const query = this.db('scorecard_history')
      .select(
        'scorecard_history.day as day',
        'scorecard_history.level as level',
      )
      .count({ count: '*' })
      .where('scorecard_history.day', '>=', sinceDay)
      .groupBy('scorecard_history.day', 'scorecard_history.level')
      .orderBy('scorecard_history.day');
    if (isFiltering(filter)) {
      query.whereIn(
        'scorecard_history.entity_ref',
        matching(this.db('scorecard_entities'), filter).select('entity_ref'),
      );
    }
    const rows = (await query) as Array<{
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

/** Columns of `scorecard_entities` a filter field compares with. */
const FILTER_COLUMNS = {
  owner: 'owner_ref',
  system: 'system_ref',
  lifecycle: 'lifecycle',
} as const;

function isFiltering(filter: EntityFilter): boolean {
  return Object.values(filter).some(values => values?.length);
}

/**
 * Narrows a query of `scorecard_entities` to the filter: each field matches any of its values, and
 * every field given must match. Entity refs arrive normalised (lower case), as the catalog stores
 * them.
 */
function matching(query: Knex.QueryBuilder, filter: EntityFilter) {
  for (const [field, column] of Object.entries(FILTER_COLUMNS)) {
    const values = filter[field as keyof EntityFilter];
    if (values?.length) {
      query.whereIn(`scorecard_entities.${column}`, values);
    }
  }
  return query;
}

/** A row of `scorecard_entities`. */
interface EntityRow {
  entity_ref: string;
  title: string | null;
  owner_ref: string | null;
  system_ref: string | null;
  lifecycle: string | null;
  level: string | null;
  checks: string;
  stale: boolean | number;
  evaluated_at: string | Date;
}

function toScorecard(row: EntityRow): StoredScorecard {
  return {
    entityRef: row.entity_ref,
    ...(row.title ? { title: row.title } : {}),
    ...(row.owner_ref ? { ownerRef: row.owner_ref } : {}),
    ...(row.system_ref ? { systemRef: row.system_ref } : {}),
    ...(row.lifecycle ? { lifecycle: row.lifecycle } : {}),
    level: row.level,
    checks: JSON.parse(row.checks),
    // SQLite answers booleans as 0/1.
    stale: Boolean(row.stale),
    evaluatedAt: new Date(row.evaluated_at),
  };
}
