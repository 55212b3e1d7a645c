/*
 * How an Application resource becomes the API's shapes. Pure functions over the cached resource,
 * so the same resource always maps the same way on every replica.
 */
import { ScmIntegrationRegistry } from '@backstage/integration';
import {
  ApplicationCondition,
  ApplicationSource,
  ApplicationSummary,
  HEALTH_STATUSES,
  HealthStatus,
  HistoryEntry,
  ManagedResource,
  SYNC_STATUSES,
  SyncStatus,
} from '@paved/plugin-argocd-common';
import {
  ApplicationResource,
  ApplicationSourceResource,
} from './ApplicationResource';
import { CachedApplication } from './ArgoApplicationCache';
import { findGitHubRepository, isCommitSha } from './GitHubRepository';

const FAILED_PHASES = new Set(['Failed', 'Error']);

function toSource(
  source: ApplicationSourceResource | undefined,
): ApplicationSource {
  return {
    repoURL: source?.repoURL ?? '',
    ...(source?.path !== undefined ? { path: source.path } : {}),
    ...(source?.chart !== undefined ? { chart: source.chart } : {}),
    ...(source?.targetRevision !== undefined
      ? { targetRevision: source.targetRevision }
      : {}),
  };
}

/** `spec.source`, or the first of `spec.sources` for multi-source Applications. */
function primarySource(resource: ApplicationResource): ApplicationSource {
  return toSource(resource.spec?.source ?? resource.spec?.sources?.[0]);
}

/** The web page of a deployed commit, when its repository is on a GitHub integration. */
export function revisionUrlOf(
  integrations: ScmIntegrationRegistry,
  source: ApplicationSource,
  revision: string | undefined,
): string | undefined {
  if (source.chart || !isCommitSha(revision)) {
    return undefined;
  }
  const repository = findGitHubRepository(integrations, source.repoURL);
  return repository ? `${repository.webUrl}/commit/${revision}` : undefined;
}

function newestDeployedAt(resource: ApplicationResource): string | undefined {
  let newest: string | undefined;
  for (const entry of resource.status?.history ?? []) {
    if (
      entry.deployedAt &&
      (!newest || Date.parse(entry.deployedAt) > Date.parse(newest))
    ) {
      newest = entry.deployedAt;
    }
  }
  return newest;
}

function problemOf(summary: {
  sync: ApplicationSummary['sync'];
  health: ApplicationSummary['health'];
  operation?: ApplicationSummary['operation'];
  conditions: ApplicationCondition[];
}): string | undefined {
  const failingCondition = summary.conditions.find(c => /Error$/.test(c.type));
  const degraded = summary.health.status === 'Degraded';
  const outOfSync = summary.sync.status === 'OutOfSync';
  const operationFailed = Boolean(
    summary.operation && FAILED_PHASES.has(summary.operation.phase),
  );
  if (!failingCondition && !degraded && !outOfSync && !operationFailed) {
    return undefined;
  }
  if (failingCondition?.message) {
    return failingCondition.message;
  }
  if (degraded && summary.health.message) {
    return summary.health.message;
  }
  if (operationFailed && summary.operation?.message) {
    return summary.operation.message;
  }
  if (degraded) {
    return 'Health is Degraded';
  }
  if (operationFailed) {
    return `The last sync operation ended in ${summary.operation!.phase}`;
  }
  return summary.sync.revision
    ? `Live state differs from revision ${summary.sync.revision.slice(0, 7)}`
    : 'Live state differs from the desired state';
}

/** The entity card's view of one cached Application. */
export function toApplicationSummary(
  application: CachedApplication,
  integrations: ScmIntegrationRegistry,
): ApplicationSummary {
  const { instance, resource } = application;
  const status = resource.status ?? {};
  const syncStatus = status.sync?.status as SyncStatus | undefined;
  const healthStatus = status.health?.status as HealthStatus | undefined;
  const revision = status.sync?.revision ?? status.sync?.revisions?.[0];
  const sync: ApplicationSummary['sync'] = {
    status:
      syncStatus && SYNC_STATUSES.includes(syncStatus) ? syncStatus : 'Unknown',
    ...(revision ? { revision } : {}),
  };
  const health: ApplicationSummary['health'] = {
    status:
      healthStatus && HEALTH_STATUSES.includes(healthStatus)
        ? healthStatus
        : 'Unknown',
    ...(status.health?.message ? { message: status.health.message } : {}),
  };
  const operationState = status.operationState;
  const operation: ApplicationSummary['operation'] = operationState?.phase
    ? {
        phase: operationState.phase,
        ...(operationState.message ? { message: operationState.message } : {}),
        ...(operationState.startedAt
          ? { startedAt: operationState.startedAt }
          : {}),
        ...(operationState.finishedAt
          ? { finishedAt: operationState.finishedAt }
          : {}),
      }
    : undefined;
  const conditions: ApplicationCondition[] = (status.conditions ?? []).map(
    c => ({
      type: c.type ?? 'Unknown',
      message: c.message ?? '',
      ...(c.lastTransitionTime
        ? { lastTransitionTime: c.lastTransitionTime }
        : {}),
    }),
  );
  const source = primarySource(resource);
  const destination = resource.spec?.destination ?? {};
  const lastSyncedAt = operationState?.finishedAt ?? newestDeployedAt(resource);
  const problem = problemOf({ sync, health, operation, conditions });
  const revisionUrl = revisionUrlOf(integrations, source, revision);
  return {
    instance: instance.name,
    instanceTitle: instance.title,
    cluster: instance.cluster.name,
    namespace: application.namespace,
    name: application.name,
    project: application.project,
    labels: application.labels,
    sync,
    health,
    ...(operation ? { operation } : {}),
    ...(lastSyncedAt ? { lastSyncedAt } : {}),
    ...(status.reconciledAt ? { reconciledAt: status.reconciledAt } : {}),
    images: status.summary?.images ?? [],
    conditions,
    source,
    destination: {
      ...(destination.server ? { server: destination.server } : {}),
      ...(destination.name ? { name: destination.name } : {}),
      ...(destination.namespace ? { namespace: destination.namespace } : {}),
    },
    ...(problem ? { problem } : {}),
    ...(revisionUrl ? { revisionUrl } : {}),
    ...(instance.url
      ? {
          argocdUrl: `${instance.url}/applications/${encodeURIComponent(
            application.namespace,
          )}/${encodeURIComponent(application.name)}`,
        }
      : {}),
  };
}

/** `status.resources`: what the Application manages and how each part is doing. */
export function toManagedResources(
  resource: ApplicationResource,
): ManagedResource[] {
  return (resource.status?.resources ?? []).map(r => ({
    ...(r.group ? { group: r.group } : {}),
    ...(r.version ? { version: r.version } : {}),
    kind: r.kind ?? 'Unknown',
    ...(r.namespace ? { namespace: r.namespace } : {}),
    name: r.name ?? '',
    ...(r.status ? { status: r.status } : {}),
    ...(r.health ? { health: r.health } : {}),
  }));
}

/** `status.history`, newest first, without commit details. */
export function toHistoryEntries(
  resource: ApplicationResource,
  integrations: ScmIntegrationRegistry,
): HistoryEntry[] {
  const fallbackSource = primarySource(resource);
  return (resource.status?.history ?? [])
    .filter(entry => entry.deployedAt)
    .map((entry, index) => {
      const entrySource = entry.source ?? entry.sources?.[0];
      const source = entrySource ? toSource(entrySource) : fallbackSource;
      const revision = entry.revision ?? entry.revisions?.[0] ?? '';
      const deployedAt = entry.deployedAt!;
      const started = entry.deployStartedAt
        ? Date.parse(entry.deployStartedAt)
        : NaN;
      const finished = Date.parse(deployedAt);
      const revisionUrl = revisionUrlOf(integrations, source, revision);
      return {
        id: entry.id ?? index,
        revision,
        deployedAt,
        ...(entry.deployStartedAt
          ? { deployStartedAt: entry.deployStartedAt }
          : {}),
        ...(Number.isFinite(started) && Number.isFinite(finished)
          ? { durationSeconds: Math.max(0, (finished - started) / 1000) }
          : {}),
        source,
        ...(revisionUrl ? { revisionUrl } : {}),
      };
    })
    .sort(
      (a, b) =>
        Date.parse(b.deployedAt) - Date.parse(a.deployedAt) || b.id - a.id,
    );
}
