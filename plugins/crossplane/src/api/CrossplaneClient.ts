import { ResponseError } from '@backstage/errors';
import { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import {
  ApprovalsResponse,
  EntityResourcesResponse,
  InfrastructureRequest,
  InfrastructureRequestInput,
  OfferingForm,
  OfferingsResponse,
  RequestList,
  RequestResourceDetail,
} from '@paved/plugin-crossplane-common';
import { CrossplaneApi, RequestQuery } from './CrossplaneApi';

/** {@link CrossplaneApi} over HTTP; `fetchApi` carries the user's token. */
export class CrossplaneClient implements CrossplaneApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  getOfferings(): Promise<OfferingsResponse> {
    return this.call('/offerings');
  }

  getOfferingForm(offering: string): Promise<OfferingForm> {
    return this.call(`/offerings/${encodeURIComponent(offering)}/form`);
  }

  createRequest(
    input: InfrastructureRequestInput,
  ): Promise<InfrastructureRequest> {
    return this.call('/requests', { method: 'POST', body: input });
  }

  listRequests(query: RequestQuery): Promise<RequestList> {
    const params = new URLSearchParams();
    if (query.entityRef) {
      params.set('entityRef', query.entityRef);
    }
    if (query.mine) {
      params.set('mine', 'true');
    }
    if (query.status?.length) {
      params.set('status', query.status.join(','));
    }
    const search = params.toString();
    return this.call(search ? `/requests?${search}` : '/requests');
  }

  getRequest(id: string): Promise<InfrastructureRequest> {
    return this.call(`/requests/${encodeURIComponent(id)}`);
  }

  getRequestResource(id: string): Promise<RequestResourceDetail> {
    return this.call(`/requests/${encodeURIComponent(id)}/resource`);
  }

  getEntityResources(entityRef: string): Promise<EntityResourcesResponse> {
    return this.call(
      `/resources?${new URLSearchParams({ entityRef }).toString()}`,
    );
  }

  getApprovals(): Promise<ApprovalsResponse> {
    return this.call('/approvals');
  }

  approveRequest(id: string, comment?: string): Promise<InfrastructureRequest> {
    return this.call(`/requests/${encodeURIComponent(id)}/approve`, {
      method: 'POST',
      body: comment ? { comment } : {},
    });
  }

  rejectRequest(id: string, comment: string): Promise<InfrastructureRequest> {
    return this.call(`/requests/${encodeURIComponent(id)}/reject`, {
      method: 'POST',
      body: { comment },
    });
  }

  private async call<T>(
    path: string,
    options?: { method: 'POST'; body: object },
  ): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('crossplane');
    const response = await this.fetchApi.fetch(
      `${baseUrl}${path}`,
      options && {
        method: options.method,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(options.body),
      },
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
