/**
 * Catalog module that refuses templates whose skeleton reaches outside itself through a symlink
 * or a path, so the scaffolder never runs them.
 *
 * @packageDocumentation
 */
export { catalogModuleTemplateGuard as default } from './module';
export { TemplateSkeletonGuard } from './TemplateSkeletonGuard';
