import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  AuditEvent,
  AuditEventFilter,
  AuditEventPage,
  auditLogReadPermission,
} from '@paved/plugin-audit-log-common';
import { AuditEventStore } from '../database/AuditEventStore';

/** Reads the stored audit log on behalf of a caller who holds `audit-log.event.read`. */
export class AuditLogReader {
  constructor(
    private readonly options: {
      store: AuditEventStore;
      permissions: PermissionsService;
    },
  ) {}

  async listEvents(
    query: AuditEventFilter & { limit: number; offset: number },
    credentials: BackstageCredentials,
  ): Promise<AuditEventPage> {
    await this.authorize(credentials);
    const { limit, offset, ...filter } = query;
    const page = await this.options.store.listEvents({ filter, limit, offset });
    return { ...page, limit, offset };
  }

  /** Checks the permission before the first row is read, so a denial is still a clean 403. */
  async exportEvents(
    filter: AuditEventFilter,
    credentials: BackstageCredentials,
  ): Promise<AsyncIterable<AuditEvent[]>> {
    await this.authorize(credentials);
    return this.options.store.streamEvents(filter);
  }

  private async authorize(credentials: BackstageCredentials): Promise<void> {
    const [decision] = await this.options.permissions.authorize(
      [{ permission: auditLogReadPermission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `You are not allowed to read the audit log (permission ${auditLogReadPermission.name})`,
      );
    }
  }
}
