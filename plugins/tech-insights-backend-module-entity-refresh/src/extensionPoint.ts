import { createExtensionPoint } from '@backstage/backend-plugin-api';
import { FactRetriever } from '@backstage-community/plugin-tech-insights-node';

/**
 * Fact retrievers that can be run for one entity: their handler collects facts only for the
 * entities `entityFilter` selects, so a re-run of one scorecard re-collects only its facts.
 */
export interface TechInsightsEntityRefreshExtensionPoint {
  /** Retrievers added to Tech Insights by the same module, keyed by retriever id. */
  addRefreshableFactRetrievers(retrievers: Record<string, FactRetriever>): void;
}

/** Registered by `@paved/plugin-tech-insights-backend-module-entity-refresh`. */
export const techInsightsEntityRefreshExtensionPoint =
  createExtensionPoint<TechInsightsEntityRefreshExtensionPoint>({
    id: 'tech-insights.entity-refresh',
  });
