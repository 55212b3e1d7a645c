import { ResponseError } from '@backstage/errors';
import { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import {
  AuditEventFilter,
  AuditEventPage,
  AuditEventQuery,
} from '@paved/plugin-audit-log-common';
import { AuditLogApi } from './AuditLogApi';

/** {@link AuditLogApi} over HTTP; `fetchApi` carries the user's token. */
export class AuditLogClient implements AuditLogApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async listEvents(query: AuditEventQuery): Promise<AuditEventPage> {
    const response = await this.get('/events', query);
    return (await response.json()) as AuditEventPage;
  }

  async exportEvents(filter: AuditEventFilter): Promise<Blob> {
    const response = await this.get('/events.csv', filter);
    return await response.blob();
  }

  private async get(path: string, query: AuditEventQuery): Promise<Response> {
    const baseUrl = await this.discoveryApi.getBaseUrl('audit-log');
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      // Unset filters are left out: the server reads an absent key as "any".
      if (value !== undefined && value !== '') {
        params.set(key, String(value));
      }
    }
    const search = params.toString();
    const response = await this.fetchApi.fetch(
      `${baseUrl}${path}${search ? `?${search}` : ''}`,
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response;
  }
}
