import { LoggerService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import {
  JSON_RULE_ENGINE_CHECK_TYPE,
  JsonRulesEngineFactChecker,
  TechInsightJsonRuleCheck,
} from '@backstage-community/plugin-tech-insights-backend-module-jsonfc';
import {
  FlatTechInsightFact,
  TechInsightsService,
  TechInsightsStore,
} from '@backstage-community/plugin-tech-insights-node';
import { FactSchema } from '@backstage-community/plugin-tech-insights-common';
import { CheckResult, FactValue } from '@paved/plugin-scorecards-common';
import { Condition, ScorecardCheck } from '../config';

/** The outcome of every configured check for one entity. */
export interface EntityChecks {
  checks: CheckResult[];
  stale: boolean;
}

type FactRows = Record<string, FlatTechInsightFact>;

/**
 * Runs the configured checks with Tech Insights' json-rules-engine checker on the facts Tech
 * Insights holds. One runner serves one scoring run: fact schemas are read once at its start.
 */
export class CheckRunner {
  static async start(options: {
    checks: ScorecardCheck[];
    techInsights: TechInsightsService;
    logger: LoggerService;
  }): Promise<CheckRunner> {
    const schemas = await options.techInsights.getFactSchemas();
    return new CheckRunner(
      options.checks,
      schemas,
      options.techInsights,
      options.logger,
    );
  }

  private readonly checker: JsonRulesEngineFactChecker;
  /** Facts of the entity being evaluated, read once for all its checks. */
  private readonly factsByEntity = new Map<string, FactRows>();
  /** Checks whose failure to run has been logged in this run, so it is logged once. */
  private readonly reported = new Set<string>();

  private constructor(
    private readonly checks: ScorecardCheck[],
    schemas: FactSchema[],
    private readonly techInsights: TechInsightsService,
    private readonly logger: LoggerService,
  ) {
    // The checker reads facts and schemas only; both come from Tech Insights' API.
    const repository: Pick<
      TechInsightsStore,
      'getLatestFactsByIds' | 'getLatestSchemas'
    > = {
      getLatestFactsByIds: async (_ids, entity) =>
        this.factsByEntity.get(entity) ?? {},
      getLatestSchemas: async () => schemas,
    };
    this.checker = new JsonRulesEngineFactChecker({
      checks: checks.map(toTechInsightsCheck),
      repository: repository as TechInsightsStore,
      logger,
    });
  }

  async run(entityRef: string): Promise<EntityChecks> {
    const factIds = [...new Set(this.checks.flatMap(check => check.factIds))];
    const facts = (await this.techInsights.getFacts(
      parseEntityRef(entityRef),
      factIds,
    )) as unknown as FactRows;
    this.factsByEntity.set(entityRef, facts);
    try {
      const checks: CheckResult[] = [];
      for (const check of this.checks) {
        checks.push(await this.runOne(entityRef, check, facts));
      }
      return { checks, stale: checks.some(check => check.stale) };
    } finally {
      this.factsByEntity.delete(entityRef);
    }
  }

  private async runOne(
    entityRef: string,
    check: ScorecardCheck,
    facts: FactRows,
  ): Promise<CheckResult> {
    let outcome: CheckResult['outcome'] = 'unknown';
    try {
      // The checker leaves out checks whose facts were never collected for the entity.
      const [result] = await this.checker.runChecks(entityRef, [check.id]);
      if (result) outcome = result.result ? 'pass' : 'fail';
    } catch (error) {
      if (!this.reported.has(check.id)) {
        this.reported.add(check.id);
        this.logger.error(
          'Scorecard check cannot run; its outcome stays unknown',
          {
            check: check.id,
            error: String(error),
          },
        );
      }
    }
    const names = factNames(check.rule.conditions);
    const values: CheckResult['facts'] = {};
    let stale = false;
    for (const id of check.factIds) {
      const row = facts[id]?.facts as Record<string, FactValue> | undefined;
      if (!row) continue;
      stale ||= row.stale === true;
      values[id] = Object.fromEntries(
        names.filter(name => name in row).map(name => [name, row[name]]),
      );
      if (typeof row.collectedAt === 'string')
        values[id].collectedAt = row.collectedAt;
    }
    return {
      id: check.id,
      title: check.title,
      description: check.description,
      level: check.level,
      outcome,
      facts: values,
      remediation: check.remediation,
      stale,
    };
  }
}

function toTechInsightsCheck(check: ScorecardCheck): TechInsightJsonRuleCheck {
  return {
    id: check.id,
    type: JSON_RULE_ENGINE_CHECK_TYPE,
    name: check.title,
    description: check.description,
    factIds: check.factIds,
    rule: structuredClone(check.rule) as TechInsightJsonRuleCheck['rule'],
  };
}

/** The fact names a rule reads. */
function factNames(condition: Condition): string[] {
  if ('all' in condition) return condition.all.flatMap(factNames);
  if ('any' in condition) return condition.any.flatMap(factNames);
  if ('not' in condition) return factNames(condition.not);
  return [condition.fact];
}
