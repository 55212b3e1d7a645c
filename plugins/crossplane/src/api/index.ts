export { crossplaneApiRef } from './CrossplaneApi';
export type { CrossplaneApi, RequestQuery } from './CrossplaneApi';
export { CrossplaneClient } from './CrossplaneClient';
export { fieldErrorsOf, serverMessageOf } from './responseErrors';
