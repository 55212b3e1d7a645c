/** A JSON value as facts carry them. */
export type FactValue =
  | string
  | number
  | boolean
  | null
  | FactValue[]
  | { [key: string]: FactValue };

/**
 * How a check came out for an entity: `unknown` when a fact it reads has not been collected for
 * the entity (yet), so a missing source never counts as a failure.
 */
export type CheckOutcome = 'pass' | 'fail' | 'unknown';

/** What to do about a failing check. */
export interface Remediation {
  text: string;
  /** A page explaining the fix. */
  url?: string;
  /**
   * A Paved action that makes the fix for this entity, e.g. a fix-it template opening a pull
   * request; absent where no entity is meant (a campaign's blocking checks).
   */
  action?: { title: string; url: string };
}

/** One check's outcome for one entity, with the facts it was decided on. */
export interface CheckResult {
  id: string;
  title: string;
  description: string;
  /** The level this check belongs to. */
  level: string;
  outcome: CheckOutcome;
  /** The values of the facts the check reads, by fact retriever id and then fact name. */
  facts: Record<string, Record<string, FactValue>>;
  remediation: Remediation;
  /** True when a fact behind this result could not be refreshed and is the last one known. */
  stale: boolean;
}

/** An entity's scorecard: `GET /entity/:namespace/:kind/:name`. */
export interface EntityScorecard {
  entityRef: string;
  /** The highest level whose checks, and those of every level below, all pass; null: none. */
  level: string | null;
  /** The next level to reach and the checks standing in the way; null at the top level. */
  nextLevel: { level: string; missing: CheckResult[] } | null;
  checks: CheckResult[];
  /** ISO time of the evaluation. */
  evaluatedAt: string;
  /** True when any check was decided on facts that could not be refreshed. */
  stale: boolean;
  /** Only in the answer of a re-run: whether the entity's facts were collected again first. */
  refresh?: FactRefresh;
}

/** Whether a re-run collected the entity's facts again before scoring it. */
export interface FactRefresh {
  /** True when every fact retriever collected the entity's facts again. */
  refreshed: boolean;
  /** Why not, when some could not: those checks were decided on the facts held before. */
  message?: string;
}

/** How many entities reached each level; `none` counts those below the first level. */
export type LevelCounts = Record<string, number>;

/** A team's or a system's entities by level: `GET /rollups/:groupBy`. */
export interface RollUp {
  /** The owner or system entity ref. */
  entityRef: string;
  total: number;
  levels: LevelCounts;
}

/** Answer of `GET /rollups/:groupBy`. */
export interface RollUpsResponse {
  /** Level names from the lowest up, followed by `none` in `levels` when nothing is reached. */
  levelOrder: string[];
  rollUps: RollUp[];
}

/** One day of an entity's history. */
export interface EntityHistoryPoint {
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  level: string | null;
  passed: number;
  failed: number;
  unknown: number;
}

/** Answer of `GET /entity/:namespace/:kind/:name/history`. */
export interface EntityHistoryResponse {
  entityRef: string;
  days: EntityHistoryPoint[];
}

/** One day of the organisation's history: entities by the level they held that day. */
export interface OrgHistoryPoint {
  day: string;
  levels: LevelCounts;
}

/** Answer of `GET /history`. */
export interface OrgHistoryResponse {
  days: OrgHistoryPoint[];
}

/** The key used in {@link LevelCounts} for entities that reached no level. */
export const NO_LEVEL = 'none';

/** What the org page and campaigns filter on; every field matches any of its values. */
export interface EntityFilter {
  /** Owner entity refs, e.g. `group:default/team-payments`. */
  owner?: string[];
  /** System entity refs, e.g. `system:default/payments`. */
  system?: string[];
  /** `spec.lifecycle` values, e.g. `production`. */
  lifecycle?: string[];
}

/** One scored entity in the organisation overview: `GET /entities`. */
export interface EntitySummary {
  entityRef: string;
  /** The entity's `metadata.title` or name, as the catalog shows it. */
  title: string;
  ownerRef?: string;
  systemRef?: string;
  lifecycle?: string;
  level: string | null;
  passed: number;
  failed: number;
  unknown: number;
  evaluatedAt: string;
  stale: boolean;
}

/** Answer of `GET /entities?owner=&system=&lifecycle=` (each repeatable). */
export interface EntitiesResponse {
  /** Level names from the lowest up, preceded by `none`. */
  levelOrder: string[];
  entities: EntitySummary[];
}

/**
 * A target set by a platform admin: every entity in scope at `targetLevel` or above by
 * `deadline`, e.g. "all production services Silver by 2027-03-01".
 */
export interface Campaign {
  id: string;
  title: string;
  description?: string;
  targetLevel: string;
  /** `YYYY-MM-DD`. */
  deadline: string;
  scope: EntityFilter;
  /** User entity ref of who created it. */
  createdBy: string;
  createdAt: string;
}

/** Body of `POST /campaigns`. */
export interface CreateCampaignRequest {
  title: string;
  description?: string;
  targetLevel: string;
  deadline: string;
  scope: EntityFilter;
}

/** A campaign with how far it has come: items of `GET /campaigns`. */
export interface CampaignSummary extends Campaign {
  /** Entities in scope. */
  total: number;
  /** Entities in scope at the target level or above. */
  reached: number;
}

/** A team's part in a campaign. */
export interface CampaignTeam {
  ownerRef: string;
  total: number;
  reached: number;
  /** The team's entities below the target, with their current level. */
  behind: { entityRef: string; level: string | null }[];
}

/** A check that keeps entities in scope below the target. */
export interface CampaignBlockingCheck {
  id: string;
  title: string;
  level: string;
  /** Entities below the target for which this check fails or is unknown. */
  entities: number;
  remediation: Remediation;
}

/** Answer of `GET /campaigns/:id`: progress, teams behind first, checks blocking most first. */
export interface CampaignProgress extends CampaignSummary {
  teams: CampaignTeam[];
  blockingChecks: CampaignBlockingCheck[];
}
