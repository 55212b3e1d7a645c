import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import {
  InfrastructureRequest,
  RequestEvent,
  RequestPullRequest,
  RequestOperation,
  RequestStatus,
  RequestedResource,
} from '@paved/plugin-crossplane-common';
import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@paved/plugin-crossplane-backend',
  'migrations',
);

const REQUESTS = 'crossplane_requests';
const EVENTS = 'crossplane_request_events';

/** After these a request no longer holds its resource: the next change of it may be requested. */
const RELEASING: RequestStatus[] = [
  'rejected',
  'failed',
  'ready',
  'credentials-available',
  'deleted',
];

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 500;

/** What the service stores for a new request; status is its first status. */
export interface NewRequest {
  operation: RequestOperation;
  clientRequestId: string;
  requestedBy: string;
  offering: string;
  offeringTitle: string;
  environment: string;
  entityRef: string;
  ownerRef: string;
  resource: RequestedResource;
  parameters: Record<string, unknown>;
  status: 'awaiting-approval' | 'queued';
}

/** Which requests {@link RequestStore.list} returns; absent fields do not filter. */
export interface RequestFilter {
  entityRef?: string;
  /** Requests owned by any of these teams; an empty list matches nothing. */
  ownerRefs?: string[];
  requestedBy?: string;
  statuses?: RequestStatus[];
  operations?: RequestOperation[];
  offering?: string;
  environment?: string;
  /** Newest first; default 100, at most 500. */
  limit?: number;
  /** How many of the matching requests, newest first, to skip; default 0. */
  offset?: number;
}

/** A move of a request from one status to another, recorded on its timeline. */
export interface Transition {
  /** Only moves a request currently in one of these statuses. */
  from: RequestStatus[];
  to: RequestStatus;
  actor?: string;
  message?: string;
  approval?: InfrastructureRequest['approval'];
  /** The pull request now carrying the request, recorded with the move. */
  pullRequest?: RequestPullRequest;
  /** For an update: the generation its change made. */
  generation?: number;
}

/** Requests for infrastructure and their timelines, shared by every replica. */
export interface RequestStore {
  /**
   * Stores a request with its first timeline event (status, actor = requestedBy), in one transaction.
   * Same (requestedBy, clientRequestId) again → returns the stored request with created=false and
   * changes nothing (also when two calls race: catch the unique violation, then read).
   * Another live request for the same resource (same active key, see below) → throws
   * ConflictError from @backstage/errors naming the resource ("<kind> <namespace>/<name> on
   * <cluster> is already requested (request <id>)"). Nothing is written in either case.
   */
  create(
    request: NewRequest,
  ): Promise<{ request: InfrastructureRequest; created: boolean }>;
  get(id: string): Promise<InfrastructureRequest | undefined>;
  list(filter: RequestFilter): Promise<InfrastructureRequest[]>;
  /**
   * Moves a request to `to` if its status is in `from`, appending a timeline event and setting
   * message (to transition.message or null), updated_at, and approval when given — atomically
   * (a single UPDATE ... WHERE id = ? AND status IN (...), then the event insert, in one transaction).
   * Returns the updated request, or undefined when it was not in `from` (another replica moved
   * it first) or does not exist. Moving to a status that finishes the request ('rejected',
   * 'failed', 'ready', 'credentials-available', 'deleted') clears active_key, so the name can be
   * used, or the resource changed, again.
   */
  transition(
    id: string,
    transition: Transition,
  ): Promise<InfrastructureRequest | undefined>;
  /**
   * Sets the message (e.g. the last delivery error) without a transition or an event, and when
   * delivery may be tried again (`retryAt`; absent: at once). A transition clears `retryAt`.
   */
  setMessage(
    id: string,
    message: string | undefined,
    retryAt?: Date,
  ): Promise<void>;
  /**
   * Ids of requests in `statuses`, oldest first (the delivery loop picks up 'queued' ones);
   * with `dueBy`, only those whose `retryAt` is absent or not after it.
   */
  idsWithStatus(
    statuses: RequestStatus[],
    limit?: number,
    dueBy?: Date,
  ): Promise<string[]>;
  /** The request that holds the resource now (its active key), if any. */
  findActive(
    resource: RequestedResource,
  ): Promise<InfrastructureRequest | undefined>;
  /** The request a person made with this client request id, if any. */
  findByClientRequestId(
    requestedBy: string,
    clientRequestId: string,
  ): Promise<InfrastructureRequest | undefined>;
}

/** SQLite returns timestamps as numbers (ms) or strings, PostgreSQL as Dates. */
type Timestamp = Date | number | string;

interface RequestRow {
  id: string;
  operation: RequestOperation;
  generation: number | null;
  client_request_id: string;
  requested_by: string;
  offering: string;
  offering_title: string;
  environment: string;
  entity_ref: string;
  owner_ref: string;
  cluster: string;
  api_version: string;
  kind: string;
  namespace: string | null;
  name: string;
  parameters: string;
  status: RequestStatus;
  message: string | null;
  approval: string | null;
  active_key: string | null;
  pull_request_repository: string | null;
  pull_request_number: number | null;
  pull_request_url: string | null;
  retry_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

interface EventRow {
  id: number;
  request_id: string;
  status: RequestStatus;
  at: Timestamp;
  actor: string | null;
  message: string | null;
}

/** The key that makes two live requests for one resource collide. */
function activeKeyOf(resource: RequestedResource): string {
  const { cluster, apiVersion, kind, namespace, name } = resource;
  return `${cluster}|${apiVersion}|${kind}|${
    namespace ?? ''
  }|${name}`.toLowerCase();
}

function isoTimestamp(value: Timestamp): string {
  return new Date(value).toISOString();
}

/** Matches PostgreSQL's unique_violation and SQLite's UNIQUE constraint errors. */
function isUniqueViolation(error: unknown): boolean {
  const { code, message } = (error ?? {}) as {
    code?: unknown;
    message?: unknown;
  };
  return (
    code === '23505' ||
    (typeof code === 'string' &&
      code.startsWith('SQLITE_CONSTRAINT') &&
      /UNIQUE/i.test(String(message)))
  );
}

function toEvent(row: EventRow): RequestEvent {
  return {
    status: row.status,
    at: isoTimestamp(row.at),
    ...(row.actor !== null ? { actor: row.actor } : {}),
    ...(row.message !== null ? { message: row.message } : {}),
  };
}

function toRequest(
  row: RequestRow,
  events: RequestEvent[],
): InfrastructureRequest {
  return {
    id: row.id,
    operation: row.operation,
    offering: row.offering,
    offeringTitle: row.offering_title,
    environment: row.environment,
    entityRef: row.entity_ref,
    ownerRef: row.owner_ref,
    requestedBy: row.requested_by,
    resource: {
      cluster: row.cluster,
      apiVersion: row.api_version,
      kind: row.kind,
      ...(row.namespace !== null ? { namespace: row.namespace } : {}),
      name: row.name,
    },
    parameters: JSON.parse(row.parameters),
    status: row.status,
    ...(row.generation !== null ? { generation: row.generation } : {}),
    ...(row.message !== null ? { message: row.message } : {}),
    ...(row.approval !== null ? { approval: JSON.parse(row.approval) } : {}),
    ...(row.pull_request_number !== null
      ? {
          pullRequest: {
            repository: row.pull_request_repository ?? '',
            number: Number(row.pull_request_number),
            url: row.pull_request_url ?? '',
          },
        }
      : {}),
    ...(row.retry_at !== null ? { retryAt: isoTimestamp(row.retry_at) } : {}),
    createdAt: isoTimestamp(row.created_at),
    updatedAt: isoTimestamp(row.updated_at),
    events,
  };
}

/** {@link RequestStore} in the plugin's database (SQLite or PostgreSQL). */
export class DatabaseRequestStore implements RequestStore {
  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<DatabaseRequestStore> {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip && !options.skipMigrations) {
      await client.migrate.latest({ directory: migrationsDir });
    }
    return new DatabaseRequestStore(client);
  }

  private constructor(private readonly db: Knex) {}

  async create(
    request: NewRequest,
  ): Promise<{ request: InfrastructureRequest; created: boolean }> {
    const existing = await this.findByClientRequestId(
      request.requestedBy,
      request.clientRequestId,
    );
    if (existing) {
      return { request: existing, created: false };
    }
    const activeKey = activeKeyOf(request.resource);
    await this.assertNotRequested(activeKey, request.resource);

    const id = randomUUID();
    const now = new Date();
    const { resource } = request;
    try {
      await this.db.transaction(async trx => {
        await trx<RequestRow>(REQUESTS).insert({
          id,
          operation: request.operation,
          generation: null,
          client_request_id: request.clientRequestId,
          requested_by: request.requestedBy,
          offering: request.offering,
          offering_title: request.offeringTitle,
          environment: request.environment,
          entity_ref: request.entityRef,
          owner_ref: request.ownerRef,
          cluster: resource.cluster,
          api_version: resource.apiVersion,
          kind: resource.kind,
          namespace: resource.namespace ?? null,
          name: resource.name,
          parameters: JSON.stringify(request.parameters),
          status: request.status,
          message: null,
          approval: null,
          active_key: activeKey,
          pull_request_repository: null,
          pull_request_number: null,
          pull_request_url: null,
          retry_at: null,
          created_at: now,
          updated_at: now,
        });
        await trx<EventRow>(EVENTS).insert({
          request_id: id,
          status: request.status,
          at: now,
          actor: request.requestedBy,
          message: null,
        });
      });
    } catch (error) {
      if (!isUniqueViolation(error)) {
        throw error;
      }
      // Another call stored the same submission, or a request for the same resource, between
      // the reads above and this insert.
      const raced = await this.findByClientRequestId(
        request.requestedBy,
        request.clientRequestId,
      );
      if (raced) {
        return { request: raced, created: false };
      }
      await this.assertNotRequested(activeKey, resource);
      throw error;
    }
    return { request: (await this.get(id))!, created: true };
  }

  async get(id: string): Promise<InfrastructureRequest | undefined> {
    const row = await this.db<RequestRow>(REQUESTS).where({ id }).first();
    return row ? (await this.withEvents([row]))[0] : undefined;
  }

  async list(filter: RequestFilter): Promise<InfrastructureRequest[]> {
    const query = this.db<RequestRow>(REQUESTS);
    if (filter.entityRef !== undefined) {
      query.where('entity_ref', filter.entityRef);
    }
    if (filter.ownerRefs !== undefined) {
      query.whereIn('owner_ref', filter.ownerRefs);
    }
    if (filter.requestedBy !== undefined) {
      query.where('requested_by', filter.requestedBy);
    }
    if (filter.statuses !== undefined) {
      query.whereIn('status', filter.statuses);
    }
    if (filter.operations !== undefined) {
      query.whereIn('operation', filter.operations);
    }
    if (filter.offering !== undefined) {
      query.where('offering', filter.offering);
    }
    if (filter.environment !== undefined) {
      query.where('environment', filter.environment);
    }
    const limit = Math.min(
      Math.max(Math.floor(filter.limit ?? DEFAULT_LIMIT), 1),
      MAX_LIMIT,
    );
    // The id breaks ties between requests made in the same millisecond, so pages never overlap.
    const rows = await query
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit)
      .offset(Math.max(Math.floor(filter.offset ?? 0), 0));
    return this.withEvents(rows);
  }

  async transition(
    id: string,
    transition: Transition,
  ): Promise<InfrastructureRequest | undefined> {
    const now = new Date();
    const moved = await this.db.transaction(async trx => {
      // The status condition in the UPDATE itself makes concurrent moves from one status
      // exclusive: the second sees the new status and updates nothing.
      const updated = await trx<RequestRow>(REQUESTS)
        .where({ id })
        .whereIn('status', transition.from)
        .update({
          status: transition.to,
          message: transition.message ?? null,
          updated_at: now,
          retry_at: null,
          ...(transition.approval
            ? { approval: JSON.stringify(transition.approval) }
            : {}),
          ...(transition.pullRequest
            ? {
                pull_request_repository: transition.pullRequest.repository,
                pull_request_number: transition.pullRequest.number,
                pull_request_url: transition.pullRequest.url,
              }
            : {}),
          ...(transition.generation !== undefined
            ? { generation: transition.generation }
            : {}),
          ...(RELEASING.includes(transition.to) ? { active_key: null } : {}),
        });
      if (updated === 0) {
        return false;
      }
      await trx<EventRow>(EVENTS).insert({
        request_id: id,
        status: transition.to,
        at: now,
        actor: transition.actor ?? null,
        message: transition.message ?? null,
      });
      return true;
    });
    return moved ? this.get(id) : undefined;
  }

  async setMessage(
    id: string,
    message: string | undefined,
    retryAt?: Date,
  ): Promise<void> {
    await this.db<RequestRow>(REQUESTS)
      .where({ id })
      .update({
        message: message ?? null,
        retry_at: retryAt ?? null,
        updated_at: new Date(),
      });
  }

  async idsWithStatus(
    statuses: RequestStatus[],
    limit: number = DEFAULT_LIMIT,
    dueBy?: Date,
  ): Promise<string[]> {
    const query = this.db<RequestRow>(REQUESTS).whereIn('status', statuses);
    if (dueBy) {
      query.where(due =>
        due.whereNull('retry_at').orWhere('retry_at', '<=', dueBy),
      );
    }
    const rows = await query
      .orderBy('created_at', 'asc')
      .limit(limit)
      .select('id');
    return rows.map(row => row.id);
  }

  async findActive(
    resource: RequestedResource,
  ): Promise<InfrastructureRequest | undefined> {
    const row = await this.db<RequestRow>(REQUESTS)
      .where({ active_key: activeKeyOf(resource) })
      .first();
    return row ? (await this.withEvents([row]))[0] : undefined;
  }

  async findByClientRequestId(
    requestedBy: string,
    clientRequestId: string,
  ): Promise<InfrastructureRequest | undefined> {
    const row = await this.db<RequestRow>(REQUESTS)
      .where({
        requested_by: requestedBy,
        client_request_id: clientRequestId,
      })
      .first();
    return row ? (await this.withEvents([row]))[0] : undefined;
  }

  private async assertNotRequested(
    activeKey: string,
    resource: RequestedResource,
  ): Promise<void> {
    const holder = await this.db<RequestRow>(REQUESTS)
      .where({ active_key: activeKey })
      .first('id');
    if (holder) {
      const where = resource.namespace
        ? `${resource.namespace}/${resource.name}`
        : resource.name;
      throw new ConflictError(
        `${resource.kind} ${where} on ${resource.cluster} is already requested (request ${holder.id})`,
      );
    }
  }

  private async withEvents(
    rows: RequestRow[],
  ): Promise<InfrastructureRequest[]> {
    if (rows.length === 0) {
      return [];
    }
    const eventRows = await this.db<EventRow>(EVENTS)
      .whereIn(
        'request_id',
        rows.map(row => row.id),
      )
      .orderBy('id', 'asc');
    const events = new Map<string, RequestEvent[]>();
    for (const eventRow of eventRows) {
      const timeline = events.get(eventRow.request_id) ?? [];
      timeline.push(toEvent(eventRow));
      events.set(eventRow.request_id, timeline);
    }
    return rows.map(row => toRequest(row, events.get(row.id) ?? []));
  }
}

const stores = new WeakMap<DatabaseService, Promise<RequestStore>>();

/**
 * One store per database service, so two callers in one plugin do not run migrations
 * concurrently.
 */
export function requestStoreFor(
  database: DatabaseService,
): Promise<RequestStore> {
  let store = stores.get(database);
  if (!store) {
    store = DatabaseRequestStore.create({ database });
    stores.set(database, store);
    // A failed start (database down) may be retried by the next caller.
    store.catch(() => stores.delete(database));
  }
  return store;
}
