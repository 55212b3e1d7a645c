/**
 * Scaffolder module: the `crossplane:request` action, with which a golden-path template
 * requests infrastructure (a database, a cache) through Paved's Crossplane self-service, as the
 * user running the template, and optionally waits until it is ready.
 *
 * @packageDocumentation
 */
export { scaffolderModuleCrossplane as default } from './module';
export { createCrossplaneRequestAction } from './actions/crossplaneRequest';
