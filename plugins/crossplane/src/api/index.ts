export { crossplaneApiRef } from './CrossplaneApi';
export type {
  ApprovalsResponse,
  CrossplaneApi,
  RequestQuery,
} from './CrossplaneApi';
export { CrossplaneClient } from './CrossplaneClient';
export { fieldErrorsOf, serverMessageOf } from './responseErrors';
