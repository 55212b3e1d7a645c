import { createPermission } from '@backstage/plugin-permission-common';

/** Reading and exporting the audit log. Paved's policy grants it to admins only. */
export const auditLogReadPermission = createPermission({
  name: 'audit-log.event.read',
  attributes: { action: 'read' },
});

/** Every permission the audit log plugin checks. */
export const auditLogPermissions = [auditLogReadPermission];
