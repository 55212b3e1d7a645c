import { createBackend } from '@backstage/backend-defaults';
import { auditorServiceFactory } from '@paved/plugin-audit-log-backend';
import { rootConfigWithRequiredKeys } from './modules/requiredConfig';
import { rootHttpRouterWithHostCheck } from './modules/hostCheck';

const backend = createBackend();

// Fails start-up, naming the keys, when a deployment lacks settings it declares as required.
backend.add(rootConfigWithRequiredKeys);
// Refuses requests addressed to a host name the portal does not use (DNS rebinding).
backend.add(rootHttpRouterWithHostCheck);

// Auditor events of every plugin are still logged, and also stored for the Audit log page.
backend.add(auditorServiceFactory);
backend.add(import('@paved/plugin-audit-log-backend'));

backend.add(import('@backstage/plugin-app-backend'));
backend.add(import('@backstage/plugin-proxy-backend'));

backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
backend.add(import('@backstage/plugin-auth-backend-module-github-provider'));

backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));
// Both providers stay idle until catalog.providers.github / githubOrg are configured.
backend.add(import('@backstage/plugin-catalog-backend-module-github'));
backend.add(import('@backstage/plugin-catalog-backend-module-github-org'));
// The catalog refuses templates whose skeleton reaches outside itself (a symlink, a path).
backend.add(import('@paved/plugin-catalog-backend-module-template-guard'));

backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@backstage/plugin-scaffolder-backend-module-github'));
backend.add(
  import('@backstage/plugin-scaffolder-backend-module-notifications'),
);
// Golden paths: check a new service first, deploy it with Argo CD, open its page at once.
backend.add(import('@paved/plugin-scaffolder-backend-module-golden-paths'));
backend.add(import('@paved/plugin-scaffolder-backend-module-argocd'));
// Templates request infrastructure (e.g. a dev database) through the Crossplane self-service.
backend.add(import('@paved/plugin-scaffolder-backend-module-crossplane'));

backend.add(import('@backstage/plugin-techdocs-backend'));
backend.add(import('@paved/plugin-techdocs-backend-module-prebuild'));

backend.add(import('@backstage/plugin-permission-backend'));
// Paved's policy decides every permission, Paved's own plugins' included.
backend.add(import('@paved/plugin-permission-backend-module-policy'));

// Search: the PostgreSQL engine registers itself only on PostgreSQL; SQLite falls back to Lunr.
backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-pg'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));
backend.add(import('@backstage/plugin-search-backend-module-techdocs'));

backend.add(import('@backstage/plugin-kubernetes-backend'));
backend.add(import('@paved/plugin-argocd-backend'));
// Self-service infrastructure: the offered Crossplane XRDs and their request forms.
backend.add(import('@paved/plugin-crossplane-backend'));
// Each requested resource as a catalog Resource, owned by the team, linked to its request.
backend.add(import('@paved/plugin-catalog-backend-module-crossplane'));
// Scorecards: Tech Insights collects facts with Paved's retrievers; scorecards scores them.
backend.add(import('@backstage-community/plugin-tech-insights-backend'));
backend.add(import('@paved/plugin-tech-insights-backend-module-catalog'));
backend.add(import('@paved/plugin-tech-insights-backend-module-github'));
// Deployments and production databases, read from the Argo CD and Crossplane plugins' caches.
backend.add(import('@paved/plugin-tech-insights-backend-module-argocd'));
backend.add(import('@paved/plugin-tech-insights-backend-module-crossplane'));
// Re-collects one entity's facts when its owner re-runs its scorecard.
backend.add(
  import('@paved/plugin-tech-insights-backend-module-entity-refresh'),
);
backend.add(import('@paved/plugin-scorecards-backend'));
backend.add(import('@backstage/plugin-user-settings-backend'));
backend.add(import('@backstage/plugin-notifications-backend'));
// Events travel between replicas through the database, so signals reach every browser.
backend.add(import('@backstage/plugin-events-backend'));
backend.add(import('@backstage/plugin-signals-backend'));
backend.add(import('@backstage/plugin-mcp-actions-backend'));

backend.start();
