import { LoggerService } from '@backstage/backend-plugin-api';
import { InstanceState } from '@paved/plugin-argocd-common';
import {
  WatchedCollection,
  describeClusterError,
} from '@paved/plugin-kubernetes-clusters-node';
import { AppProjectResource, ApplicationResource } from './ApplicationResource';
import { ArgoInstance } from './ArgoInstances';

const GROUP = 'argoproj.io';
const VERSION = 'v1alpha1';

/** One Application as the cache holds it, with the instance that reported it. */
export interface CachedApplication {
  instance: ArgoInstance;
  namespace: string;
  name: string;
  project: string;
  labels: Record<string, string>;
  resourceVersion?: string;
  /** The resource as the cluster sent it, without `metadata.managedFields`. */
  resource: ApplicationResource;
}

/** One AppProject, reduced to what decides who may see its Applications. */
export interface CachedAppProject {
  namespace: string;
  name: string;
  resourceVersion?: string;
  /** `spec.sourceNamespaces`: namespaces besides Argo CD's own whose Applications may use it. */
  sourceNamespaces: string[];
  /** `spec.roles`, each with the SSO groups (`spec.roles[].groups`) that hold it. */
  roles: Array<{ name: string; groups: string[] }>;
}

/** Called with the instance on which Applications or AppProjects were added, modified or deleted. */
export type InstanceChangeListener = (instance: string) => void;

/** An `argoproj.io/v1alpha1` resource kind the cache reads, and how it keeps one. */
interface ResourceKind<T> {
  plural: string;
  /** Plural as logs say it, e.g. "Applications". */
  title: string;
  toCached(resource: any, instance: ArgoInstance): T;
}

const APPLICATIONS: ResourceKind<CachedApplication> = {
  plural: 'applications',
  title: 'Applications',
  toCached(resource: ApplicationResource, instance) {
    const stripped = withoutManagedFields(resource);
    return {
      instance,
      namespace: stripped.metadata.namespace,
      name: stripped.metadata.name,
      project: stripped.spec?.project ?? 'default',
      labels: stripped.metadata.labels ?? {},
      resourceVersion: stripped.metadata.resourceVersion,
      resource: stripped,
    };
  },
};

const APP_PROJECTS: ResourceKind<CachedAppProject> = {
  plural: 'appprojects',
  title: 'AppProjects',
  toCached(resource: AppProjectResource) {
    const strings = (value: unknown) =>
      Array.isArray(value)
        ? value.filter((v): v is string => typeof v === 'string')
        : [];
    return {
      namespace: resource.metadata.namespace,
      name: resource.metadata.name,
      resourceVersion: resource.metadata.resourceVersion,
      sourceNamespaces: strings(resource.spec?.sourceNamespaces),
      roles: (resource.spec?.roles ?? []).flatMap(role =>
        typeof role?.name === 'string'
          ? [{ name: role.name, groups: strings(role.groups) }]
          : [],
      ),
    };
  },
};

function withoutManagedFields(
  resource: ApplicationResource,
): ApplicationResource {
  if (!resource.metadata?.managedFields) {
    return resource;
  }
  const { managedFields: _, ...metadata } = resource.metadata;
  return { ...resource, metadata };
}

/** The streams of one instance, or the reason it has none. */
interface InstanceEntry {
  instance: ArgoInstance;
  applications: WatchedCollection<CachedApplication>[];
  projects?: WatchedCollection<CachedAppProject>;
  configurationError?: string;
}

/**
 * Every configured Argo CD instance's Applications and AppProjects, kept current by list +
 * watch against its cluster. Reading from it never calls Kubernetes. Each replica keeps its own
 * cache; watches are read-only, so there is nothing to coordinate.
 */
export class ArgoApplicationCache {
  private readonly entries = new Map<string, InstanceEntry>();

  constructor(
    instances: ArgoInstance[],
    private readonly logger: LoggerService,
    onChange: InstanceChangeListener,
  ) {
    for (const instance of instances) {
      const connection = instance.cluster.connection;
      if ('error' in connection) {
        this.entries.set(instance.name, {
          instance,
          applications: [],
          configurationError: connection.error,
        });
        continue;
      }
      const stream = <T>(kind: ResourceKind<T>, namespace?: string) =>
        new WatchedCollection<T>({
          kubeConfig: connection.kubeConfig,
          resource: {
            group: GROUP,
            versions: [VERSION],
            plural: kind.plural,
            namespace,
          },
          toItem: resource => kind.toCached(resource, instance),
          describeError: error =>
            describeClusterError(error, instance.cluster, {
              group: GROUP,
              plural: kind.plural,
              version: VERSION,
              notServedHint: 'is Argo CD installed there?',
            }),
          logger: logger.child({
            instance: instance.name,
            cluster: instance.cluster.name,
            kind: kind.title,
            ...(namespace ? { namespace } : {}),
          }),
          onChange: () => onChange(instance.name),
        });
      this.entries.set(instance.name, {
        instance,
        applications: (instance.namespaces ?? [undefined]).map(namespace =>
          stream(APPLICATIONS, namespace),
        ),
        // Argo CD reads AppProjects only from its own namespace.
        projects: stream(APP_PROJECTS, instance.controlPlaneNamespace),
      });
    }
  }

  private streamsOf(entry: InstanceEntry): WatchedCollection<unknown>[] {
    return entry.projects
      ? [...entry.applications, entry.projects]
      : entry.applications;
  }

  /** Starts every stream; each runs until {@link ArgoApplicationCache.stop}. */
  start() {
    for (const entry of this.entries.values()) {
      if (entry.configurationError) {
        this.logger.warn(
          `Argo CD instance ${entry.instance.name}: ${entry.configurationError}`,
        );
      }
      this.streamsOf(entry).forEach(stream => stream.start());
    }
  }

  stop() {
    for (const entry of this.entries.values()) {
      this.streamsOf(entry).forEach(stream => stream.stop());
    }
  }

  instanceNames(): string[] {
    return [...this.entries.keys()];
  }

  hasInstance(name: string): boolean {
    return this.entries.has(name);
  }

  getInstance(name: string): ArgoInstance | undefined {
    return this.entries.get(name)?.instance;
  }

  instanceState(name: string): InstanceState | undefined {
    const entry = this.entries.get(name);
    if (!entry) {
      return undefined;
    }
    const { instance, configurationError } = entry;
    const streams = this.streamsOf(entry);
    const base = {
      instance: instance.name,
      title: instance.title,
      cluster: instance.cluster.name,
    };
    if (configurationError) {
      return { ...base, status: 'error', error: configurationError };
    }
    const errors = streams.flatMap(s => (s.error ? [s.error] : []));
    const contacts = streams.flatMap(s =>
      s.lastContactAt ? [s.lastContactAt.getTime()] : [],
    );
    let status: InstanceState['status'] = 'ready';
    if (errors.length > 0) {
      status = 'error';
    } else if (streams.some(s => s.status === 'loading')) {
      status = 'loading';
    }
    return {
      ...base,
      status,
      ...(errors.length > 0 ? { error: [...new Set(errors)].join('; ') } : {}),
      ...(contacts.length > 0
        ? { lastContactAt: new Date(Math.max(...contacts)).toISOString() }
        : {}),
    };
  }

  /** The Applications last known for an instance, also while it is in error. */
  *applications(instanceName: string): Iterable<CachedApplication> {
    for (const stream of this.entries.get(instanceName)?.applications ?? []) {
      yield* stream.values();
    }
  }

  getApplication(
    instanceName: string,
    namespace: string,
    name: string,
  ): CachedApplication | undefined {
    for (const stream of this.entries.get(instanceName)?.applications ?? []) {
      const application = stream.get(name, namespace);
      if (application) {
        return application;
      }
    }
    return undefined;
  }

  /** An AppProject of the instance's Argo CD namespace, as last known. */
  getProject(instanceName: string, name: string): CachedAppProject | undefined {
    const entry = this.entries.get(instanceName);
    return entry?.projects?.get(name, entry.instance.controlPlaneNamespace);
  }
}
