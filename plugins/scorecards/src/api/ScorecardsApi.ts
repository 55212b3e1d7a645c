import { CompoundEntityRef } from '@backstage/catalog-model';
import { createApiRef } from '@backstage/frontend-plugin-api';
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

/**
 * Reads and acts on scorecards through the `scorecards` backend, on behalf of the signed-in
 * user. Failed calls reject with a `ResponseError` carrying the server's message.
 */
export interface ScorecardsApi {
  /** The entity's latest scorecard; rejects with a 404 when it has not been scored yet. */
  getEntityScorecard(entity: CompoundEntityRef): Promise<EntityScorecard>;
  /** The entity's level per day over the last `days` days. */
  getEntityHistory(
    entity: CompoundEntityRef,
    days: number,
  ): Promise<EntityHistoryResponse>;
  /** Scores the entity now and returns the new scorecard; owners and admins only. */
  rerunEntity(entity: CompoundEntityRef): Promise<EntityScorecard>;
  /** Scored entities matching the filter. */
  getEntities(filter: EntityFilter): Promise<EntitiesResponse>;
  /** Entities by level per owner or per system. */
  getRollUps(
    groupBy: 'owners' | 'systems',
    filter: EntityFilter,
  ): Promise<RollUpsResponse>;
  /** Entities by level per day over the last `days` days. */
  getOrgHistory(
    days: number,
    filter: EntityFilter,
  ): Promise<OrgHistoryResponse>;
  /** Every campaign with its progress. */
  listCampaigns(): Promise<CampaignSummary[]>;
  /** One campaign with the teams behind and the checks blocking them. */
  getCampaign(id: string): Promise<CampaignProgress>;
  /** Starts a campaign; platform admins only. */
  createCampaign(request: CreateCampaignRequest): Promise<Campaign>;
  /** Ends a campaign; platform admins only. */
  deleteCampaign(id: string): Promise<void>;
}

/** The {@link ScorecardsApi} of the scorecards plugin. */
export const scorecardsApiRef = createApiRef<ScorecardsApi>().with({
  id: 'plugin.scorecards.api',
  pluginId: 'scorecards',
});
