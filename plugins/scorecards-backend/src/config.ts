import { Config } from '@backstage/config';
import {
  SchedulerServiceTaskScheduleDefinition,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import { z } from 'zod';

/** The json-rules-engine operators Tech Insights' checker knows without extra operators. */
const OPERATORS = [
  'equal',
  'notEqual',
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
  'in',
  'notIn',
  'contains',
  'doesNotContain',
] as const;

/** A json-rules-engine condition: `all`, `any` or `not` of conditions, or one comparison. */
export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | {
      fact: string;
      operator: (typeof OPERATORS)[number];
      value: unknown;
      params?: Record<string, unknown>;
      path?: string;
    };

const condition: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(condition).min(1) }),
    z.strictObject({ any: z.array(condition).min(1) }),
    z.strictObject({ not: condition }),
    z.strictObject({
      fact: z.string().min(1),
      operator: z.enum(OPERATORS),
      value: z.unknown(),
      params: z.record(z.string(), z.unknown()).optional(),
      path: z.string().optional(),
    }),
  ]),
);

const checkSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
  title: z.string().min(1),
  description: z.string().min(1),
  level: z.string().min(1),
  factIds: z.array(z.string().min(1)).min(1),
  rule: z.strictObject({ conditions: condition }),
  remediation: z.strictObject({
    text: z.string().min(1),
    url: z.string().url().optional(),
    // A Paved page or action; {entityRef}, {namespace}, {kind} and {name} are filled in per entity.
    action: z
      .strictObject({
        title: z.string().min(1),
        url: z
          .string()
          .regex(
            /^(\/(?!\/)|https?:\/\/)/,
            'a path in Paved (starting with one /) or an http(s) URL',
          ),
      })
      .optional(),
  }),
});

/** A check as configured under `scorecards.checks`. */
export type ScorecardCheck = z.infer<typeof checkSchema>;

/** What the scorecards plugin reads from `scorecards`. */
export interface ScorecardsConfig {
  /** Level names from the lowest up. */
  levels: string[];
  checks: ScorecardCheck[];
  schedule: SchedulerServiceTaskScheduleDefinition;
  /** Days of history kept. */
  retentionDays: number;
}

const DEFAULT_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 10 },
  timeout: { minutes: 5 },
  initialDelay: { seconds: 20 },
};
const DEFAULT_RETENTION_DAYS = 365;

/**
 * Reads and validates `scorecards`. Throws at start-up, naming the check and the field, when a
 * check is malformed, names an unknown level, or shares its id with another.
 */
export function readScorecardsConfig(config: Config): ScorecardsConfig {
  const levels = config.getOptionalStringArray('scorecards.levels') ?? [
    'Bronze',
    'Silver',
    'Gold',
  ];
  if (levels.length === 0 || new Set(levels).size !== levels.length) {
    throw new Error(
      'scorecards.levels must name at least one level, each once',
    );
  }
  const raw = config.getOptionalConfigArray('scorecards.checks') ?? [];
  const checks = raw.map((entry, index) => {
    const data = entry.get();
    const name = `scorecards.checks[${index}]${
      typeof entry.getOptional('id') === 'string'
        ? ` (${entry.getString('id')})`
        : ''
    }`;
    const parsed = checkSchema.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const at = issue.path.length ? `${issue.path.join('.')}: ` : '';
      throw new Error(`Invalid check ${name}: ${at}${issue.message}`);
    }
    if (!levels.includes(parsed.data.level)) {
      throw new Error(
        `Invalid check ${name}: level '${
          parsed.data.level
        }' is not one of scorecards.levels (${levels.join(', ')})`,
      );
    }
    return parsed.data;
  });
  const seen = new Set<string>();
  for (const check of checks) {
    if (seen.has(check.id)) {
      throw new Error(
        `Invalid check ${check.id}: more than one check has this id`,
      );
    }
    seen.add(check.id);
  }
  const retentionDays =
    config.getOptionalNumber('scorecards.retention.days') ??
    DEFAULT_RETENTION_DAYS;
  if (!Number.isInteger(retentionDays) || retentionDays < 1) {
    throw new Error(
      'scorecards.retention.days must be a whole number of days, at least 1',
    );
  }
  return {
    levels,
    checks,
    schedule: config.has('scorecards.schedule')
      ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
          config.getConfig('scorecards.schedule'),
        )
      : DEFAULT_SCHEDULE,
    retentionDays,
  };
}
