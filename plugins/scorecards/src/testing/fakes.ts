import { CompoundEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
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
import { ScorecardsApi } from '../api';

type Answer<T> = T | Error;

function settle<T>(answer: Answer<T> | undefined, what: string): Promise<T> {
  if (answer === undefined) {
    return Promise.reject(new Error(`The fake has no ${what}`));
  }
  return answer instanceof Error
    ? Promise.reject(answer)
    : Promise.resolve(structuredClone(answer));
}

/** A `ResponseError` as `ResponseError.fromResponse` makes it from a Backstage JSON error body. */
export function responseError(
  status: number,
  name: string,
  message: string,
): Promise<ResponseError> {
  const statusText: Record<number, string> = {
    400: 'Bad Request',
    403: 'Forbidden',
    404: 'Not Found',
  };
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name, message },
        request: { method: 'GET', url: '/api/scorecards' },
        response: { statusCode: status },
      }),
      {
        status,
        statusText: statusText[status] ?? 'Error',
        headers: { 'Content-Type': 'application/json' },
      },
    ) as any,
  );
}

function matches(
  filter: EntityFilter,
  value: string | undefined,
  key: keyof EntityFilter,
) {
  const wanted = filter[key];
  return !wanted?.length || (value !== undefined && wanted.includes(value));
}

/** An in-memory {@link ScorecardsApi} whose answers a test sets; it records what was asked. */
export class FakeScorecardsApi implements ScorecardsApi {
  scorecard: Answer<EntityScorecard> | undefined;
  entityHistory: Answer<EntityHistoryResponse> = {
    entityRef: 'component:default/cart',
    days: [],
  };
  rerunAnswer: Answer<EntityScorecard> | undefined;
  /** Every entity; `getEntities` answers those matching the filter, as the backend does. */
  entities: Answer<EntitiesResponse> | undefined;
  ownerRollUps: Answer<RollUpsResponse> = { levelOrder: [], rollUps: [] };
  orgHistory: Answer<OrgHistoryResponse> = { days: [] };
  campaigns: Answer<CampaignSummary[]> = [];
  readonly campaignProgress = new Map<string, Answer<CampaignProgress>>();
  createAnswer: Answer<Campaign> | undefined;

  readonly reruns: CompoundEntityRef[] = [];
  readonly entityFilters: EntityFilter[] = [];
  readonly created: CreateCampaignRequest[] = [];
  readonly deleted: string[] = [];

  getEntityScorecard() {
    return settle(this.scorecard, 'scorecard');
  }

  getEntityHistory() {
    return settle(this.entityHistory, 'entity history');
  }

  rerunEntity(entity: CompoundEntityRef) {
    this.reruns.push(entity);
    return settle(this.rerunAnswer, 're-run answer');
  }

  async getEntities(filter: EntityFilter) {
    this.entityFilters.push(filter);
    const all = await settle(this.entities, 'entities');
    return {
      ...all,
      entities: all.entities.filter(
        entity =>
          matches(filter, entity.ownerRef, 'owner') &&
          matches(filter, entity.systemRef, 'system') &&
          matches(filter, entity.lifecycle, 'lifecycle'),
      ),
    };
  }

  getRollUps() {
    return settle(this.ownerRollUps, 'roll-ups');
  }

  getOrgHistory() {
    return settle(this.orgHistory, 'org history');
  }

  listCampaigns() {
    return settle(this.campaigns, 'campaigns');
  }

  getCampaign(id: string) {
    return settle(this.campaignProgress.get(id), `campaign ${id}`);
  }

  createCampaign(request: CreateCampaignRequest) {
    this.created.push(request);
    return settle(this.createAnswer, 'create answer');
  }

  async deleteCampaign(id: string) {
    this.deleted.push(id);
  }
}
