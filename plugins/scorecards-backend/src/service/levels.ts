import { CheckResult, EntityScorecard } from '@paved/plugin-scorecards-common';

/**
 * The level an entity reached and what stands before the next one. A level is reached when every
 * check of it and of every level below passes; an unknown outcome does not pass, so an entity is
 * never placed higher than its facts show. A level without checks is passed over: nothing shows
 * that an entity deserves it.
 */
export function placeOnLevels(
  configuredLevels: string[],
  checks: CheckResult[],
): Pick<EntityScorecard, 'level' | 'nextLevel'> {
  const levels = configuredLevels.filter(level =>
    checks.some(check => check.level === level),
  );
  let reached = -1;
  for (const [index, level] of levels.entries()) {
    const passed = checks
      .filter(check => check.level === level)
      .every(check => check.outcome === 'pass');
    if (!passed) break;
    reached = index;
  }
  const next = levels[reached + 1];
  return {
    level: reached >= 0 ? levels[reached] : null,
    nextLevel: next
      ? {
          level: next,
          missing: checks.filter(
            check => check.level === next && check.outcome !== 'pass',
          ),
        }
      : null,
  };
}
