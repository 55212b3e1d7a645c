/** Every `status.sync.status` Argo CD writes. */
export const SYNC_STATUSES = ['Synced', 'OutOfSync', 'Unknown'] as const;

/** `status.sync.status` of an Argo CD Application. */
export type SyncStatus = (typeof SYNC_STATUSES)[number];

/** Every `status.health.status` Argo CD writes. */
export const HEALTH_STATUSES = [
  'Healthy',
  'Progressing',
  'Degraded',
  'Suspended',
  'Missing',
  'Unknown',
] as const;

/** `status.health.status` of an Argo CD Application. */
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

/** Where an Application's manifests come from (`spec.source`, or the first of `spec.sources`). */
export interface ApplicationSource {
  repoURL: string;
  path?: string;
  chart?: string;
  targetRevision?: string;
}

/** A condition from `status.conditions`, e.g. `SyncError` or `ComparisonError`. */
export interface ApplicationCondition {
  type: string;
  message: string;
  lastTransitionTime?: string;
}

/** One Application on one Argo CD instance, as the entity card shows it. */
export interface ApplicationSummary {
  /** The configured Argo CD instance (by default, the Kubernetes cluster it runs on). */
  instance: string;
  /** The instance's display title, e.g. "Production (eu-west-1)". */
  instanceTitle: string;
  /** Name of the Kubernetes cluster that holds the Application resource. */
  cluster: string;
  namespace: string;
  name: string;
  project: string;
  labels: Record<string, string>;
  sync: { status: SyncStatus; revision?: string };
  health: { status: HealthStatus; message?: string };
  operation?: {
    phase: string;
    message?: string;
    startedAt?: string;
    finishedAt?: string;
  };
  /** When the last sync operation finished, or the newest history entry was deployed. */
  lastSyncedAt?: string;
  reconciledAt?: string;
  images: string[];
  conditions: ApplicationCondition[];
  source: ApplicationSource;
  destination: { server?: string; name?: string; namespace?: string };
  /**
   * Why the Application needs attention, when it is Degraded, OutOfSync or its last operation
   * failed: the failing condition's or health message. Absent when all is well.
   */
  problem?: string;
  /** Web page of `sync.revision` when the source is a repository on a configured integration. */
  revisionUrl?: string;
  /** The Application in the Argo CD UI, when the instance has a `url` configured. */
  argocdUrl?: string;
}

/** How one Argo CD instance answered: `error` hides nothing of the other instances. */
export interface InstanceState {
  instance: string;
  title: string;
  cluster: string;
  /** `loading` until the first list completes; `error` when the last list or watch failed. */
  status: 'ready' | 'loading' | 'error';
  error?: string;
  /** When the cache last heard from the cluster (list or watch event), ISO 8601. */
  lastContactAt?: string;
}

/** `GET /entity/:kind/:namespace/:name/applications` */
export interface EntityApplicationsResponse {
  applications: ApplicationSummary[];
  /** The instances that were searched (all configured, or those named by `argocd/instance-name`). */
  instances: InstanceState[];
}

/** The commit behind a deployed revision, from the source repository's host (GitHub). */
export interface CommitInfo {
  sha: string;
  message: string;
  author: { name: string; login?: string; avatarUrl?: string };
  committedAt?: string;
  url: string;
}

/** One entry of `status.history`: a sync that deployed a revision. */
export interface HistoryEntry {
  id: number;
  revision: string;
  deployedAt: string;
  deployStartedAt?: string;
  /** `deployedAt - deployStartedAt`, when both are known. */
  durationSeconds?: number;
  source: ApplicationSource;
  revisionUrl?: string;
  commit?: CommitInfo;
  /** Why commit details are missing (no integration for the host, rate limited, not found). */
  commitError?: string;
}

/** `GET /entity/:kind/:namespace/:name/applications/:instance/:appNamespace/:appName/history`, newest first. */
export interface ApplicationHistoryResponse {
  application: ApplicationSummary;
  history: HistoryEntry[];
}

/** A Kubernetes resource the Application manages (`status.resources`). */
export interface ManagedResource {
  group?: string;
  version?: string;
  kind: string;
  namespace?: string;
  name: string;
  status?: string;
  health?: { status?: string; message?: string };
}

/** `GET /entity/:kind/:namespace/:name/applications/:instance/:appNamespace/:appName` */
export interface ApplicationDetailResponse {
  application: ApplicationSummary;
  resources: ManagedResource[];
  /**
   * The Application resource as the cluster holds it, without `metadata.managedFields`; when
   * `redacted`, with {@link REDACTED_VALUE} in place of the values that may carry credentials.
   */
  manifest: Record<string, unknown>;
  /**
   * True when the caller may not read `argocd.application.manifest.read` on this Application:
   * Helm values and parameters, kustomize patches and plugin environments are replaced.
   */
  redacted: boolean;
}

/** What a redacted manifest holds in place of a value that may carry credentials. */
export const REDACTED_VALUE = '<redacted>';

/** Signal channel on which the backend announces that Applications changed (batched). */
export const ARGOCD_SIGNAL_CHANNEL = 'argocd:applications';

/**
 * Payload of {@link ARGOCD_SIGNAL_CHANNEL}: the instances on which something changed since the
 * last one. It names no Application, since it goes to every browser; pages fetch again and the
 * backend answers with what each caller may read.
 */
export interface ApplicationsChangedSignal {
  instances: string[];
}
