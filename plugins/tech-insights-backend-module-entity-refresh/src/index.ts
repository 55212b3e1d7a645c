/**
 * Re-collects one entity's Tech Insights facts on demand.
 *
 * @packageDocumentation
 */
export { techInsightsModuleEntityRefresh as default } from './module';
export * from './extensionPoint';
export type {
  EntityRefreshResult,
  RetrieverRefresh,
} from './EntityFactRefresher';
