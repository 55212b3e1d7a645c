import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import {
  AuditEvent,
  AuditEventFilter,
  AuditEventSeverity,
  AuditEventStatus,
} from '@paved/plugin-audit-log-common';
import { Knex } from 'knex';
import { AuditEventRecord } from '../sink/auditEventRecord';

const migrationsDir = resolvePackagePath(
  '@paved/plugin-audit-log-backend',
  'migrations',
);

const TABLE = 'audit_events';

/** Stored auditor events, newest first. */
export interface AuditEventStore {
  insertEvents(records: AuditEventRecord[]): Promise<void>;
  /** One page of the events matching `filter`, and how many match in all. */
  listEvents(options: {
    filter: AuditEventFilter;
    limit: number;
    offset: number;
  }): Promise<{ items: AuditEvent[]; totalCount: number }>;
  /** Every event matching `filter`, in batches, without holding them all in memory. */
  streamEvents(
    filter: AuditEventFilter,
    batchSize?: number,
  ): AsyncIterable<AuditEvent[]>;
  /** Deletes events older than `time`; returns how many. */
  deleteEventsBefore(time: Date): Promise<number>;
}

interface AuditEventRow {
  id: number | string;
  occurred_at: Date | number | string;
  plugin: string;
  event_id: string;
  severity: string;
  status: string;
  actor_id: string | null;
  actor_ip: string | null;
  actor_user_agent: string | null;
  actor_hostname: string | null;
  target: string | null;
  error_name: string | null;
  error_message: string | null;
  request_method: string | null;
  request_url: string | null;
  meta: string | null;
}

// Rows per insert statement; keeps SQLite under its bound-variable limit.
const INSERT_CHUNK = 50;

/** {@link AuditEventStore} in the plugin's database, shared by every replica. */
export class DatabaseAuditEventStore implements AuditEventStore {
  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<DatabaseAuditEventStore> {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip && !options.skipMigrations) {
      await client.migrate.latest({ directory: migrationsDir });
    }
    return new DatabaseAuditEventStore(client);
  }

  private constructor(private readonly db: Knex) {}

  async insertEvents(records: AuditEventRecord[]): Promise<void> {
    if (records.length === 0) {
      return;
    }
    await this.db.batchInsert(TABLE, records.map(toRow) as any[], INSERT_CHUNK);
  }

  async listEvents(options: {
    filter: AuditEventFilter;
    limit: number;
    offset: number;
  }): Promise<{ items: AuditEvent[]; totalCount: number }> {
    const [rows, [{ count }]] = await Promise.all([
      this.filtered(options.filter)
        .select()
        .orderBy([
          { column: 'occurred_at', order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
        .limit(options.limit)
        .offset(options.offset),
      this.filtered(options.filter).count({ count: '*' }),
    ]);
    return {
      items: (rows as AuditEventRow[]).map(fromRow),
      totalCount: Number(count),
    };
  }

  async *streamEvents(
    filter: AuditEventFilter,
    batchSize = 500,
  ): AsyncIterable<AuditEvent[]> {
    // Keyset paging on (occurred_at, id): stable while new events arrive, unlike offsets.
    let last: AuditEventRow | undefined;
    for (;;) {
      const query = this.filtered(filter)
        .select()
        .orderBy([
          { column: 'occurred_at', order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
        .limit(batchSize);
      if (last) {
        const { occurred_at: time, id } = last;
        query.where(older =>
          older
            .where('occurred_at', '<', time)
            .orWhere(same =>
              same.where('occurred_at', '=', time).andWhere('id', '<', id),
            ),
        );
      }
      const rows = (await query) as AuditEventRow[];
      if (rows.length === 0) {
        return;
      }
      yield rows.map(fromRow);
      if (rows.length < batchSize) {
        return;
      }
      last = rows[rows.length - 1];
    }
  }

  async deleteEventsBefore(time: Date): Promise<number> {
    return await this.db(TABLE).where('occurred_at', '<', time).delete();
  }

  private filtered(filter: AuditEventFilter): Knex.QueryBuilder {
    const query = this.db<AuditEventRow>(TABLE);
    if (filter.actor) {
      whereContains(query, 'actor_id', filter.actor);
    }
    if (filter.plugin) {
      query.where('plugin', filter.plugin);
    }
    if (filter.action) {
      query.where('event_id', filter.action);
    }
    if (filter.entity) {
      whereContains(query, 'target', filter.entity);
    }
    if (filter.outcome === 'denied') {
      query.where({ status: 'failed', error_name: 'NotAllowedError' });
    } else if (filter.outcome) {
      query.where('status', filter.outcome);
    }
    if (filter.from) {
      query.where('occurred_at', '>=', new Date(filter.from));
    }
    if (filter.to) {
      query.where('occurred_at', '<', new Date(filter.to));
    }
    return query;
  }
}

// Case-insensitive substring match with the user's `%` and `_` taken literally.
function whereContains(query: Knex.QueryBuilder, column: string, text: string) {
  const pattern = `%${text
    .toLocaleLowerCase('en-US')
    .replace(/[\\%_]/g, c => `\\${c}`)}%`;
  query.whereRaw(`LOWER(??) LIKE ? ESCAPE '\\'`, [column, pattern]);
}

function toRow(record: AuditEventRecord): Omit<AuditEventRow, 'id'> {
  return {
    occurred_at: record.time,
    plugin: record.plugin,
    event_id: record.eventId,
    severity: record.severity,
    status: record.status,
    actor_id: record.actorId ?? null,
    actor_ip: record.ip ?? null,
    actor_user_agent: record.userAgent ?? null,
    actor_hostname: record.hostname ?? null,
    target: record.target ?? null,
    error_name: record.errorName ?? null,
    error_message: record.errorMessage ?? null,
    request_method: record.requestMethod ?? null,
    request_url: record.requestUrl ?? null,
    meta: record.meta ? JSON.stringify(record.meta) : null,
  };
}

// SQLite hands back timestamps as epoch milliseconds, PostgreSQL as Dates.
function toIsoTime(value: Date | number | string): string {
  return new Date(value).toISOString();
}

function fromRow(row: AuditEventRow): AuditEvent {
  const actor: AuditEvent['actor'] = {};
  if (row.actor_id) actor.actorId = row.actor_id;
  if (row.actor_ip) actor.ip = row.actor_ip;
  if (row.actor_user_agent) actor.userAgent = row.actor_user_agent;
  if (row.actor_hostname) actor.hostname = row.actor_hostname;
  return {
    id: String(row.id),
    time: toIsoTime(row.occurred_at),
    plugin: row.plugin,
    eventId: row.event_id,
    severity: row.severity as AuditEventSeverity,
    status: row.status as AuditEventStatus,
    actor,
    ...(row.target ? { target: row.target } : {}),
    ...(row.error_name
      ? { error: { name: row.error_name, message: row.error_message ?? '' } }
      : {}),
    ...(row.request_method && row.request_url
      ? { request: { method: row.request_method, url: row.request_url } }
      : {}),
    ...(row.meta ? { meta: JSON.parse(row.meta) } : {}),
  };
}

const stores = new WeakMap<DatabaseService, Promise<AuditEventStore>>();

/**
 * One store per database service, so two callers in one plugin do not run migrations
 * concurrently.
 */
export function auditEventStoreFor(
  database: DatabaseService,
): Promise<AuditEventStore> {
  let store = stores.get(database);
  if (!store) {
    store = DatabaseAuditEventStore.create({ database });
    stores.set(database, store);
    // A failed start (database down) may be retried by the next caller.
    store.catch(() => stores.delete(database));
  }
  return store;
}
