import { DatabaseService } from '@backstage/backend-plugin-api';
import { Campaign, EntityFilter } from '@paved/plugin-scorecards-common';
import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import { migratedClient } from './migrations';

/** A campaign before the store gives it an id and a creation time. */
export type NewCampaign = Omit<Campaign, 'id' | 'createdAt'>;

/** Campaigns set by platform admins. */
export interface CampaignStore {
  create(campaign: NewCampaign): Promise<Campaign>;
  /** Every campaign, the newest first. */
  list(): Promise<Campaign[]>;
  get(id: string): Promise<Campaign | undefined>;
  /** Deletes a campaign; false when there was none with this id. */
  delete(id: string): Promise<boolean>;
}

/** A row of `scorecard_campaigns`. */
interface CampaignRow {
  id: string;
  title: string;
  description: string | null;
  target_level: string;
  deadline: string;
  scope: string;
  created_by: string;
  created_at: string | Date;
}

/** {@link CampaignStore} in the plugin's database (SQLite or PostgreSQL). */
export class DatabaseCampaignStore implements CampaignStore {
  static async create(
    database: DatabaseService,
  ): Promise<DatabaseCampaignStore> {
    return new DatabaseCampaignStore(await migratedClient(database));
  }

  private constructor(private readonly db: Knex) {}

  async create(campaign: NewCampaign): Promise<Campaign> {
    const row: CampaignRow = {
      id: randomUUID(),
      title: campaign.title,
      description: campaign.description ?? null,
      target_level: campaign.targetLevel,
      deadline: campaign.deadline,
      scope: JSON.stringify(campaign.scope),
      created_by: campaign.createdBy,
      created_at: new Date(),
    };
    await this.db<CampaignRow>('scorecard_campaigns').insert(row);
    return toCampaign(row);
  }

  async list(): Promise<Campaign[]> {
    const rows = await this.db<CampaignRow>('scorecard_campaigns').orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'asc' },
    ]);
    return rows.map(toCampaign);
  }

  async get(id: string): Promise<Campaign | undefined> {
    const row = await this.db<CampaignRow>('scorecard_campaigns')
      .where({ id })
      .first();
    return row ? toCampaign(row) : undefined;
  }

  async delete(id: string): Promise<boolean> {
    const deleted = await this.db('scorecard_campaigns').where({ id }).delete();
    return deleted > 0;
  }
}

function toCampaign(row: CampaignRow): Campaign {
  return {
    id: row.id,
    title: row.title,
    ...(row.description ? { description: row.description } : {}),
    targetLevel: row.target_level,
    deadline: row.deadline,
    scope: JSON.parse(row.scope) as EntityFilter,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
  };
}
