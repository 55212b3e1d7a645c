/**
 * A Tech Insights module with Paved's Argo CD fact retriever: whether each component is deployed
 * through Argo CD, Synced and Healthy, and how recently production was deployed, read from the
 * Argo CD plugin's cache and kept, marked stale, while an instance cannot be read.
 *
 * @packageDocumentation
 */
export { techInsightsModuleArgocdFacts as default } from './module';
export {
  ARGOCD_FACT_RETRIEVER_ID,
  DEFAULT_PRODUCTION_ENVIRONMENTS,
  createArgocdFactRetriever,
  readProductionInstances,
} from './argocdFactRetriever';
export { ArgocdFactStore } from './ArgocdFactStore';
