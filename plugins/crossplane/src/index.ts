/**
 * Paved's Crossplane frontend: request infrastructure through forms generated from Crossplane
 * XRDs, follow each request to ready, approve requests, in Backstage's new frontend system.
 *
 * @packageDocumentation
 */
import { crossplanePlugin } from './plugin';

export default crossplanePlugin;
export {
  crossplaneApi,
  crossplaneInfrastructureContent,
  crossplanePage,
  isInfrastructureRequestable,
} from './plugin';
export {
  approvalsRouteRef,
  requestFormRouteRef,
  requestRouteRef,
  rootRouteRef,
} from './routes';
export {
  crossplaneApiRef,
  CrossplaneClient,
  fieldErrorsOf,
  serverMessageOf,
} from './api';
export type { CrossplaneApi, RequestQuery } from './api';
export { EntityInfrastructureContent } from './components/EntityInfrastructureContent';
export { InfrastructurePage } from './components/InfrastructurePage';
