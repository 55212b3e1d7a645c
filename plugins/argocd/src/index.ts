/**
 * Argo CD deployment status card and deployment history tab for catalog entities, in
 * Backstage's new frontend system.
 *
 * @packageDocumentation
 */
import { argoCdPlugin } from './plugin';

export default argoCdPlugin;
export {
  argoCdApi,
  argoCdDeploymentsCard,
  argoCdDeploymentsContent,
} from './plugin';
export { argoCdApiRef, ArgoCdClient } from './api';
export type { ApplicationRef, ArgoCdApi } from './api';
export { DeploymentsCard } from './components/DeploymentsCard';
export { DeploymentsContent } from './components/DeploymentsContent';
export {
  ARGOCD_POLL_INTERVAL_MS,
  useArgoCdRefreshKey,
} from './hooks/useArgoCdRefreshKey';
