/**
 * Scaffolder module for Paved's golden-path templates: `golden-path:check-service` refuses a
 * new service before anything is created, and `catalog:wait-for-entity` holds the task until
 * the new entity can be opened.
 *
 * @packageDocumentation
 */
export { scaffolderModuleGoldenPaths as default } from './module';
export { createCheckServiceAction } from './actions/checkService';
export { createWaitForEntityAction } from './actions/waitForEntity';
export { readRepositoryDestination } from './destination';
