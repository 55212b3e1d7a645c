/**
 * A Tech Insights module with Paved's Crossplane fact retriever: each component's production
 * databases and whether they are backed up and protected from deletion, read from the Crossplane
 * plugin's cache.
 *
 * @packageDocumentation
 */
export { techInsightsModuleCrossplaneFacts as default } from './module';
export {
  CROSSPLANE_FACT_RETRIEVER_ID,
  DEFAULT_PRODUCTION_ENVIRONMENTS,
  createCrossplaneFactRetriever,
  readProductionEnvironments,
} from './crossplaneFactRetriever';
