import {
  coreServices,
  createServiceFactory,
  createServiceRef,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { AuditorEvent } from '@backstage/backend-defaults/auditor';
import { Config } from '@backstage/config';
import {
  AuditEventSeverity,
  auditEventSeverities,
} from '@paved/plugin-audit-log-common';
import {
  AuditEventRecord,
  shouldStore,
  toAuditEventRecord,
} from './auditEventRecord';

/** Writes one batch of records; the audit-log plugin attaches its store here. */
export type AuditEventWriter = (records: AuditEventRecord[]) => Promise<void>;

const DEFAULT_MAX_BUFFERED = 10_000;
const BATCH_SIZE = 200;

/**
 * Collects auditor events from every plugin of the backend and hands them to one writer in
 * batches. `accept` never waits for the database, so auditing adds no latency to the request.
 * Events arriving before a writer is attached (plugins start in any order) wait in the buffer.
 */
export class AuditEventSink {
  private buffer: AuditEventRecord[] = [];
  private writer?: AuditEventWriter;
  private draining?: Promise<void>;
  private dropped = 0;

  static fromConfig(config: Config, logger: LoggerService): AuditEventSink {
    const minSeverity = (config.getOptionalString(
      'auditLog.store.minSeverity',
    ) ?? 'medium') as AuditEventSeverity;
    if (!auditEventSeverities.includes(minSeverity)) {
      throw new Error(
        `Invalid auditLog.store.minSeverity '${minSeverity}': expected one of ${auditEventSeverities.join(
          ', ',
        )}`,
      );
    }
    return new AuditEventSink({
      minSeverity,
      maxBuffered:
        config.getOptionalNumber('auditLog.store.maxBufferedEvents') ??
        DEFAULT_MAX_BUFFERED,
      logger,
    });
  }

  constructor(
    private readonly options: {
      minSeverity: AuditEventSeverity;
      maxBuffered: number;
      logger: LoggerService;
    },
  ) {}

  /** Queues the event if it is to be stored. Never throws and never waits. */
  accept(event: AuditorEvent): void {
    try {
      if (!shouldStore(event, this.options.minSeverity)) {
        return;
      }
      if (this.buffer.length >= this.options.maxBuffered) {
        this.dropped += 1;
        return;
      }
      this.buffer.push(toAuditEventRecord(event, new Date()));
      this.scheduleDrain();
    } catch (error) {
      this.options.logger.error('Could not queue an audit event', {
        error: String(error),
      });
    }
  }

  /** Starts writing queued and future events with `writer`. */
  attach(writer: AuditEventWriter): void {
    this.writer = writer;
    this.scheduleDrain();
  }

  /** Stops writing; later events are buffered again. */
  detach(): void {
    this.writer = undefined;
  }

  /** Resolves once every queued event has been written (or dropped by a failed write). */
  async flush(): Promise<void> {
    this.scheduleDrain();
    while (this.draining) {
      await this.draining;
    }
  }

  private scheduleDrain(): void {
    if (!this.writer || this.draining) {
      return;
    }
    // setImmediate lets the audited request carry on before any database work starts.
    this.draining = new Promise<void>(resolve => setImmediate(resolve))
      .then(() => this.drain())
      .finally(() => {
        this.draining = undefined;
        if (this.buffer.length > 0) {
          this.scheduleDrain();
        }
      });
  }

  private async drain(): Promise<void> {
    while (this.writer && this.buffer.length > 0) {
      const batch = this.buffer.splice(0, BATCH_SIZE);
      try {
        await this.writer(batch);
      } catch (error) {
        this.options.logger.error(
          'Could not store audit events; the batch is dropped',
          { count: batch.length, error: String(error) },
        );
      }
      if (this.dropped > 0) {
        this.options.logger.warn(
          'Audit event buffer was full; events were not stored',
          { count: this.dropped, maxBuffered: this.options.maxBuffered },
        );
        this.dropped = 0;
      }
    }
  }
}

/**
 * The one {@link AuditEventSink} of the backend. Root-scoped so every plugin's auditor feeds
 * the audit-log plugin's database connection (with SQLite `:memory:` a second connection would
 * be a different, empty database).
 */
export const auditEventSinkServiceRef = createServiceRef<AuditEventSink>({
  id: 'paved.audit-log.sink',
  scope: 'root',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.rootLogger,
      },
      factory: ({ config, logger }) =>
        AuditEventSink.fromConfig(
          config,
          logger.child({ plugin: 'audit-log' }),
        ),
    }),
});
