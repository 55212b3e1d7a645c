import {
  coreServices,
  createServiceFactory,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  AuditorEvent,
  DefaultAuditorService,
} from '@backstage/backend-defaults/auditor';
import { Config } from '@backstage/config';
import { AuditEventSeverity } from '@paved/plugin-audit-log-common';
import { z } from 'zod';
import { auditEventSinkServiceRef } from './sink/AuditEventSink';

const logLevel = z.enum(['debug', 'info', 'warn', 'error']);
type LogLevel = z.infer<typeof logLevel>;

// The same defaults and config keys as Backstage's own auditor, so logs do not change.
const severityLogLevels = z.object({
  low: logLevel.default('debug'),
  medium: logLevel.default('info'),
  high: logLevel.default('info'),
  critical: logLevel.default('info'),
});

function readSeverityLogLevels(
  config: Config,
): Record<AuditEventSeverity, LogLevel> {
  const key = 'backend.auditor.severityLogLevelMappings';
  const mappings = config.getOptionalConfig(key);
  const parsed = severityLogLevels.safeParse({
    low: mappings?.getOptionalString('low'),
    medium: mappings?.getOptionalString('medium'),
    high: mappings?.getOptionalString('high'),
    critical: mappings?.getOptionalString('critical'),
  });
  if (!parsed.success) {
    const field = parsed.error.issues[0].path.join('.');
    throw new Error(
      `Invalid ${key}.${field}: expected one of ${logLevel.options.join(', ')}`,
    );
  }
  return parsed.data;
}

/** Logs the event exactly as Backstage's default auditor does. */
function logAuditEvent(
  auditLogger: LoggerService,
  levels: Record<AuditEventSeverity, LogLevel>,
  event: AuditorEvent,
) {
  const message = `${event.plugin}.${event.eventId}`;
  const level = levels[event.severityLevel];
  if ('error' in event) {
    const { error, ...rest } = event;
    auditLogger.child(rest)[level](message, error);
  } else {
    auditLogger[level](message, event);
  }
}

/**
 * Replaces Backstage's auditor: every event is still logged as before, and also handed to the
 * audit log's sink, which stores it without delaying the request being audited.
 */
export const auditorServiceFactory = createServiceFactory({
  service: coreServices.auditor,
  deps: {
    config: coreServices.rootConfig,
    logger: coreServices.logger,
    auth: coreServices.auth,
    httpAuth: coreServices.httpAuth,
    plugin: coreServices.pluginMetadata,
    sink: auditEventSinkServiceRef,
  },
  factory({ config, logger, auth, httpAuth, plugin, sink }) {
    const auditLogger = logger.child({ isAuditEvent: true });
    const levels = readSeverityLogLevels(config);
    return DefaultAuditorService.create(
      event => {
        logAuditEvent(auditLogger, levels, event);
        sink.accept(event);
      },
      { plugin, auth, httpAuth },
    );
  },
});
