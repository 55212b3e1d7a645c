import { LoggerService } from '@backstage/backend-plugin-api';
import { CustomObjectsApi, KubeConfig, Watch } from '@kubernetes/client-node';
import {
  OFFERED_LABEL,
  OfferingClusterState,
} from '@paved/plugin-crossplane-common';
import { KubernetesCluster } from '@paved/plugin-kubernetes-clusters-node';
import {
  OfferingDefinition,
  XrdResource,
  offeringFromXrd,
} from './offeringSchema';

const GROUP = 'apiextensions.crossplane.io';
const PLURAL = 'compositeresourcedefinitions';
// Crossplane 2 serves v2 beside v1; Crossplane 1 serves only v1.
const VERSIONS = ['v2', 'v1'];
const INITIAL_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30_000;
// The server ends a watch after this long; a new one resumes from the last resourceVersion.
const WATCH_TIMEOUT_SECONDS = 300;
// A watch that ends at once without events waits this long, so such a server is not hammered.
const MIN_WATCH_LIFETIME_MS = 1000;

const TLS_ERROR = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/;

/** A message for a person reading the cluster's state, naming the cluster. */
export function describeClusterError(
  error: unknown,
  cluster: KubernetesCluster,
): string {
  const e = error as {
    code?: unknown;
    message?: string;
    status?: { code?: number; message?: string };
  };
  const httpStatus = typeof e.code === 'number' ? e.code : e.status?.code;
  if (httpStatus === 401) {
    return `credentials rejected by cluster ${cluster.name} (401)`;
  }
  if (httpStatus === 403) {
    return `credentials of cluster ${cluster.name} may not list and watch ${PLURAL}.${GROUP} (403)`;
  }
  if (httpStatus === 404) {
    return `cluster ${cluster.name} does not serve ${PLURAL}.${GROUP} (404): is Crossplane installed there?`;
  }
  if (typeof httpStatus === 'number') {
    // ApiException's message is "HTTP-Code: …\nMessage: …\nBody: …"; the Message line says it.
    const detail =
      e.status?.message ?? e.message?.match(/^Message: (.*)$/m)?.[1] ?? '';
    return `cluster ${cluster.name} answered ${httpStatus}: ${detail}`;
  }
  const code = typeof e.code === 'string' ? e.code : undefined;
  const reason = e.message?.replace(/^request to \S+ failed, reason: /, '');
  if (code && TLS_ERROR.test(code)) {
    return `TLS verification of cluster ${cluster.name} at ${cluster.url} failed (${code}: ${reason}); check its caData or caFile`;
  }
  if (code) {
    return `cluster ${cluster.name} unreachable at ${cluster.url}: ${reason}`;
  }
  return `cluster ${cluster.name} at ${cluster.url}: ${
    reason ?? String(error)
  }`;
}

class WatchStatusError extends Error {
  constructor(readonly status: { code?: number; message?: string }) {
    super(status.message ?? 'watch failed');
  }
}

/**
 * The offered XRDs of one cluster, kept by list + watch of every XRD (an offering may lose its
 * label, so filtering happens here, not in a label selector). Relists on 410 Gone; on errors
 * keeps what it had, reports the error and retries with backoff.
 */
class ClusterOfferings {
  status: OfferingClusterState['status'] = 'loading';
  error?: string;
  lastContactAt?: Date;
  /** Offerings by XRD name. */
  readonly offerings = new Map<string, OfferingDefinition>();

  private readonly versions = new Map<string, string | undefined>();
  private readonly api: CustomObjectsApi;
  private servedVersion?: string;
  private stopped = false;
  private watchController?: AbortController;
  private wakeUp?: () => void;

  constructor(
    readonly cluster: KubernetesCluster,
    private readonly kubeConfig: KubeConfig,
    private readonly isOffered: (xrd: XrdResource) => boolean,
    private readonly logger: LoggerService,
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
        const message = describeClusterError(error, this.cluster);
        if (this.error !== message) {
          this.logger.warn('Cannot read offerings from cluster', {
            cluster: this.cluster.name,
            error: message,
            known: this.offerings.size,
          });
        }
        this.status = 'error';
        this.error = message;
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

  private sleep(ms: number) {
    return new Promise<void>(resolve => {
      const timer = setTimeout(resolve, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Lists every XRD in the newest version the cluster serves; returns the resourceVersion. */
  private async list(): Promise<string> {
    let page: {
      items?: XrdResource[];
      metadata?: { resourceVersion?: string };
    };
    for (const version of this.servedVersion
      ? [this.servedVersion]
      : VERSIONS) {
      try {
        page = await this.api.listClusterCustomObject({
          group: GROUP,
          version,
          plural: PLURAL,
        });
        this.servedVersion = version;
        break;
      } catch (error) {
        if ((error as { code?: unknown }).code !== 404 || version === 'v1') {
          throw error;
        }
      }
    }
    const seen = new Set<string>();
    for (const xrd of page!.items ?? []) {
      seen.add(xrd.metadata.name);
      this.upsert(xrd);
    }
    for (const name of [...this.versions.keys()]) {
      if (!seen.has(name)) {
        this.remove(name);
      }
    }
    this.status = 'ready';
    this.error = undefined;
    this.lastContactAt = new Date();
    this.logger.info('Read offerings from cluster', {
      cluster: this.cluster.name,
      version: this.servedVersion,
      xrds: seen.size,
      offered: this.offerings.size,
    });
    return page!.metadata?.resourceVersion ?? '';
  }

  private upsert(xrd: XrdResource) {
    const name = xrd.metadata?.name;
    if (!name) {
      return;
    }
    const resourceVersion = xrd.metadata.resourceVersion;
    if (
      this.versions.has(name) &&
      this.versions.get(name) === resourceVersion
    ) {
      return;
    }
    this.versions.set(name, resourceVersion);
    if (!this.isOffered(xrd)) {
      this.offerings.delete(name);
      return;
    }
    const result = offeringFromXrd({
      ...xrd,
      apiVersion: xrd.apiVersion ?? `${GROUP}/${this.servedVersion}`,
    });
    if ('reason' in result) {
      this.offerings.delete(name);
      this.logger.warn('XRD is marked as offered but cannot be offered', {
        cluster: this.cluster.name,
        xrd: name,
        reason: result.reason,
      });
      return;
    }
    this.offerings.set(name, result.offering);
  }

  private remove(name: string) {
    this.versions.delete(name);
    this.offerings.delete(name);
  }

  private async watchUntilExpired(from: string, onConnected: () => void) {
    let resourceVersion = from;
    while (!this.stopped) {
      const startedAt = Date.now();
      const outcome = await this.watchOnce(resourceVersion, onConnected);
      if (outcome.expired) {
        return;
      }
      if (
        !outcome.sawEvents &&
        Date.now() - startedAt < MIN_WATCH_LIFETIME_MS
      ) {
        await this.sleep(MIN_WATCH_LIFETIME_MS);
      }
      resourceVersion = outcome.resourceVersion;
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
        // A stream that breaks after it was established is resumed like one that ended.
        if (failure || (error && !connected && !this.stopped)) {
          reject(failure ?? error);
        } else {
          resolve({ expired, sawEvents, resourceVersion: latest });
        }
      };
      const onEvent = (type: string, object: any) => {
        sawEvents = true;
        this.lastContactAt = new Date();
        if (type === 'ERROR') {
          if (object?.code === 410) {
            expired = true;
          } else {
            failure = new WatchStatusError(object ?? {});
          }
          this.watchController?.abort();
          return;
        }
        latest = object?.metadata?.resourceVersion ?? latest;
        if (type === 'ADDED' || type === 'MODIFIED') {
          this.upsert(object);
        } else if (type === 'DELETED' && object?.metadata?.name) {
          this.remove(object.metadata.name);
        }
      };
      new Watch(this.kubeConfig)
        .watch(
          `/apis/${GROUP}/${this.servedVersion}/${PLURAL}`,
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
}

/** An offering on one cluster. */
export interface ClusterOffering {
  cluster: string;
  offering: OfferingDefinition;
}

/**
 * The offered XRDs of every configured cluster, kept current by list + watch. Reading from it
 * never calls Kubernetes; each replica keeps its own.
 */
export class OfferingCache {
  private readonly clusters: Array<{
    cluster: KubernetesCluster;
    offerings?: ClusterOfferings;
  }>;

  private readonly logger: LoggerService;

  constructor(
    clusters: KubernetesCluster[],
    options: { allow: string[]; logger: LoggerService },
  ) {
    this.logger = options.logger;
    const allow = new Set(options.allow);
    const isOffered = (xrd: XrdResource) =>
      xrd.metadata.labels?.[OFFERED_LABEL] === 'true' ||
      allow.has(xrd.metadata.name);
    this.clusters = clusters.map(cluster => ({
      cluster,
      offerings:
        'kubeConfig' in cluster.connection
          ? new ClusterOfferings(
              cluster,
              cluster.connection.kubeConfig,
              isOffered,
              options.logger,
            )
          : undefined,
    }));
  }

  start() {
    const logger = this.logger;
    for (const { cluster, offerings } of this.clusters) {
      if (!offerings) {
        logger.warn('Cluster is not readable', {
          cluster: cluster.name,
          error: (cluster.connection as { error: string }).error,
        });
        continue;
      }
      offerings.run().catch(error =>
        logger.error('Stopped reading offerings from cluster', {
          cluster: cluster.name,
          error: String(error),
        }),
      );
    }
  }

  stop() {
    this.clusters.forEach(({ offerings }) => offerings?.stop());
  }

  /** Each cluster's state, in configured order. */
  clusterStates(): OfferingClusterState[] {
    return this.clusters.map(({ cluster, offerings }) => {
      const base = { name: cluster.name, title: cluster.title };
      if (!offerings) {
        const { error } = cluster.connection as { error: string };
        return { ...base, status: 'error', error };
      }
      return {
        ...base,
        status: offerings.status,
        ...(offerings.error ? { error: offerings.error } : {}),
        ...(offerings.lastContactAt
          ? { lastContactAt: offerings.lastContactAt.toISOString() }
          : {}),
      };
    });
  }

  /** Every offering last known on every cluster, in configured cluster order. */
  offerings(): ClusterOffering[] {
    return this.clusters.flatMap(({ cluster, offerings }) =>
      [...(offerings?.offerings.values() ?? [])].map(offering => ({
        cluster: cluster.name,
        offering,
      })),
    );
  }
}
