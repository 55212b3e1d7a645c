import {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  RELATION_OWNED_BY,
  RELATION_PART_OF,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import { TechInsightsService } from '@backstage-community/plugin-tech-insights-node';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  CheckResult,
  EntitiesResponse,
  EntityFilter,
  EntityHistoryPoint,
  EntityScorecard,
  EntitySummary,
  NO_LEVEL,
  OrgHistoryPoint,
  Remediation,
  RollUpsResponse,
} from '@paved/plugin-scorecards-common';
import { ScorecardsConfig } from '../config';
import {
  ScorecardStore,
  StoredScorecard,
  dayOf,
} from '../database/ScorecardStore';
import { CheckRunner } from './CheckRunner';
import { FactRefresher } from './FactRefresher';
import { placeOnLevels } from './levels';

const DAY_MS = 24 * 60 * 60 * 1000;
const CONCURRENCY = 4;
/** The kinds the fact retrievers describe, and so the kinds scored. */
const SCORED_KIND = 'Component';

/**
 * Scores catalog components against the configured checks, keeps the results and their history,
 * and answers the API's questions from what is kept.
 */
export class ScorecardService {
  constructor(
    private readonly options: {
      config: ScorecardsConfig;
      store: ScorecardStore;
      catalog: CatalogService;
      /**
       * A Tech Insights client per scoring run. The client keeps each answer for 2 s, which would
       * hide from a re-run the facts it has just had collected.
       */
      techInsights: () => TechInsightsService;
      factRefresher: FactRefresher;
      logger: LoggerService;
    },
  ) {}

  /** Scores every component of the catalog, forgets removed ones and trims history. */
  async scoreAll(
    credentials: BackstageCredentials,
  ): Promise<{ scored: number }> {
    const { catalog, store, logger, config } = this.options;
    const { items } = await catalog.getEntities(
      {
        filter: { kind: SCORED_KIND },
        fields: [
          'kind',
          'metadata.namespace',
          'metadata.name',
          'metadata.title',
          'spec.lifecycle',
          'relations',
        ],
      },
      { credentials },
    );
    const runner = await this.startRunner();
    const queue = [...items];
    let scored = 0;
    const worker = async () => {
      for (let entity = queue.shift(); entity; entity = queue.shift()) {
        try {
          await this.score(runner, entity);
          scored++;
        } catch (error) {
          logger.warn('Could not score entity', {
            entityRef: stringifyEntityRef(entity),
            error: String(error),
          });
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await store.keepOnly(items.map(entity => stringifyEntityRef(entity)));
    const removed = await store.deleteHistoryBefore(
      dayOf(new Date(Date.now() - config.retentionDays * DAY_MS)),
    );
    logger.info('Scored catalog entities', {
      entities: items.length,
      scored,
      historyRowsRemoved: removed,
    });
    return { scored };
  }

  /**
   * Collects one entity's facts again, then scores it. The entity is read with the caller's
   * credentials, so nobody learns of (or refreshes) an entity they may not see. When the facts
   * cannot be collected again the entity is scored on those held, and `refresh` says so.
   */
  async scoreEntity(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<EntityScorecard> {
    const entity = await this.options.catalog.getEntityByRef(entityRef, {
      credentials,
    });
    if (!entity || entity.kind !== SCORED_KIND) {
      throw new NotFoundError(
        `No ${SCORED_KIND.toLocaleLowerCase(
          'en-US',
        )} ${entityRef} in the catalog; only components are scored`,
      );
    }
    const refresh = await this.options.factRefresher.refresh(
      stringifyEntityRef(entity),
    );
    const scorecard = await this.score(await this.startRunner(), entity);
    return { ...this.toScorecard(scorecard), refresh };
  }

  async getScorecard(entityRef: string): Promise<EntityScorecard> {
    const stored = await this.options.store.get(entityRef);
    if (!stored) {
      throw new NotFoundError(
        `${entityRef} has not been scored: only catalog components are, at each scheduled run or when re-run`,
      );
    }
    return this.toScorecard(stored);
  }

  /** The scored entities matching the filter, each with its level and check counts. */
  async entities(filter: EntityFilter): Promise<EntitiesResponse> {
    const stored = await this.options.store.list(filter);
    return {
      levelOrder: [NO_LEVEL, ...this.options.config.levels],
      entities: stored.map(toSummary),
    };
  }

  async rollUps(
    groupBy: 'owner' | 'system',
    filter: EntityFilter,
  ): Promise<RollUpsResponse> {
    const rollUps = await this.options.store.rollUps(groupBy, filter);
    return {
      levelOrder: [NO_LEVEL, ...this.options.config.levels],
      rollUps: rollUps.map(r => ({
        entityRef: r.entityRef,
        total: Object.values(r.levels).reduce((a, b) => a + b, 0),
        levels: r.levels,
      })),
    };
  }

  async entityHistory(
    entityRef: string,
    days: number,
  ): Promise<EntityHistoryPoint[]> {
    return this.options.store.entityHistory(entityRef, sinceDay(days));
  }

  async orgHistory(
    days: number,
    filter: EntityFilter,
  ): Promise<OrgHistoryPoint[]> {
    return this.options.store.orgHistory(sinceDay(days), filter);
  }

  private startRunner() {
    return CheckRunner.start({
      checks: this.options.config.checks,
      techInsights: this.options.techInsights(),
      logger: this.options.logger,
    });
  }

  private async score(
    runner: CheckRunner,
    entity: Entity,
  ): Promise<StoredScorecard> {
    const entityRef = stringifyEntityRef(entity);
    const { checks, stale } = await runner.run(entityRef);
    const { level } = placeOnLevels(this.options.config.levels, checks);
    const lifecycle = entity.spec?.lifecycle;
    const scorecard: StoredScorecard = {
      entityRef,
      title: entity.metadata.title ?? entity.metadata.name,
      ownerRef: relationTarget(entity, RELATION_OWNED_BY),
      systemRef: relationTarget(entity, RELATION_PART_OF, 'system'),
      ...(typeof lifecycle === 'string' ? { lifecycle } : {}),
      level,
      checks,
      stale,
      evaluatedAt: new Date(),
    };
    await this.options.store.save(scorecard);
    return scorecard;

    function relationTarget(e: Entity, type: string, kind?: string) {
      return e.relations?.find(
        r =>
          r.type === type &&
          (!kind || parseEntityRef(r.targetRef).kind === kind),
      )?.targetRef;
    }
  }

  /** The API's view of a stored result, with the next level and what it is missing. */
  private remediationFor(check: CheckResult, entityRef: string): Remediation {
    const configured = this.options.config.checks.find(c => c.id === check.id);
    return fillAction(configured?.remediation ?? check.remediation, entityRef);
  }

  private toScorecard(stored: StoredScorecard): EntityScorecard {
    const checks = stored.checks.map(check => ({
      ...check,
      remediation: this.remediationFor(check, stored.entityRef),
    }));
    const { level, nextLevel } = placeOnLevels(
      this.options.config.levels,
      checks,
    );
    return {
      entityRef: stored.entityRef,
      // The levels configured now decide, should they have changed since the evaluation.
      level,
      nextLevel,
      checks,
      evaluatedAt: stored.evaluatedAt.toISOString(),
      stale: stored.stale,
    };
  }
}

/**
 * A check's remediation as configured now (it may have changed since the evaluation), its
 * action's URL filled in for the entity.
 */
function fillAction(remediation: Remediation, entityRef: string): Remediation {
  if (!remediation.action) return remediation;
  const { kind, namespace, name } = parseEntityRef(entityRef);
  const values: Record<string, string> = { entityRef, kind, namespace, name };
  return {
    ...remediation,
    action: {
      ...remediation.action,
      url: remediation.action.url.replace(
        /\{(entityRef|kind|namespace|name)\}/g,
        (_, key: string) => encodeURIComponent(values[key]),
      ),
    },
  };
}

/**
 * The overview's line for an entity. The level is the one stored at scoring, as roll-ups count it,
 * so the list and the roll-ups add up.
 */
function toSummary(stored: StoredScorecard): EntitySummary {
  const count = (outcome: string) =>
    stored.checks.filter(check => check.outcome === outcome).length;
  return {
    entityRef: stored.entityRef,
    // Rows scored before titles were kept show the name until the next run.
    title: stored.title ?? parseEntityRef(stored.entityRef).name,
    ...(stored.ownerRef ? { ownerRef: stored.ownerRef } : {}),
    ...(stored.systemRef ? { systemRef: stored.systemRef } : {}),
    ...(stored.lifecycle ? { lifecycle: stored.lifecycle } : {}),
    level: stored.level,
    passed: count('pass'),
    failed: count('fail'),
    unknown: count('unknown'),
    evaluatedAt: stored.evaluatedAt.toISOString(),
    stale: stored.stale,
  };
}

function sinceDay(days: number): string {
  return dayOf(new Date(Date.now() - (days - 1) * DAY_MS));
}
