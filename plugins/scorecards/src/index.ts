/**
 * Paved's scorecards frontend: an entity's level and missing checks, its checks and history, the
 * organisation's overview and campaigns, in Backstage's new frontend system.
 *
 * @packageDocumentation
 */
import { scorecardsPlugin } from './plugin';

export default scorecardsPlugin;
export {
  isScored,
  scorecardsApi,
  scorecardsEntityCard,
  scorecardsEntityContent,
  scorecardsPage,
} from './plugin';
export { campaignRouteRef, campaignsRouteRef, rootRouteRef } from './routes';
export { scorecardsApiRef, ScorecardsClient } from './api';
export type { ScorecardsApi } from './api';
