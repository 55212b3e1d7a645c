/** How important an auditor event is, as the plugin that emitted it rated it. */
export type AuditEventSeverity = 'low' | 'medium' | 'high' | 'critical';

/** Severities from least to most important. */
export const auditEventSeverities: readonly AuditEventSeverity[] = [
  'low',
  'medium',
  'high',
  'critical',
];

/** Where an auditor event stands: begun, finished, or failed. */
export type AuditEventStatus = 'initiated' | 'succeeded' | 'failed';

/**
 * The outcomes the log can be filtered by: a status, or `denied` for failures whose error was
 * a permission denial (`NotAllowedError`).
 */
export type AuditEventOutcome = AuditEventStatus | 'denied';

/** Every {@link AuditEventOutcome}. */
export const auditEventOutcomes: readonly AuditEventOutcome[] = [
  'initiated',
  'succeeded',
  'failed',
  'denied',
];

/** One stored auditor event, as the backend returns it. */
export interface AuditEvent {
  id: string;
  /** ISO 8601 time the event was recorded. */
  time: string;
  /** Plugin that emitted the event, e.g. `catalog`. */
  plugin: string;
  /** The plugin's name for what happened, e.g. `entity-mutate`. */
  eventId: string;
  severity: AuditEventSeverity;
  status: AuditEventStatus;
  actor: {
    /** `user:default/jane` for people, the service subject for backend calls. */
    actorId?: string;
    ip?: string;
    userAgent?: string;
    hostname?: string;
  };
  /** What the event was about: an entity ref, a location target, a template or task. */
  target?: string;
  error?: { name: string; message: string };
  request?: { method: string; url: string };
  meta?: { [key: string]: unknown };
}

/** Filters shared by the list and the CSV export. All optional; given ones must all match. */
export interface AuditEventFilter {
  /** Part of the actor id, case-insensitive. */
  actor?: string;
  /** The plugin id, exactly. */
  plugin?: string;
  /** The event id, exactly. */
  action?: string;
  /** Part of the target (entity ref, location, template, task), case-insensitive. */
  entity?: string;
  outcome?: AuditEventOutcome;
  /** ISO 8601; events at or after this time. */
  from?: string;
  /** ISO 8601; events before this time. */
  to?: string;
}

/** One page of the list, newest first. */
export interface AuditEventQuery extends AuditEventFilter {
  /** Page size, 1 to 500; 50 when absent. */
  limit?: number;
  /** Events to skip; 0 when absent. */
  offset?: number;
}

/** The answer of `GET /events`. */
export interface AuditEventPage {
  items: AuditEvent[];
  /** Every event matching the filters, across pages. */
  totalCount: number;
  offset: number;
  limit: number;
}
