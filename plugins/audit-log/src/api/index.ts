export { auditLogApiRef } from './AuditLogApi';
export type { AuditLogApi } from './AuditLogApi';
export { AuditLogClient } from './AuditLogClient';
