import { InputError, NotFoundError } from '@backstage/errors';
import {
  Campaign,
  CampaignBlockingCheck,
  CampaignProgress,
  CampaignSummary,
  CampaignTeam,
  CreateCampaignRequest,
} from '@paved/plugin-scorecards-common';
import { ScorecardsConfig } from '../config';
import { CampaignStore } from '../database/CampaignStore';
import { ScorecardStore, StoredScorecard } from '../database/ScorecardStore';

/**
 * Campaigns and how far they have come. Progress is computed from the latest scorecards each time
 * it is asked for, so it moves with every scoring run and never needs its own bookkeeping.
 */
export class CampaignService {
  constructor(
    private readonly options: {
      config: ScorecardsConfig;
      campaigns: CampaignStore;
      scorecards: ScorecardStore;
    },
  ) {}

  async list(): Promise<CampaignSummary[]> {
    const campaigns = await this.options.campaigns.list();
    return Promise.all(
      campaigns.map(async campaign => {
        const { total, reached } = this.measure(
          campaign,
          await this.options.scorecards.list(campaign.scope),
        );
        return { ...campaign, total, reached };
      }),
    );
  }

  async create(
    request: CreateCampaignRequest,
    createdBy: string,
  ): Promise<Campaign> {
    const { levels } = this.options.config;
    if (!levels.includes(request.targetLevel)) {
      throw new InputError(
        `Invalid request: targetLevel must be one of the configured levels (${levels.join(
          ', ',
        )}), not '${request.targetLevel}'`,
      );
    }
    return this.options.campaigns.create({ ...request, createdBy });
  }

  async progress(id: string): Promise<CampaignProgress> {
    const campaign = await this.get(id);
    const entities = await this.options.scorecards.list(campaign.scope);
    const { total, reached, below } = this.measure(campaign, entities);
    return {
      ...campaign,
      total,
      reached,
      teams: this.teams(campaign, entities),
      blockingChecks: this.blockingChecks(campaign, below),
    };
  }

  /** Deletes a campaign and returns what it was. */
  async delete(id: string): Promise<Campaign> {
    const campaign = await this.get(id);
    if (!(await this.options.campaigns.delete(id))) {
      // Deleted by someone else in the meantime.
      throw new NotFoundError(`No campaign ${id}`);
    }
    return campaign;
  }

  private async get(id: string): Promise<Campaign> {
    const campaign = await this.options.campaigns.get(id);
    if (!campaign) {
      throw new NotFoundError(`No campaign ${id}`);
    }
    return campaign;
  }

  /** Position of a level in the configured order; -1 for none or a level no longer configured. */
  private rank(level: string | null): number {
    return level === null ? -1 : this.options.config.levels.indexOf(level);
  }

  private isReached(campaign: Campaign, entity: StoredScorecard): boolean {
    return this.rank(entity.level) >= this.rank(campaign.targetLevel);
  }

  private measure(campaign: Campaign, entities: StoredScorecard[]) {
    const below = entities.filter(e => !this.isReached(campaign, e));
    return {
      total: entities.length,
      reached: entities.length - below.length,
      below,
    };
  }

  /** Teams with the most entities below the target first, then the lowest share reached. */
  private teams(
    campaign: Campaign,
    entities: StoredScorecard[],
  ): CampaignTeam[] {
    const byOwner = new Map<string, StoredScorecard[]>();
    // The catalog requires an owner of every component, so none is left out in practice.
    for (const entity of entities) {
      if (!entity.ownerRef) continue;
      const owned = byOwner.get(entity.ownerRef) ?? [];
      owned.push(entity);
      byOwner.set(entity.ownerRef, owned);
    }
    const teams = [...byOwner].map(([ownerRef, owned]) => {
      const behind = owned
        .filter(e => !this.isReached(campaign, e))
        .sort(
          (a, b) =>
            this.rank(a.level) - this.rank(b.level) ||
            a.entityRef.localeCompare(b.entityRef),
        )
        .map(e => ({ entityRef: e.entityRef, level: e.level }));
      return {
        ownerRef,
        total: owned.length,
        reached: owned.length - behind.length,
        behind,
      };
    });
    return teams.sort(
      (a, b) =>
        b.behind.length - a.behind.length ||
        a.reached / a.total - b.reached / b.total ||
        a.ownerRef.localeCompare(b.ownerRef),
    );
  }

  /**
   * Checks of the target level and the levels below that fail or are unknown for entities below
   * the target: what stands between the campaign and its goal, the most common first.
   */
  private blockingChecks(
    campaign: Campaign,
    below: StoredScorecard[],
  ): CampaignBlockingCheck[] {
    const target = this.rank(campaign.targetLevel);
    const configured = new Map(this.options.config.checks.map(c => [c.id, c]));
    const blocking = new Map<string, CampaignBlockingCheck>();
    for (const entity of below) {
      for (const check of entity.checks) {
        const rank = this.rank(check.level);
        if (check.outcome === 'pass' || rank < 0 || rank > target) continue;
        const counted = blocking.get(check.id);
        if (counted) {
          counted.entities++;
          continue;
        }
        // The configured wording, should it have changed since the entity was scored.
        const source = configured.get(check.id) ?? check;
        blocking.set(check.id, {
          id: check.id,
          title: source.title,
          level: check.level,
          entities: 1,
          // No one entity is meant here, so no action to fix one.
          remediation: {
            text: source.remediation.text,
            url: source.remediation.url,
          },
        });
      }
    }
    return [...blocking.values()].sort(
      (a, b) =>
        b.entities - a.entities ||
        this.rank(a.level) - this.rank(b.level) ||
        a.id.localeCompare(b.id),
    );
  }
}
