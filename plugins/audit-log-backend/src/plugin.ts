import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';
import { auditLogPermissions } from '@paved/plugin-audit-log-common';
import { auditEventStoreFor } from './database/AuditEventStore';
import { createRouter } from './router';
import { AuditLogReader } from './service/AuditLogReader';
import { auditEventSinkServiceRef } from './sink/AuditEventSink';

const DEFAULT_RETENTION: HumanDuration = { days: 90 };

/**
 * Stores the auditor events of every plugin (fed through {@link auditorServiceFactory}'s sink),
 * deletes them after `auditLog.retention`, and serves them to admins at `/api/audit-log`.
 */
export const auditLogPlugin = createBackendPlugin({
  pluginId: 'audit-log',
  register(env) {
    env.registerInit({
      deps: {
        auditor: coreServices.auditor,
        config: coreServices.rootConfig,
        database: coreServices.database,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        lifecycle: coreServices.lifecycle,
        logger: coreServices.logger,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        scheduler: coreServices.scheduler,
        sink: auditEventSinkServiceRef,
      },
      async init({
        auditor,
        config,
        database,
        httpAuth,
        httpRouter,
        lifecycle,
        logger,
        permissions,
        permissionsRegistry,
        scheduler,
        sink,
      }) {
        permissionsRegistry.addPermissions(auditLogPermissions);
        const store = await auditEventStoreFor(database);

        sink.attach(records => store.insertEvents(records));
        lifecycle.addShutdownHook(async () => {
          await sink.flush();
          sink.detach();
        });

        const retention = config.has('auditLog.retention')
          ? readDurationFromConfig(config, { key: 'auditLog.retention' })
          : DEFAULT_RETENTION;
        const retentionMs = durationToMilliseconds(retention);
        if (!(retentionMs > 0)) {
          throw new Error('auditLog.retention must be a positive duration');
        }
        await scheduler.scheduleTask({
          id: 'audit-log-retention',
          frequency: { hours: 1 },
          timeout: { minutes: 15 },
          initialDelay: { minutes: 1 },
          // Global: one replica deletes per run, under the scheduler's lock.
          scope: 'global',
          fn: async () => {
            const deleted = await store.deleteEventsBefore(
              new Date(Date.now() - retentionMs),
            );
            if (deleted > 0) {
              logger.info('Deleted audit events past retention', {
                deleted,
                retentionMs,
              });
            }
          },
        });

        httpRouter.use(
          await createRouter({
            httpAuth,
            auditor,
            reader: new AuditLogReader({ store, permissions }),
          }),
        );
      },
    });
  },
});
