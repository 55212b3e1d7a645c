import { AuditEventRecord } from '../sink/auditEventRecord';

/** A stored-looking record; tests override what they filter on. */
export function record(
  overrides: Partial<AuditEventRecord> = {},
): AuditEventRecord {
  return {
    time: new Date('2026-11-20T10:00:00.000Z'),
    plugin: 'catalog',
    eventId: 'entity-mutate',
    severity: 'medium',
    status: 'succeeded',
    actorId: 'user:default/jane',
    ip: '10.0.0.7',
    userAgent: 'Mozilla/5.0',
    hostname: 'paved.example.com',
    target: 'component:default/payments',
    requestMethod: 'DELETE',
    requestUrl: '/api/catalog/entities/by-uid/123',
    meta: { actionType: 'delete', entityRef: 'component:default/payments' },
    ...overrides,
  };
}
