/**
 * Admin-only Audit log page for Paved, in Backstage's new frontend system.
 *
 * @packageDocumentation
 */
import { auditLogPlugin } from './plugin';

export default auditLogPlugin;
export { auditLogApi, auditLogPage, rootRouteRef } from './plugin';
export { auditLogApiRef, AuditLogClient } from './api';
export type { AuditLogApi } from './api';
export { AuditLogPage } from './components/AuditLogPage';
export { RequireAuditLogAccess } from './components/RequireAuditLogAccess';
