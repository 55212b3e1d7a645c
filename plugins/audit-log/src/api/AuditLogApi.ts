import { createApiRef } from '@backstage/frontend-plugin-api';
import {
  AuditEventFilter,
  AuditEventPage,
  AuditEventQuery,
} from '@paved/plugin-audit-log-common';

/**
 * Reads the audit log from the `audit-log` backend on behalf of the signed-in user. Failed
 * requests reject with a `ResponseError` carrying the server's message (403 for non-admins).
 */
export interface AuditLogApi {
  /** One page of events matching the query, newest first, with the total count. */
  listEvents(query: AuditEventQuery): Promise<AuditEventPage>;
  /** Every event matching the filter as a CSV file. */
  exportEvents(filter: AuditEventFilter): Promise<Blob>;
}

/** The {@link AuditLogApi} of the audit log plugin. */
export const auditLogApiRef = createApiRef<AuditLogApi>().with({
  id: 'plugin.audit-log.service',
  pluginId: 'audit-log',
});
