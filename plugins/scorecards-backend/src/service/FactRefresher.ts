import {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import { FactRefresh } from '@paved/plugin-scorecards-common';

/** Long enough for a retriever to read one repository; a person is waiting on the answer. */
const REFRESH_TIMEOUT_MS = 30_000;

interface EntityRefreshAnswer {
  retrievers: Array<{ id: string; facts?: number; error?: string }>;
}

/**
 * Asks Tech Insights to collect one entity's facts again now, through the entity-refresh module
 * (`POST /api/tech-insights/entity-refresh`), as this plugin's own service: the caller's
 * permission to re-run has been checked before.
 */
export class FactRefresher {
  constructor(
    private readonly options: {
      auth: AuthService;
      discovery: DiscoveryService;
      logger: LoggerService;
    },
  ) {}

  /** Never throws: a failed refresh leaves the facts held, and says why. */
  async refresh(entityRef: string): Promise<FactRefresh> {
    const { auth, discovery, logger } = this.options;
    try {
      const { token } = await auth.getPluginRequestToken({
        onBehalfOf: await auth.getOwnServiceCredentials(),
        targetPluginId: 'tech-insights',
      });
      const res = await fetch(
        `${await discovery.getBaseUrl('tech-insights')}/entity-refresh`,
        {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${token}`,
            'Content-Type': 'application/json',
          },
          body: JSON.stringify({ entityRef }),
          signal: AbortSignal.timeout(REFRESH_TIMEOUT_MS),
        },
      );
      if (!res.ok) throw await ResponseError.fromResponse(res);
      const { retrievers } = (await res.json()) as EntityRefreshAnswer;
      const failed = retrievers.filter(r => r.error !== undefined);
      if (failed.length === 0) return { refreshed: true };
      return {
        refreshed: false,
        message: `Could not collect facts again with ${failed
          .map(r => r.id)
          .join(', ')}; their checks stand on the facts held before`,
      };
    } catch (error) {
      // Tech Insights' own error message says more than the status line.
      const reason =
        error instanceof ResponseError
          ? `${error.response.status}: ${error.cause.message}`
          : (error as Error).message;
      logger.warn('Could not refresh an entity’s facts before scoring it', {
        entityRef,
        error: reason,
      });
      return {
        refreshed: false,
        message: `Facts could not be collected again (${reason}); scored on the facts held before`,
      };
    }
  }
}
