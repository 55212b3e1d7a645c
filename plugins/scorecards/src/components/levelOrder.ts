import { EntityScorecard } from '@paved/plugin-scorecards-common';

/**
 * The levels of a scorecard in the order its checks come: the backend keeps the configured
 * order, which lists lower levels' checks first; a scorecard carries no level list of its own.
 */
export function levelOrderOf(scorecard: EntityScorecard): string[] {
  const order: string[] = [];
  for (const check of scorecard.checks) {
    if (!order.includes(check.level)) {
      order.push(check.level);
    }
  }
  return order;
}
