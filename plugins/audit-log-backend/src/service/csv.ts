import { AuditEvent } from '@paved/plugin-audit-log-common';

/** Columns of the CSV export, in order. */
export const CSV_COLUMNS = [
  'time',
  'plugin',
  'eventId',
  'severity',
  'status',
  'actorId',
  'ip',
  'userAgent',
  'hostname',
  'target',
  'errorName',
  'errorMessage',
  'requestMethod',
  'requestUrl',
  'meta',
] as const;

/**
 * One CSV field per RFC 4180: quoted when it holds a comma, quote or line break, quotes doubled.
 * Text that a spreadsheet would run as a formula gets a leading apostrophe.
 */
export function csvField(value: string | undefined): string {
  if (value === undefined || value === '') {
    return '';
  }
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\r\n`;
}

export function csvRow(event: AuditEvent): string {
  const values: Record<(typeof CSV_COLUMNS)[number], string | undefined> = {
    time: event.time,
    plugin: event.plugin,
    eventId: event.eventId,
    severity: event.severity,
    status: event.status,
    actorId: event.actor.actorId,
    ip: event.actor.ip,
    userAgent: event.actor.userAgent,
    hostname: event.actor.hostname,
    target: event.target,
    errorName: event.error?.name,
    errorMessage: event.error?.message,
    requestMethod: event.request?.method,
    requestUrl: event.request?.url,
    meta: event.meta ? JSON.stringify(event.meta) : undefined,
  };
  return `${CSV_COLUMNS.map(column => csvField(values[column])).join(',')}\r\n`;
}
