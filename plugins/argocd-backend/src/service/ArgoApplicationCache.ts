import { LoggerService } from '@backstage/backend-plugin-api';
import { CustomObjectsApi, KubeConfig, Watch } from '@kubernetes/client-node';
import { InstanceState } from '@paved/plugin-argocd-common';
import { ApplicationResource } from './ApplicationResource';
import { ArgoInstance } from './ArgoInstances';

const GROUP = 'argoproj.io';
const VERSION = 'v1alpha1';
const PLURAL = 'applications';
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
  /** The resource as the cluster sent it, without `metadata.managedFields`. */
  resource: ApplicationResource;
}

/** Called with Applications that were added, modified or deleted. */
export type ApplicationChangeListener = (changed: CachedApplication[]) => void;

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
export function describeClusterError(error: unknown, instance: ArgoInstance) {
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
  if (httpStatus === 401 || httpStatus === 403) {
    return `credentials rejected by cluster ${cluster.name} (${httpStatus})`;
  }
  if (httpStatus === 404) {
    return `cluster ${cluster.name} does not serve ${PLURAL}.${GROUP}/${VERSION} (404): is Argo CD installed there?`;
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
 * One list + watch of Applications: cluster-wide, or in one namespace. Lists, then watches from
 * the list's resourceVersion; relists when the server answers 410 Gone; on errors keeps what it
 * had, reports the error and retries with backoff.
 */
class ApplicationStream {
  status: 'loading' | 'ready' | 'error' = 'loading';
  error?: string;
  lastContactAt?: Date;
  readonly applications = new Map<string, CachedApplication>();

  private stopped = false;
  private watchController?: AbortController;
  private wakeUp?: () => void;
  private readonly api: CustomObjectsApi;

  constructor(
    private readonly instance: ArgoInstance,
    private readonly kubeConfig: KubeConfig,
    private readonly namespace: string | undefined,
    private readonly logger: LoggerService,
    private readonly onChange: ApplicationChangeListener,
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
        )}/${PLURAL}`
      : `/apis/${GROUP}/${VERSION}/${PLURAL}`;
  }

  private get scope() {
    return `${this.instance.name}${
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
    const message = describeClusterError(error, this.instance);
    if (this.status !== 'error' || this.error !== message) {
      this.logger.warn(
        `Argo CD instance ${this.scope}: ${message}; keeping ${this.applications.size} known Applications and retrying`,
      );
    }
    this.status = 'error';
    this.error = message;
  }

  /** Lists every page, replaces the known Applications, returns the list's resourceVersion. */
  private async list(): Promise<string> {
    const items: ApplicationResource[] = [];
    let continueToken: string | undefined;
    let resourceVersion = '';
    do {
      const page = this.namespace
        ? await this.api.listNamespacedCustomObject({
            group: GROUP,
            version: VERSION,
            plural: PLURAL,
            namespace: this.namespace,
            limit: LIST_PAGE_SIZE,
            _continue: continueToken,
          })
        : await this.api.listClusterCustomObject({
            group: GROUP,
            version: VERSION,
            plural: PLURAL,
            limit: LIST_PAGE_SIZE,
            _continue: continueToken,
          });
      items.push(...(page.items ?? []));
      continueToken = page.metadata?.continue || undefined;
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
    } while (continueToken && !this.stopped);

    const changed: CachedApplication[] = [];
    const seen = new Set<string>();
    for (const item of items) {
      const application = this.toCached(item);
      const key = keyOf(application.namespace, application.name);
      seen.add(key);
      const known = this.applications.get(key);
      if (
        known?.resource.metadata.resourceVersion !==
        application.resource.metadata.resourceVersion
      ) {
        this.applications.set(key, application);
        changed.push(application);
      }
    }
    for (const [key, known] of this.applications) {
      if (!seen.has(key)) {
        this.applications.delete(key);
        changed.push(known);
      }
    }
    if (this.status !== 'ready') {
      this.logger.info(
        `Argo CD instance ${this.scope}: ${items.length} Applications listed from cluster ${this.instance.cluster.name}`,
      );
    }
    this.status = 'ready';
    this.error = undefined;
    this.touch();
    if (changed.length > 0) {
      this.onChange(changed);
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
          this.upsert(object as ApplicationResource);
        } else if (type === 'DELETED') {
          this.remove(object as ApplicationResource);
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

  private toCached(resource: ApplicationResource): CachedApplication {
    const stripped = withoutManagedFields(resource);
    return {
      instance: this.instance,
      namespace: stripped.metadata.namespace,
      name: stripped.metadata.name,
      project: stripped.spec?.project ?? 'default',
      labels: stripped.metadata.labels ?? {},
      resource: stripped,
    };
  }

  private upsert(resource: ApplicationResource) {
    if (!resource?.metadata?.name) {
      return;
    }
    const application = this.toCached(resource);
    const key = keyOf(application.namespace, application.name);
    const known = this.applications.get(key);
    if (
      known?.resource.metadata.resourceVersion ===
      application.resource.metadata.resourceVersion
    ) {
      return;
    }
    this.applications.set(key, application);
    this.onChange([application]);
  }

  private remove(resource: ApplicationResource) {
    if (!resource?.metadata?.name) {
      return;
    }
    const key = keyOf(resource.metadata.namespace, resource.metadata.name);
    const known = this.applications.get(key);
    if (known) {
      this.applications.delete(key);
      this.onChange([known]);
    }
  }
}

/** The streams of one instance, or the reason it has none. */
interface InstanceEntry {
  instance: ArgoInstance;
  streams: ApplicationStream[];
  configurationError?: string;
}

/**
 * Every configured Argo CD instance's Applications, kept current by list + watch against its
 * cluster. Reading from it never calls Kubernetes. Each replica keeps its own cache; watches
 * are read-only, so there is nothing to coordinate.
 */
export class ArgoApplicationCache {
  private readonly entries = new Map<string, InstanceEntry>();

  constructor(
    instances: ArgoInstance[],
    private readonly logger: LoggerService,
    onChange: ApplicationChangeListener,
  ) {
    for (const instance of instances) {
      const connection = instance.cluster.connection;
      if ('error' in connection) {
        this.entries.set(instance.name, {
          instance,
          streams: [],
          configurationError: connection.error,
        });
        continue;
      }
      const scopes = instance.namespaces ?? [undefined];
      this.entries.set(instance.name, {
        instance,
        streams: scopes.map(
          namespace =>
            new ApplicationStream(
              instance,
              connection.kubeConfig,
              namespace,
              logger,
              onChange,
            ),
        ),
      });
    }
  }

  /** Starts every stream; each runs until {@link ArgoApplicationCache.stop}. */
  start() {
    for (const entry of this.entries.values()) {
      if (entry.configurationError) {
        this.logger.warn(
          `Argo CD instance ${entry.instance.name}: ${entry.configurationError}`,
        );
      }
      for (const stream of entry.streams) {
        stream
          .run()
          .catch(error =>
            this.logger.error(
              `Argo CD instance ${entry.instance.name} stopped reading Applications`,
              error,
            ),
          );
      }
    }
  }

  stop() {
    for (const entry of this.entries.values()) {
      entry.streams.forEach(stream => stream.stop());
    }
  }

  instanceNames(): string[] {
    return [...this.entries.keys()];
  }

  hasInstance(name: string): boolean {
    return this.entries.has(name);
  }

  instanceState(name: string): InstanceState | undefined {
    const entry = this.entries.get(name);
    if (!entry) {
      return undefined;
    }
    const { instance, streams, configurationError } = entry;
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
    for (const stream of this.entries.get(instanceName)?.streams ?? []) {
      yield* stream.applications.values();
    }
  }

  getApplication(
    instanceName: string,
    namespace: string,
    name: string,
  ): CachedApplication | undefined {
    for (const stream of this.entries.get(instanceName)?.streams ?? []) {
      const application = stream.applications.get(keyOf(namespace, name));
      if (application) {
        return application;
      }
    }
    return undefined;
  }
}
