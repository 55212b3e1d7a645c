import {
  EntitySummary,
  NO_LEVEL,
  OrgHistoryPoint,
} from '@paved/plugin-scorecards-common';

/**
 * The history with today's point counted from the latest scores, so the chart ends where the
 * level totals and the table stand even if the history was read before a re-run.
 */
export function withTodayFromScores(
  days: OrgHistoryPoint[],
  entities: EntitySummary[],
  levelOrder: string[],
  now: Date = new Date(),
): OrgHistoryPoint[] {
  const today = now.toISOString().slice(0, 10);
  const levels = Object.fromEntries(levelOrder.map(level => [level, 0]));
  for (const entity of entities) {
    const level = entity.level ?? NO_LEVEL;
    levels[level] = (levels[level] ?? 0) + 1;
  }
  return [...days.filter(day => day.day !== today), { day: today, levels }];
}
