/**
 * Paved's audit log: Backstage auditor events stored in the database and served to admins.
 *
 * @packageDocumentation
 */
export { auditLogPlugin as default } from './plugin';
export { auditorServiceFactory } from './auditorServiceFactory';
export {
  AuditEventSink,
  auditEventSinkServiceRef,
} from './sink/AuditEventSink';
export type { AuditEventWriter } from './sink/AuditEventSink';
export type { AuditEventRecord } from './sink/auditEventRecord';
