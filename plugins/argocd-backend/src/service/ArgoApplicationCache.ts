import { LoggerService } from '@backstage/backend-plugin-api';
import { CustomObjectsApi, KubeConfig, Watch } from '@kubernetes/client-node';
import { InstanceState } from '@paved/plugin-argocd-common';
import { AppProjectResource, ApplicationResource } from './ApplicationResource';
import { ArgoInstance } from './ArgoInstances';

const GROUP = 'argoproj.io';
const VERSION = 'v1alpha1';
const LIST_PAGE_SIZE = 500;
const INITIAL_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30_000;
// The server ends a watch after this long; a new one resumes from the last resourceVersion.
const WATCH_TIMEOUT_SECONDS = 300;
// A watch that closes sooner than this without events waits before the next one, so a server
// that drops watches at once is not hammered.
const MIN_WATCH_LIFETIME_MS = 1000;

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

interface Cached {
  namespace: string;
  name: string;
  resourceVersion?: string;
}

/** An `argoproj.io/v1alpha1` resource kind the cache reads, and how it keeps one. */
interface ResourceKind<T extends Cached> {
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

interface KubernetesStatusObject {
  kind?: string;
  code?: number;
  reason?: string;
  message?: string;
}

class WatchStatusError extends Error {
  constructor(readonly status: KubernetesStatusObject) {
    super(status.message ?? status.reason ?? 'watch failed');
  }
}

const TLS_ERROR = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/;
const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_SOCKET',
]);

/** A message for a person reading the instance's state, naming the cluster. */
export function describeClusterError(
  error: unknown,
  instance: ArgoInstance,
  plural = APPLICATIONS.plural,
) {
  const cluster = instance.cluster;
  const e = error as {
    code?: unknown;
    statusCode?: unknown;
    message?: string;
    status?: KubernetesStatusObject;
  };
  let httpStatus = e.status?.code;
  if (typeof e.code === 'number') {
    httpStatus = e.code;
  } else if (typeof e.statusCode === 'number') {
    httpStatus = e.statusCode;
  }
  if (httpStatus === 401) {
    return `credentials rejected by cluster ${cluster.name} (401)`;
  }
  if (httpStatus === 403) {
    return `credentials of cluster ${cluster.name} may not list and watch ${plural}.${GROUP} (403)`;
  }
  if (httpStatus === 404) {
    return `cluster ${cluster.name} does not serve ${plural}.${GROUP}/${VERSION} (404): is Argo CD installed there?`;
  }
  if (typeof httpStatus === 'number') {
    // ApiException's message is "HTTP-Code: …\nMessage: …\nBody: …"; the Message line says it.
    const detail =
      e.status?.message ??
      e.message?.match(/^Message: (.*)$/m)?.[1] ??
      e.message ??
      '';
    return `cluster ${cluster.name} answered ${httpStatus}: ${detail}`;
  }
  const code = typeof e.code === 'string' ? e.code : undefined;
  const reason = e.message?.replace(/^request to \S+ failed, reason: /, '');
  if (code && TLS_ERROR.test(code)) {
    return `TLS verification of cluster ${cluster.name} at ${cluster.url} failed (${code}: ${reason}); check its caData or caFile`;
  }
  if (code && NETWORK_ERRORS.has(code)) {
    return `cluster ${cluster.name} unreachable at ${cluster.url}: ${reason}`;
  }
  return `cluster ${cluster.name} at ${cluster.url}: ${
    reason ?? String(error)
  }`;
}

function keyOf(namespace: string, name: string) {
  return `${namespace}/${name}`;
}

function withoutManagedFields(
  resource: ApplicationResource,
): ApplicationResource {
  if (!resource.metadata?.managedFields) {
    return resource;
  }
  const { managedFields: _, ...metadata } = resource.metadata;
  return { ...resource, metadata };
}

/**
 * One list + watch of a resource kind: cluster-wide, or in one namespace. Lists, then watches
 * from the list's resourceVersion; relists when the server answers 410 Gone; on errors keeps
 * what it had, reports the error and retries with backoff.
 */
class ResourceStream<T extends Cached> {
  status: 'loading' | 'ready' | 'error' = 'loading';
  error?: string;
  lastContactAt?: Date;
  readonly items = new Map<string, T>();

  private stopped = false;
  private watchController?: AbortController;
  private wakeUp?: () => void;
  private readonly api: CustomObjectsApi;

  constructor(
    private readonly kind: ResourceKind<T>,
    private readonly instance: ArgoInstance,
    private readonly kubeConfig: KubeConfig,
    private readonly namespace: string | undefined,
    private readonly logger: LoggerService,
    private readonly onChange: () => void,
  ) {
    this.api = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  async run() {
    let backoffMs = INITIAL_BACKOFF_MS;
    const resetBackoff = () => {
      backoffMs = INITIAL_BACKOFF_MS;
    };
    while (!this.stopped) {
      try {
        const resourceVersion = await this.list();
        await this.watchUntilExpired(resourceVersion, resetBackoff);
      } catch (error) {
        if (this.stopped) {
          return;
        }
        this.fail(error);
        await this.sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      }
    }
  }

  stop() {
    this.stopped = true;
    this.watchController?.abort();
    this.wakeUp?.();
  }

  private get path() {
    return this.namespace
      ? `/apis/${GROUP}/${VERSION}/namespaces/${encodeURIComponent(
          this.namespace,
        )}/${this.kind.plural}`
      : `/apis/${GROUP}/${VERSION}/${this.kind.plural}`;
  }

  private get scope() {
    return `${this.instance.name} ${this.kind.title}${
      this.namespace ? ` (namespace ${this.namespace})` : ''
    }`;
  }

  private sleep(ms: number) {
    return new Promise<void>(resolve => {
      const timer = setTimeout(resolve, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private touch() {
    this.lastContactAt = new Date();
  }

  private fail(error: unknown) {
    const message = describeClusterError(
      error,
      this.instance,
      this.kind.plural,
    );
    if (this.status !== 'error' || this.error !== message) {
      this.logger.warn(
        `Argo CD instance ${this.scope}: ${message}; keeping ${this.items.size} known and retrying`,
      );
    }
    this.status = 'error';
    this.error = message;
  }

  /** Lists every page, replaces the known items, returns the list's resourceVersion. */
  private async list(): Promise<string> {
    const items: Array<{ metadata: Cached }> = [];
    let continueToken: string | undefined;
    let resourceVersion = '';
    do {
      const page = this.namespace
        ? await this.api.listNamespacedCustomObject({
            group: GROUP,
            version: VERSION,
            plural: this.kind.plural,
            namespace: this.namespace,
            limit: LIST_PAGE_SIZE,
            _continue: continueToken,
          })
        : await this.api.listClusterCustomObject({
            group: GROUP,
            version: VERSION,
            plural: this.kind.plural,
            limit: LIST_PAGE_SIZE,
            _continue: continueToken,
          });
      items.push(...(page.items ?? []));
      continueToken = page.metadata?.continue || undefined;
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
    } while (continueToken && !this.stopped);

    let changed = false;
    const seen = new Set<string>();
    for (const item of items) {
      const cached = this.kind.toCached(item, this.instance);
      const key = keyOf(cached.namespace, cached.name);
      seen.add(key);
      if (this.items.get(key)?.resourceVersion !== cached.resourceVersion) {
        this.items.set(key, cached);
        changed = true;
      }
    }
    for (const key of this.items.keys()) {
      if (!seen.has(key)) {
        this.items.delete(key);
        changed = true;
      }
    }
    if (this.status !== 'ready') {
      this.logger.info(
        `Argo CD instance ${this.scope}: ${items.length} listed from cluster ${this.instance.cluster.name}`,
      );
    }
    this.status = 'ready';
    this.error = undefined;
    this.touch();
    if (changed) {
      this.onChange();
    }
    return resourceVersion;
  }

  /** Watches until the server says the resourceVersion is too old (410); throws on errors. */
  private async watchUntilExpired(
    resourceVersion: string,
    onConnected: () => void,
  ) {
    let from = resourceVersion;
    while (!this.stopped) {
      const startedAt = Date.now();
      const outcome = await this.watchOnce(from, onConnected);
      if (outcome.expired) {
        this.logger.debug(
          `Argo CD instance ${this.scope}: watch expired (410), listing again`,
        );
        return;
      }
      if (
        !outcome.sawEvents &&
        Date.now() - startedAt < MIN_WATCH_LIFETIME_MS
      ) {
        await this.sleep(MIN_WATCH_LIFETIME_MS);
      }
      from = outcome.resourceVersion;
    }
  }

  private watchOnce(
    resourceVersion: string,
    onConnected: () => void,
  ): Promise<{
    expired: boolean;
    sawEvents: boolean;
    resourceVersion: string;
  }> {
    return new Promise((resolve, reject) => {
      let latest = resourceVersion;
      let expired = false;
      let sawEvents = false;
      let failure: Error | undefined;
      let finished = false;
      let connected = false;
      const done = (error: unknown) => {
        finished = true;
        this.watchController = undefined;
        // A stream that breaks after it was established (the server went away, a proxy cut
        // it) is resumed like one that ended; whether the cluster is reachable shows when the
        // next watch connects.
        if (failure || (error && !connected && !this.stopped)) {
          reject(failure ?? error);
        } else {
          resolve({ expired, sawEvents, resourceVersion: latest });
        }
      };
      const onEvent = (type: string, object: any) => {
        sawEvents = true;
        this.touch();
        if (type === 'ERROR') {
          const status = (object ?? {}) as KubernetesStatusObject;
          if (status.code === 410) {
            expired = true;
          } else {
            failure = new WatchStatusError(status);
          }
          this.watchController?.abort();
          return;
        }
        const version = object?.metadata?.resourceVersion;
        if (version) {
          latest = version;
        }
        if (type === 'ADDED' || type === 'MODIFIED') {
          this.upsert(object);
        } else if (type === 'DELETED') {
          this.remove(object);
        }
      };
      new Watch(this.kubeConfig)
        .watch(
          this.path,
          {
            resourceVersion,
            allowWatchBookmarks: true,
            timeoutSeconds: WATCH_TIMEOUT_SECONDS,
          },
          onEvent,
          done,
        )
        .then(controller => {
          if (finished) {
            return;
          }
          if (this.stopped) {
            controller.abort();
            return;
          }
          this.watchController = controller;
          connected = true;
          onConnected();
        }, done);
    });
  }

  private upsert(resource: { metadata?: Partial<Cached> }) {
    if (!resource?.metadata?.name) {
      return;
    }
    const cached = this.kind.toCached(resource, this.instance);
    const key = keyOf(cached.namespace, cached.name);
    if (this.items.get(key)?.resourceVersion === cached.resourceVersion) {
      return;
    }
    this.items.set(key, cached);
    this.onChange();
  }

  private remove(resource: { metadata?: Partial<Cached> }) {
    const { namespace = '', name } = resource?.metadata ?? {};
    if (name && this.items.delete(keyOf(namespace, name))) {
      this.onChange();
    }
  }
}

/** The streams of one instance, or the reason it has none. */
interface InstanceEntry {
  instance: ArgoInstance;
  applications: ResourceStream<CachedApplication>[];
  projects?: ResourceStream<CachedAppProject>;
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
      const stream = <T extends Cached>(
        kind: ResourceKind<T>,
        namespace: string | undefined,
      ) =>
        new ResourceStream(
          kind,
          instance,
          connection.kubeConfig,
          namespace,
          logger,
          () => onChange(instance.name),
        );
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

  private streamsOf(entry: InstanceEntry): ResourceStream<Cached>[] {
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
      for (const stream of this.streamsOf(entry)) {
        stream
          .run()
          .catch(error =>
            this.logger.error(
              `Argo CD instance ${entry.instance.name} stopped reading from its cluster`,
              error,
            ),
          );
      }
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
      yield* stream.items.values();
    }
  }

  getApplication(
    instanceName: string,
    namespace: string,
    name: string,
  ): CachedApplication | undefined {
    for (const stream of this.entries.get(instanceName)?.applications ?? []) {
      const application = stream.items.get(keyOf(namespace, name));
      if (application) {
        return application;
      }
    }
    return undefined;
  }

  /** An AppProject of the instance's Argo CD namespace, as last known. */
  getProject(instanceName: string, name: string): CachedAppProject | undefined {
    const entry = this.entries.get(instanceName);
    return entry?.projects?.items.get(
      keyOf(entry.instance.controlPlaneNamespace, name),
    );
  }
}
