export { scorecardsApiRef } from './ScorecardsApi';
export type { ScorecardsApi } from './ScorecardsApi';
export { filterParams, ScorecardsClient } from './ScorecardsClient';
export { serverMessageOf, statusOf } from './responseErrors';
