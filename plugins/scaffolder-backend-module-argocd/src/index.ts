/**
 * Scaffolder module: the `argocd:create-application` action, which deploys a new service by
 * creating its Argo CD Application through Paved's Argo CD backend, as the user running the
 * template.
 *
 * @packageDocumentation
 */
export { scaffolderModuleArgocd as default } from './module';
export { createArgoApplicationAction } from './actions/createApplication';
