/**
 * Catalog module that lists every resource requested through Paved's Crossplane self-service as
 * a `Resource` entity, owned by the requesting team and a dependency of what it was requested for.
 *
 * @packageDocumentation
 */
export { catalogModuleCrossplaneResources as default } from './module';
export { CrossplaneResourceProvider } from './CrossplaneResourceProvider';
export { resourceEntity, resourceEntityName } from './resourceEntity';
