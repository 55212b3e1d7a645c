import { AuditorEvent } from '@backstage/backend-defaults/auditor';
import { JsonObject, JsonValue } from '@backstage/types';
import {
  AuditEventSeverity,
  auditEventSeverities,
  AuditEventStatus,
} from '@paved/plugin-audit-log-common';

/** An auditor event as the store writes it: plain values only, the time it was recorded. */
export interface AuditEventRecord {
  time: Date;
  plugin: string;
  eventId: string;
  severity: AuditEventSeverity;
  status: AuditEventStatus;
  actorId?: string;
  ip?: string;
  userAgent?: string;
  hostname?: string;
  target?: string;
  errorName?: string;
  errorMessage?: string;
  requestMethod?: string;
  requestUrl?: string;
  meta?: JsonObject;
}

// Long lists of entity refs would make the column unbounded; the full list stays in meta.
const MAX_TARGET_LENGTH = 1000;

/** The event's error is a permission denial (`NotAllowedError`, possibly forwarded). */
export function isPermissionDenial(event: AuditorEvent): boolean {
  return event.status === 'failed' && event.error?.name === 'NotAllowedError';
}

/**
 * Whether an event is kept: everything at or above `minSeverity`, and every permission denial
 * whatever its severity, since denials are what an admin looks for first.
 */
export function shouldStore(
  event: AuditorEvent,
  minSeverity: AuditEventSeverity,
): boolean {
  return (
    isPermissionDenial(event) ||
    auditEventSeverities.indexOf(event.severityLevel) >=
      auditEventSeverities.indexOf(minSeverity)
  );
}

function text(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * What the event was about, from the meta keys Backstage's plugins use: `entityRef` (catalog,
 * kubernetes), `entityRefs` (catalog by-refs), `location.target` (catalog locations),
 * `templateRef` and `taskId` (scaffolder), `clusterName` (kubernetes proxy).
 */
export function deriveTarget(meta: JsonObject | undefined): string | undefined {
  if (!meta) {
    return undefined;
  }
  const entityRefs = Array.isArray(meta.entityRefs)
    ? meta.entityRefs.map(text).filter(Boolean).join(', ')
    : undefined;
  const target =
    text(meta.entityRef) ??
    text(entityRefs) ??
    (isObject(meta.location) ? text(meta.location.target) : undefined) ??
    text(meta.templateRef) ??
    text(meta.taskId) ??
    text(meta.clusterName);
  return target?.slice(0, MAX_TARGET_LENGTH);
}

/** Turns the auditor's event into a record, taking `time` as the moment it happened. */
export function toAuditEventRecord(
  event: AuditorEvent,
  time: Date,
): AuditEventRecord {
  return {
    time,
    plugin: event.plugin,
    eventId: event.eventId,
    severity: event.severityLevel,
    status: event.status,
    actorId: event.actor.actorId,
    ip: event.actor.ip,
    userAgent: event.actor.userAgent,
    hostname: event.actor.hostname,
    target: deriveTarget(event.meta),
    ...(event.status === 'failed'
      ? {
          errorName: event.error?.name ?? 'Error',
          errorMessage: String(event.error?.message ?? event.error),
        }
      : {}),
    requestMethod: event.request?.method,
    requestUrl: event.request?.url,
    meta: event.meta,
  };
}
