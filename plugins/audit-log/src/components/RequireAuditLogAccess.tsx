import { usePermission } from '@backstage/plugin-permission-react';
import { auditLogReadPermission } from '@paved/plugin-audit-log-common';
import { ReactNode } from 'react';

/**
 * Shows its children (the sidebar's Audit log item) only to people allowed to read the audit
 * log. Nothing is shown while the decision loads, so non-admins never see it flash.
 */
export function RequireAuditLogAccess(props: { children?: ReactNode }) {
  const { allowed } = usePermission({ permission: auditLogReadPermission });
  return allowed ? <>{props.children}</> : null;
}
