export { scorecardsApiRef } from './ScorecardsApi';
export type {
  EntityHistoryResponse,
  OrgHistoryResponse,
  ScorecardsApi,
} from './ScorecardsApi';
export { filterParams, ScorecardsClient } from './ScorecardsClient';
export { serverMessageOf, statusOf } from './responseErrors';
