import { LoggerService } from '@backstage/backend-plugin-api';
import { CustomObjectsApi, KubeConfig, Watch } from '@kubernetes/client-node';

const LIST_PAGE_SIZE = 500;
const INITIAL_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30_000;
// The server ends a watch after this long; a new one resumes from the last resourceVersion.
const WATCH_TIMEOUT_SECONDS = 300;
// A watch that closes sooner than this without events waits before the next one, so a server
// that drops watches at once is not hammered.
const MIN_WATCH_LIFETIME_MS = 1000;

/** The part of a Kubernetes object a {@link WatchedCollection} reads itself. @public */
export interface WatchedObject {
  apiVersion?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

/** Options of a {@link WatchedCollection}. @public */
export interface WatchedCollectionOptions<T, R extends WatchedObject> {
  kubeConfig: KubeConfig;
  /** The custom resources to keep: cluster-wide, or in one namespace. */
  resource: {
    group: string;
    /** Tried in order until one is served (the others answer 404); the first served is kept. */
    versions: string[];
    plural: string;
    namespace?: string;
  };
  /** What to keep of an object, or undefined to keep nothing of it. Called once per resourceVersion. */
  toItem(object: R, apiVersion: string): T | undefined;
  /** The message for a person reading the collection's state; it should name the cluster. */
  describeError(error: unknown): string;
  /** Logs say which collection they are about through this logger's metadata. */
  logger: LoggerService;
  /** Called when an object was added, modified or deleted. */
  onChange?(): void;
  /** Called with the item kept for an object that is gone (deleted, or missing from a new list). */
  onForget?(item: T): void;
}

class WatchStatusError extends Error {
  constructor(
    readonly status: { code?: number; reason?: string; message?: string },
  ) {
    super(status.message ?? status.reason ?? 'watch failed');
  }
}

/**
 * The objects of one custom resource kind, kept current by list + watch. Lists every page,
 * then watches from the list's resourceVersion; lists again when the server answers 410 Gone;
 * on errors keeps what it had, reports the error and retries with backoff.
 *
 * @public
 */
export class WatchedCollection<T, R extends WatchedObject = WatchedObject> {
  #status: 'loading' | 'ready' | 'error' = 'loading';
  #error?: string;
  #lastContactAt?: Date;
  readonly #items = new Map<string, T>();
  // Every object's resourceVersion, also of those toItem kept nothing of.
  readonly #versions = new Map<string, string | undefined>();
  readonly #api: CustomObjectsApi;
  #servedVersion?: string;
  #stopped = false;
  #watchController?: AbortController;
  #wakeUp?: () => void;

  constructor(private readonly options: WatchedCollectionOptions<T, R>) {
    this.#api = options.kubeConfig.makeApiClient(CustomObjectsApi);
  }

  get status() {
    return this.#status;
  }

  /** Why the last list or watch failed, while the status is `error`. */
  get error() {
    return this.#error;
  }

  /** When the cluster last answered a list or sent a watch event. */
  get lastContactAt() {
    return this.#lastContactAt;
  }

  /** The version of the resource the cluster serves, once a list succeeded. */
  get servedVersion() {
    return this.#servedVersion;
  }

  get size() {
    return this.#items.size;
  }

  /** The item kept for an object, as last known. */
  get(name: string, namespace?: string): T | undefined {
    return this.#items.get(keyOf(name, namespace));
  }

  values(): IterableIterator<T> {
    return this.#items.values();
  }

  /** Starts reading; it goes on until {@link WatchedCollection.stop}. */
  start() {
    this.#run().catch(error =>
      this.options.logger.error('Stopped reading from cluster', {
        error: String(error),
      }),
    );
  }

  stop() {
    this.#stopped = true;
    this.#watchController?.abort();
    this.#wakeUp?.();
  }

  async #run() {
    let backoffMs = INITIAL_BACKOFF_MS;
    const resetBackoff = () => {
      backoffMs = INITIAL_BACKOFF_MS;
    };
    while (!this.#stopped) {
      try {
        const resourceVersion = await this.#list();
        await this.#watchUntilExpired(resourceVersion, resetBackoff);
      } catch (error) {
        if (this.#stopped) {
          return;
        }
        this.#fail(error);
        await this.#sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      }
    }
  }

  #sleep(ms: number) {
    return new Promise<void>(resolve => {
      const timer = setTimeout(resolve, ms);
      this.#wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  #fail(error: unknown) {
    const message = this.options.describeError(error);
    if (this.#status !== 'error' || this.#error !== message) {
      this.options.logger.warn('Cannot read from cluster; retrying', {
        error: message,
        known: this.#items.size,
      });
    }
    this.#status = 'error';
    this.#error = message;
  }

  #path(version: string) {
    const { group, plural, namespace } = this.options.resource;
    return namespace
      ? `/apis/${group}/${version}/namespaces/${encodeURIComponent(
          namespace,
        )}/${plural}`
      : `/apis/${group}/${version}/${plural}`;
  }

  /** One page of the list in the served version, finding that version on the first page. */
  async #listPage(continueToken: string | undefined) {
    const { group, versions, plural, namespace } = this.options.resource;
    const candidates = this.#servedVersion ? [this.#servedVersion] : versions;
    for (const [index, version] of candidates.entries()) {
      const request = {
        group,
        version,
        plural,
        limit: LIST_PAGE_SIZE,
        _continue: continueToken,
      };
      try {
        const page: {
          items?: R[];
          metadata?: { continue?: string; resourceVersion?: string };
        } = namespace
          ? await this.#api.listNamespacedCustomObject({
              ...request,
              namespace,
            })
          : await this.#api.listClusterCustomObject(request);
        this.#servedVersion = version;
        return page;
      } catch (error) {
        const last = index === candidates.length - 1;
        if ((error as { code?: unknown }).code !== 404 || last) {
          throw error;
        }
      }
    }
    throw new Error('no resource versions to list');
  }

  /** Lists every page, replaces the known objects, returns the list's resourceVersion. */
  async #list(): Promise<string> {
    const objects: R[] = [];
    let continueToken: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.#listPage(continueToken);
      objects.push(...(page.items ?? []));
      continueToken = page.metadata?.continue || undefined;
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
    } while (continueToken && !this.#stopped);

    let changed = false;
    const seen = new Set<string>();
    for (const object of objects) {
      const name = object?.metadata?.name;
      if (name) {
        seen.add(keyOf(name, object.metadata?.namespace));
        changed = this.#keep(object) || changed;
      }
    }
    for (const key of [...this.#versions.keys()]) {
      if (!seen.has(key)) {
        this.#forget(key);
        changed = true;
      }
    }
    if (this.#status !== 'ready') {
      this.options.logger.info('Listed from cluster', {
        version: this.#servedVersion,
        listed: objects.length,
        kept: this.#items.size,
      });
    }
    this.#status = 'ready';
    this.#error = undefined;
    this.#lastContactAt = new Date();
    if (changed) {
      this.options.onChange?.();
    }
    return resourceVersion;
  }

  /** Keeps an object unless its resourceVersion is already known; says whether it was new. */
  #keep(object: R): boolean {
    const key = keyOf(object.metadata!.name!, object.metadata?.namespace);
    const resourceVersion = object.metadata?.resourceVersion;
    if (
      this.#versions.has(key) &&
      this.#versions.get(key) === resourceVersion
    ) {
      return false;
    }
    this.#versions.set(key, resourceVersion);
    const item = this.options.toItem(
      object,
      `${this.options.resource.group}/${this.#servedVersion}`,
    );
    if (item === undefined) {
      this.#items.delete(key);
    } else {
      this.#items.set(key, item);
    }
    return true;
  }

  #forget(key: string): boolean {
    const item = this.#items.get(key);
    this.#items.delete(key);
    if (item !== undefined) {
      this.options.onForget?.(item);
    }
    return this.#versions.delete(key);
  }

  /** Watches until the server says the resourceVersion is too old (410); throws on errors. */
  async #watchUntilExpired(resourceVersion: string, onConnected: () => void) {
    let from = resourceVersion;
    while (!this.#stopped) {
      const startedAt = Date.now();
      const outcome = await this.#watchOnce(from, onConnected);
      if (outcome.expired) {
        this.options.logger.debug('Watch expired (410), listing again');
        return;
      }
      if (
        !outcome.sawEvents &&
        Date.now() - startedAt < MIN_WATCH_LIFETIME_MS
      ) {
        await this.#sleep(MIN_WATCH_LIFETIME_MS);
      }
      from = outcome.resourceVersion;
    }
  }

  #watchOnce(
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
        this.#watchController = undefined;
        // A stream that breaks after it was established (the server went away, a proxy cut
        // it) is resumed like one that ended; whether the cluster is reachable shows when the
        // next watch connects.
        if (failure || (error && !connected && !this.#stopped)) {
          reject(failure ?? error);
        } else {
          resolve({ expired, sawEvents, resourceVersion: latest });
        }
      };
      const onEvent = (type: string, object: any) => {
        sawEvents = true;
        this.#lastContactAt = new Date();
        if (type === 'ERROR') {
          if (object?.code === 410) {
            expired = true;
          } else {
            failure = new WatchStatusError(object ?? {});
          }
          this.#watchController?.abort();
          return;
        }
        latest = object?.metadata?.resourceVersion || latest;
        const name = object?.metadata?.name;
        if (!name) {
          return;
        }
        if (type === 'ADDED' || type === 'MODIFIED') {
          if (this.#keep(object)) {
            this.options.onChange?.();
          }
        } else if (type === 'DELETED') {
          if (this.#forget(keyOf(name, object.metadata.namespace))) {
            this.options.onChange?.();
          }
        }
      };
      new Watch(this.options.kubeConfig)
        .watch(
          this.#path(this.#servedVersion!),
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
          if (this.#stopped) {
            controller.abort();
            return;
          }
          this.#watchController = controller;
          connected = true;
          onConnected();
        }, done);
    });
  }
}

function keyOf(name: string, namespace: string | undefined) {
  return namespace ? `${namespace}/${name}` : name;
}
