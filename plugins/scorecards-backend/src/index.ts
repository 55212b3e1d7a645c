/**
 * Backend of Paved's scorecards: levels, history and roll-ups over checks run on Tech Insights
 * facts.
 *
 * @packageDocumentation
 */
export { scorecardsPlugin as default } from './plugin';
