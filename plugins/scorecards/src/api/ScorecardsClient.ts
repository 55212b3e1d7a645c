import { CompoundEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import {
  Campaign,
  CampaignProgress,
  CampaignSummary,
  CreateCampaignRequest,
  EntitiesResponse,
  EntityFilter,
  EntityHistoryResponse,
  EntityScorecard,
  OrgHistoryResponse,
  RollUpsResponse,
} from '@paved/plugin-scorecards-common';
import { ScorecardsApi } from './ScorecardsApi';

/** The query string of a filter, each value repeated: `owner=a&owner=b&lifecycle=production`. */
export function filterParams(filter: EntityFilter): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of ['owner', 'system', 'lifecycle'] as const) {
    for (const value of filter[key] ?? []) {
      params.append(key, value);
    }
  }
  return params;
}

function entityPath(entity: CompoundEntityRef): string {
  return `/entity/${[entity.namespace, entity.kind, entity.name]
    .map(encodeURIComponent)
    .join('/')}`;
}

/** {@link ScorecardsApi} over HTTP; `fetchApi` carries the user's token. */
export class ScorecardsClient implements ScorecardsApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  getEntityScorecard(entity: CompoundEntityRef): Promise<EntityScorecard> {
    return this.call(entityPath(entity));
  }

  getEntityHistory(
    entity: CompoundEntityRef,
    days: number,
  ): Promise<EntityHistoryResponse> {
    return this.call(`${entityPath(entity)}/history?days=${days}`);
  }

  rerunEntity(entity: CompoundEntityRef): Promise<EntityScorecard> {
    return this.call(`${entityPath(entity)}/run`, { method: 'POST' });
  }

  getEntities(filter: EntityFilter): Promise<EntitiesResponse> {
    return this.call(withQuery('/entities', filterParams(filter)));
  }

  getRollUps(
    groupBy: 'owners' | 'systems',
    filter: EntityFilter,
  ): Promise<RollUpsResponse> {
    return this.call(withQuery(`/rollups/${groupBy}`, filterParams(filter)));
  }

  getOrgHistory(
    days: number,
    filter: EntityFilter,
  ): Promise<OrgHistoryResponse> {
    const params = filterParams(filter);
    params.set('days', String(days));
    return this.call(withQuery('/history', params));
  }

  async listCampaigns(): Promise<CampaignSummary[]> {
    const answer = await this.call<{ campaigns: CampaignSummary[] }>(
      '/campaigns',
    );
    return answer.campaigns;
  }

  getCampaign(id: string): Promise<CampaignProgress> {
    return this.call(`/campaigns/${encodeURIComponent(id)}`);
  }

  createCampaign(request: CreateCampaignRequest): Promise<Campaign> {
    return this.call('/campaigns', { method: 'POST', body: request });
  }

  async deleteCampaign(id: string): Promise<void> {
    await this.call(`/campaigns/${encodeURIComponent(id)}`, {
      method: 'DELETE',
    });
  }

  private async call<T>(
    path: string,
    options?: { method: 'POST' | 'DELETE'; body?: object },
  ): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('scorecards');
    const response = await this.fetchApi.fetch(
      `${baseUrl}${path}`,
      options && {
        method: options.method,
        headers: options.body
          ? { 'Content-Type': 'application/json' }
          : undefined,
        body: options.body ? JSON.stringify(options.body) : undefined,
      },
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    // A deletion answers 204 without a body.
    if (response.status === 204) {
      return undefined as T;
    }
    return (await response.json()) as T;
  }
}

function withQuery(path: string, params: URLSearchParams): string {
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}
