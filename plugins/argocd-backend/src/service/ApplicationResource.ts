/*
 * The parts of Argo CD's `argoproj.io/v1alpha1` Application that this plugin reads. Everything
 * is optional because the cache holds whatever the cluster sends; mapping code supplies defaults.
 */

export interface ApplicationSourceResource {
  repoURL?: string;
  path?: string;
  chart?: string;
  targetRevision?: string;
}

export interface ApplicationHistoryResource {
  id?: number;
  revision?: string;
  revisions?: string[];
  deployedAt?: string;
  deployStartedAt?: string;
  source?: ApplicationSourceResource;
  sources?: ApplicationSourceResource[];
}

export interface ApplicationResource {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    managedFields?: unknown[];
    [key: string]: unknown;
  };
  spec?: {
    project?: string;
    source?: ApplicationSourceResource;
    sources?: ApplicationSourceResource[];
    destination?: { server?: string; name?: string; namespace?: string };
    [key: string]: unknown;
  };
  status?: {
    sync?: { status?: string; revision?: string; revisions?: string[] };
    health?: { status?: string; message?: string };
    operationState?: {
      phase?: string;
      message?: string;
      startedAt?: string;
      finishedAt?: string;
    };
    reconciledAt?: string;
    summary?: { images?: string[] };
    conditions?: Array<{
      type?: string;
      message?: string;
      lastTransitionTime?: string;
    }>;
    history?: ApplicationHistoryResource[];
    resources?: Array<{
      group?: string;
      version?: string;
      kind?: string;
      namespace?: string;
      name?: string;
      status?: string;
      health?: { status?: string; message?: string };
    }>;
    [key: string]: unknown;
  };
}

/** The parts of Argo CD's `AppProject` that decide who may see its Applications. */
export interface AppProjectResource {
  metadata: {
    name: string;
    namespace: string;
    resourceVersion?: string;
  };
  spec?: {
    sourceNamespaces?: unknown;
    roles?: Array<{ name?: unknown; groups?: unknown }>;
  };
}
