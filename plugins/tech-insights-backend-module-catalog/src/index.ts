/**
 * A Tech Insights module with Paved's catalog fact retriever: owner resolving to a group,
 * lifecycle, description, system, TechDocs, provided APIs with definitions, links and on-call.
 *
 * @packageDocumentation
 */
export { techInsightsModuleCatalogFacts as default } from './module';
export {
  CATALOG_FACT_RETRIEVER_ID,
  ON_CALL_ANNOTATIONS,
  createCatalogFactRetriever,
} from './catalogFactRetriever';
