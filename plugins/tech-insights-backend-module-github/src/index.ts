/**
 * A Tech Insights module with Paved's GitHub fact retriever: facts about each component's
 * repository, read with conditional requests and kept, marked stale, while GitHub rate-limits.
 *
 * @packageDocumentation
 */
export { techInsightsModuleGithubFacts as default } from './module';
export {
  GITHUB_FACT_RETRIEVER_ID,
  createGithubFactRetriever,
} from './githubFactRetriever';
export type { GithubRunSummary } from './githubFactRetriever';
export { GithubFactStore } from './GithubFactStore';
