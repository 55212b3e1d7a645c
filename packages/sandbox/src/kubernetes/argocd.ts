/*
 * A stand-in for Argo CD's application controller, reduced to what a portal
 * shows: which revision an Application's source resolves to, whether that
 * revision is deployed (sync status), health, the last sync operation, the
 * deployment history, syncs requested through the Application's
 * `operation` field (as `argocd app sync` asks), the managed resources with
 * their sync and health (`status.resources`) and the images they run
 * (`status.summary.images`).
 * With a manifest reader, a sync applies the source's manifests to this
 * cluster (every destination is this cluster); without one nothing is
 * applied and the managed resources are the live objects carrying the
 * tracking label.
 */
import { DelayedActions } from './delayedActions';
import { createHash } from 'node:crypto';
import { isForced } from './crossplane';
import { LocalClient, ObjectRef, timestamp, tolerateGone } from './localClient';
import {
  Manifest,
  RenderedSource,
  RepositoryFiles,
  renderManifests,
} from './manifests';
import { Health, healthOf, worstHealth } from './resourceHealth';
import { ResourceType, apiVersionOf, typeKey } from './resources';
import { isObject } from './schema';
import { StatusError } from './status';
import { KubeObject, ObjectStore, StoreEvent } from './store';

/**
 * Resolves an Application source to a commit SHA, as Argo CD's repo server
 * does with `git ls-remote`; undefined when it cannot.
 */
export type RevisionResolver = (
  repoURL: string,
  targetRevision: string,
  path: string,
) => Promise<string | undefined>;

/**
 * Reads a repository at a commit as Argo CD's repo server checks it out,
 * for an Application source at `path`: its manifest files (YAML, JSON,
 * `Kustomization`) keyed by their path from the repository root, at least
 * those under `path` and under every folder the kustomizations there build,
 * which may lie outside it (`unreadBases` in ./manifests names folders
 * still missing); undefined when it cannot.
 */
export type ManifestReader = (
  repoURL: string,
  revision: string,
  path: string,
) => Promise<RepositoryFiles | undefined>;

export interface ArgoCdControllerOptions {
  delayMs: number;
  resolveRevision?: RevisionResolver;
  /** Without it, nothing is applied on sync. */
  readManifests?: ManifestReader;
  /** How often every Application's source is resolved again, to notice new commits. */
  pollIntervalMs: number;
}

const GROUP = 'argoproj.io';
const PLURAL = 'applications';
/** Argo CD's default `revisionHistoryLimit`. */
const HISTORY_LIMIT = 10;
/** Argo CD's default resource tracking: this label, set to the Application's name, on every object it applies. */
export const TRACKING_LABEL = 'app.kubernetes.io/instance';
/** Types that are never managed resources: records and derived data. */
const UNTRACKED = new Set(['/events', 'metrics.k8s.io/pods']);
/** Where Argo CD's resource tree finds the children of managed resources: ReplicaSets, Jobs and the Pods whose images it reports. */
const CHILD_TYPES = [
  { group: 'apps', plural: 'replicasets' },
  { group: '', plural: 'pods' },
  { group: 'batch', plural: 'jobs' },
];

interface Source extends RenderedSource {
  repoURL?: string;
  targetRevision?: string;
  path?: string;
  chart?: string;
}

/** One entry of `status.resources`, as Argo CD's ResourceStatus serialises. */
interface ResourceStatus {
  group?: string;
  version: string;
  kind: string;
  namespace?: string;
  name: string;
  status: 'Synced' | 'OutOfSync';
  health?: Health;
  requiresPruning?: boolean;
}

/** The result of rendering a source at a revision: manifests, or why there are none. */
interface Target {
  revision: string;
  manifests?: Manifest[];
  sourceType?: string;
  error?: string;
}

/** A managed resource: what Git wants (if known) and what the cluster has (if anything). */
interface Managed {
  type?: ResourceType;
  group: string;
  version: string;
  kind: string;
  namespace?: string;
  name: string;
  desired?: Manifest;
  live?: KubeObject;
}

/** True when every field `want` sets has the same value in `have`: fields the apiserver or controllers add are no difference. */
function isSubset(want: unknown, have: unknown): boolean {
  if (want === undefined) {
    return true;
  }
  if (Array.isArray(want)) {
    return (
      Array.isArray(have) &&
      want.length === have.length &&
      want.every((item, i) => isSubset(item, have[i]))
    );
  }
  if (isObject(want)) {
    return (
      isObject(have) &&
      Object.entries(want).every(([key, value]) => isSubset(value, have[key]))
    );
  }
  return want === have || (want !== null && String(want) === String(have));
}

/** The parts of a desired object that count for sync: everything but status and system metadata. */
function comparable(object: Record<string, any>) {
  const { status: _status, metadata, ...rest } = object;
  return {
    ...rest,
    metadata: { labels: metadata?.labels, annotations: metadata?.annotations },
  };
}

function withoutUndefined<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}

/** The images a Pod runs; Argo CD's resource tree records images for Pods only, so templates of idle ReplicaSets do not count. */
function podImages(object: KubeObject): string[] {
  if (object.kind !== 'Pod' || !isObject(object.spec)) {
    return [];
  }
  const spec: Record<string, any> = object.spec;
  return [...(spec.containers ?? []), ...(spec.initContainers ?? [])]
    .map((container: { image?: unknown }) => container.image)
    .filter((image: unknown): image is string => typeof image === 'string');
}

interface HistoryEntry {
  id: number;
  revision: string;
  deployedAt: string;
  deployStartedAt: string;
  source: Source;
}

/** A stable stand-in for a commit SHA when no resolver is given: the same source always "resolves" to the same commit. */
function fakeRevision(repoURL: string, targetRevision: string, path: string) {
  return createHash('sha1')
    .update(`${repoURL}\n${targetRevision}\n${path}`)
    .digest('hex');
}

function sourceOf(app: KubeObject): Source {
  const spec = isObject(app.spec) ? app.spec : {};
  if (isObject(spec.source)) {
    return spec.source as Source;
  }
  return Array.isArray(spec.sources) && isObject(spec.sources[0])
    ? (spec.sources[0] as Source)
    : {};
}

/** A sync someone asked for through the Application's `operation` field, as `argocd app sync` does. */
interface SyncOperation {
  /** `prune`, as `argocd app sync --prune` sets it, deletes tracked objects Git no longer has. */
  sync: { revision?: string; prune?: boolean };
  initiatedBy?: { username?: string; automated?: boolean };
}

function requestedSync(app: KubeObject): SyncOperation | undefined {
  const operation = (app as { operation?: unknown }).operation;
  return isObject(operation) && isObject(operation.sync)
    ? (operation as unknown as SyncOperation)
    : undefined;
}

/** Who started a sync: whoever requested it, else automation or (for the stand-in's first sync of a manual Application) an admin. */
function initiatorOf(app: KubeObject, requested: SyncOperation | undefined) {
  if (requested) {
    return requested.initiatedBy ?? { username: 'admin' };
  }
  return isAutomated(app) ? { automated: true } : { username: 'admin' };
}

function statusOf(app: KubeObject): Record<string, any> {
  return isObject(app.status) ? app.status : {};
}

function automatedPolicy(app: KubeObject): Record<string, unknown> | undefined {
  const spec = app.spec as { syncPolicy?: { automated?: unknown } };
  const automated = spec.syncPolicy?.automated;
  return isObject(automated) && automated.enabled !== false
    ? automated
    : undefined;
}

function isAutomated(app: KubeObject): boolean {
  return automatedPolicy(app) !== undefined;
}

/** Automated sync with `selfHeal` also syncs when the live objects drift from Git. */
function isSelfHealing(app: KubeObject): boolean {
  return automatedPolicy(app)?.selfHeal === true;
}

/** Automated sync with `prune` deletes tracked objects Git no longer has. */
function isPruning(app: KubeObject): boolean {
  return automatedPolicy(app)?.prune === true;
}

/** Whether a sync prunes: a requested one when it says so, an automated one when its policy does. */
function prunesOnSync(app: KubeObject, requested: SyncOperation | undefined) {
  return requested ? requested.sync.prune === true : isPruning(app);
}

/**
 * A merge patch that makes `current` equal `desired` rather than a merge of
 * both: keys `desired` lacks are nulled, so a forced health message, say,
 * does not linger after the controller takes over again.
 */
function replacing(current: unknown, desired: unknown): any {
  if (!isObject(desired) || !isObject(current)) {
    return desired;
  }
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(current)) {
    if (!(key in desired)) {
      patch[key] = null;
    }
  }
  for (const [key, value] of Object.entries(desired)) {
    patch[key] = replacing(current[key], value);
  }
  return patch;
}

/** Sets the given status fields, each replaced as a whole, and leaves the others alone. */
function statusPatch(
  status: Record<string, unknown>,
  fields: Record<string, unknown>,
) {
  return Object.fromEntries(
    Object.entries(fields).map(([field, value]) => [
      field,
      replacing(status[field], value),
    ]),
  );
}

export class ArgoCdController {
  private readonly delayed = new DelayedActions();
  /** The revision each Application's source last resolved to, by `namespace/name`, with the source it was resolved for. */
  private readonly resolved = new Map<
    string,
    { source: string; revision: string }
  >();
  /** The rendered manifests of each Application's source at its last resolved revision. */
  private readonly targets = new Map<string, Target & { source: string }>();
  /** The revision whose sync failed, per Application: automated sync does not retry it, as in Argo CD without a retry policy. */
  private readonly failed = new Map<string, string>();
  private readonly running = new Set<string>();
  private readonly rerun = new Set<string>();
  private readonly syncing = new Set<string>();
  private unsubscribe = () => {};
  private poller?: NodeJS.Timeout;

  constructor(
    private readonly client: LocalClient,
    private readonly store: ObjectStore,
    private readonly options: ArgoCdControllerOptions,
  ) {}

  start(): void {
    this.unsubscribe = this.store.subscribeAll(event => this.onEvent(event));
    for (const app of this.client.list(GROUP, PLURAL)) {
      this.enqueue(app);
    }
    this.poller = setInterval(() => this.poll(), this.options.pollIntervalMs);
  }

  stop(): void {
    this.unsubscribe();
    clearInterval(this.poller);
    this.delayed.cancelAll();
  }

  private onEvent(event: StoreEvent) {
    if (event.resource !== typeKey(GROUP, PLURAL)) {
      this.onManagedResourceEvent(event);
      return;
    }
    if (event.type === 'DELETED') {
      const key = this.keyOf(event.object);
      this.resolved.delete(key);
      this.targets.delete(key);
      this.failed.delete(key);
      return;
    }
    this.enqueue(event.object);
  }

  /** A change to an object carrying the tracking label makes its Application look again, as Argo CD's watch of the cluster does. */
  private onManagedResourceEvent(event: StoreEvent) {
    const names = new Set(
      [event.object, event.previous]
        .map(object => object?.metadata.labels?.[TRACKING_LABEL])
        .filter((name): name is string => Boolean(name)),
    );
    if (names.size === 0) {
      return;
    }
    for (const app of this.client.list(GROUP, PLURAL)) {
      if (names.has(app.metadata.name)) {
        this.enqueue(app);
      }
    }
  }

  private keyOf(app: KubeObject) {
    return `${app.metadata.namespace}/${app.metadata.name}`;
  }

  private refOf(key: string): ObjectRef {
    const [namespace, name] = key.split('/');
    return { group: GROUP, plural: PLURAL, namespace, name };
  }

  /** Re-resolves every source, as Argo CD's periodic refresh does. */
  private poll() {
    for (const app of this.client.list(GROUP, PLURAL)) {
      this.resolved.delete(this.keyOf(app));
      this.enqueue(app);
    }
  }

  /** One reconcile per Application at a time; events during one cause another after it. */
  private enqueue(app: KubeObject) {
    const key = this.keyOf(app);
    if (this.running.has(key)) {
      this.rerun.add(key);
      return;
    }
    this.running.add(key);
    this.delayed.later(0, () => {
      this.reconcile(key).finally(() => {
        this.running.delete(key);
        if (this.rerun.delete(key)) {
          const current = this.client.get(this.refOf(key));
          if (current) {
            this.enqueue(current);
          }
        }
      });
    });
  }

  private async revisionFor(app: KubeObject): Promise<string | undefined> {
    const key = this.keyOf(app);
    const source = sourceOf(app);
    const sourceKey = JSON.stringify(source);
    const cached = this.resolved.get(key);
    if (cached?.source === sourceKey) {
      return cached.revision;
    }
    const repoURL = source.repoURL ?? '';
    const targetRevision = source.targetRevision || 'HEAD';
    const path = source.path ?? source.chart ?? '';
    const revision = this.options.resolveRevision
      ? await this.options.resolveRevision(repoURL, targetRevision, path)
      : fakeRevision(repoURL, targetRevision, path);
    if (revision) {
      this.resolved.set(key, { source: sourceKey, revision });
    }
    return revision;
  }

  /** The source's manifests at `revision`, read and rendered once per source and revision. */
  private async targetFor(app: KubeObject, revision: string): Promise<Target> {
    const { readManifests } = this.options;
    if (!readManifests) {
      return { revision };
    }
    const key = this.keyOf(app);
    const source = sourceOf(app);
    const sourceKey = JSON.stringify(source);
    const cached = this.targets.get(key);
    if (cached?.source === sourceKey && cached.revision === revision) {
      return cached;
    }
    const path = source.path ?? '';
    let target: Target;
    try {
      const files = await readManifests(source.repoURL ?? '', revision, path);
      target = files
        ? { revision, ...renderManifests(files, path, source) }
        : {
            revision,
            error: `unable to read path "${path}" at revision ${revision}`,
          };
    } catch (error) {
      target = { revision, error: (error as Error).message };
    }
    this.targets.set(key, { ...target, source: sourceKey });
    return target;
  }

  private async reconcile(key: string) {
    const ref = this.refOf(key);
    const before = this.client.get(ref);
    if (!before || isForced(before) || before.metadata.deletionTimestamp) {
      return;
    }
    const revision = await this.revisionFor(before);
    const target = revision
      ? await this.targetFor(before, revision)
      : undefined;
    // The resolver may have taken a while; decide on the Application as it is now.
    const app = this.client.get(ref);
    if (!app || isForced(app) || app.metadata.deletionTimestamp) {
      return;
    }
    const status = statusOf(app);
    const history = (status.history ?? []) as HistoryEntry[];
    const deployed = history[history.length - 1]?.revision;
    const operation = requestedSync(app);
    if (!revision || !target || target.error) {
      this.writeStatus(ref, app, {
        sync: {
          status: 'Unknown',
          ...(revision ? { revision } : {}),
          comparedTo: this.comparedTo(app),
        },
        conditions: [
          {
            type: 'ComparisonError',
            message: revision
              ? `Failed to load target state: failed to generate manifest for source 1 of 1: ${target?.error}`
              : `Failed to load target state: unable to resolve '${
                  sourceOf(app).targetRevision || 'HEAD'
                }' to a commit SHA`,
          },
        ],
      });
      // A requested sync still runs, and fails, so whoever asked sees why.
      if (operation) {
        this.syncLater(key, revision, operation);
      }
      return;
    }
    const observed = this.observe(app, target.manifests);
    const drifted = observed.resources.some(r => r.status === 'OutOfSync');
    if (deployed === revision && !drifted) {
      this.writeStatus(ref, app, {
        sync: {
          status: 'Synced',
          revision,
          comparedTo: this.comparedTo(app),
        },
        health: observed.health ?? { status: 'Healthy' },
        conditions: null,
        resources: observed.resources.length ? observed.resources : null,
        summary: observed.summary,
      });
      // A requested sync of what is already deployed still runs and is recorded, as in Argo CD.
      if (operation) {
        this.syncLater(key, revision, operation);
      }
      return;
    }
    this.writeStatus(ref, app, {
      sync: {
        status: 'OutOfSync',
        revision,
        comparedTo: this.comparedTo(app),
      },
      // Never deployed means nothing exists yet, which Argo CD reports as Missing.
      health: observed.health ?? { status: deployed ? 'Healthy' : 'Missing' },
      conditions: null,
      resources: observed.resources.length ? observed.resources : null,
      summary: observed.summary,
    });
    const toApply = observed.resources.some(
      r => r.status === 'OutOfSync' && !r.requiresPruning,
    );
    const toPrune = observed.unpruned > 0;
    // Argo CD syncs a new Application once on creation here only when automated; the stand-in deploys every new Application once so it starts out looking deployed.
    // An automated sync that could only prune is skipped when its policy does not prune, as Argo CD does.
    const wanted =
      !deployed ||
      (deployed !== revision
        ? isAutomated(app) && (toApply || !toPrune || isPruning(app))
        : isSelfHealing(app) && (toApply || (toPrune && isPruning(app))));
    if (operation) {
      this.syncLater(key, revision, operation);
    } else if (wanted && this.failed.get(key) !== revision) {
      this.syncLater(key, revision);
    }
  }

  private comparedTo(app: KubeObject) {
    const spec = app.spec as Record<string, unknown>;
    return { source: sourceOf(app), destination: spec.destination };
  }

  /** The destination namespace, where manifests without a namespace go. */
  private destinationNamespace(app: KubeObject): string | undefined {
    const spec = app.spec as { destination?: { namespace?: string } };
    return spec.destination?.namespace || undefined;
  }

  /** Live objects that carry the Application's tracking label and were not made by a controller. */
  private trackedLive(app: KubeObject): KubeObject[] {
    return this.client
      .servedTypes()
      .filter(type => !UNTRACKED.has(typeKey(type.group, type.plural)))
      .flatMap(type => this.client.list(type.group, type.plural))
      .filter(
        object =>
          object.metadata.labels?.[TRACKING_LABEL] === app.metadata.name &&
          !(object.metadata.ownerReferences as unknown[] | undefined)?.length,
      );
  }

  /** What Git wants paired with what the cluster has, as Argo CD's comparison sees them. */
  private managedResources(
    app: KubeObject,
    manifests: Manifest[] | undefined,
  ): Managed[] {
    const byKey = new Map<string, Managed>();
    const keyOf = (m: Omit<Managed, 'version'>) =>
      [m.group, m.kind, m.namespace ?? '', m.name].join('/');
    for (const manifest of manifests ?? []) {
      const type = this.client.typeOf(manifest.apiVersion, manifest.kind);
      const [group, version] = manifest.apiVersion.includes('/')
        ? manifest.apiVersion.split('/')
        : ['', manifest.apiVersion];
      const namespace =
        type && !type.namespaced
          ? undefined
          : manifest.metadata.namespace ?? this.destinationNamespace(app);
      const desired: Manifest = {
        ...manifest,
        metadata: {
          ...manifest.metadata,
          ...(namespace ? { namespace } : {}),
          labels: {
            ...manifest.metadata.labels,
            [TRACKING_LABEL]: app.metadata.name,
          },
        },
      };
      const live = type
        ? this.client.get({
            group: type.group,
            plural: type.plural,
            namespace,
            name: manifest.metadata.name,
          })
        : undefined;
      const managed = {
        type,
        group,
        version,
        kind: manifest.kind,
        namespace,
        name: manifest.metadata.name,
        desired,
        live,
      };
      byKey.set(keyOf(managed), managed);
    }
    for (const live of this.trackedLive(app)) {
      const [group, version] = live.apiVersion.includes('/')
        ? live.apiVersion.split('/')
        : ['', live.apiVersion];
      const managed = {
        type: this.client.typeOf(live.apiVersion, live.kind),
        group,
        version,
        kind: live.kind,
        namespace: live.metadata.namespace,
        name: live.metadata.name,
        live,
      };
      if (!byKey.has(keyOf(managed))) {
        byKey.set(keyOf(managed), managed);
      }
    }
    return [...byKey.values()].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
  }

  /**
   * `status.resources`, the Application's health from them and
   * `status.summary`. Without manifests, the tracked live objects are what
   * Git wants, so they count as Synced.
   */
  private observe(app: KubeObject, manifests: Manifest[] | undefined) {
    const managed = this.managedResources(app, manifests);
    const resources: ResourceStatus[] = managed.map(m => {
      const inSync = manifests
        ? Boolean(
            m.desired && m.live && isSubset(comparable(m.desired), m.live),
          )
        : true;
      const health = m.live
        ? healthOf(m.group, m.live)
        : { status: 'Missing' as const };
      return withoutUndefined({
        ...(m.group ? { group: m.group } : {}),
        version: m.version,
        kind: m.kind,
        namespace: m.namespace,
        name: m.name,
        status: inSync ? 'Synced' : 'OutOfSync',
        ...(health ? { health } : {}),
        ...(manifests && !m.desired ? { requiresPruning: true } : {}),
      });
    });
    const images = new Set<string>();
    for (const live of managed.flatMap(m => (m.live ? [m.live] : []))) {
      for (const object of [live, ...this.descendants(live)]) {
        podImages(object).forEach(image => images.add(image));
      }
    }
    return {
      resources,
      /** Tracked objects Git no longer has that are not being deleted yet. */
      unpruned: manifests
        ? managed.filter(
            m => !m.desired && m.live && !m.live.metadata.deletionTimestamp,
          ).length
        : 0,
      health: worstHealth(
        resources.flatMap(r => (r.health ? [{ status: r.health.status }] : [])),
      ),
      summary: images.size ? { images: [...images].sort() } : {},
    };
  }

  /** The objects owned, directly or through others, by `owner`: a Deployment's ReplicaSets and their Pods. */
  private descendants(owner: KubeObject): KubeObject[] {
    const children = CHILD_TYPES.flatMap(type =>
      this.client.list(type.group, type.plural, owner.metadata.namespace),
    ).filter(object =>
      ((object.metadata.ownerReferences ?? []) as Array<{ uid: string }>).some(
        ref => ref.uid === owner.metadata.uid,
      ),
    );
    return children.flatMap(child => [child, ...this.descendants(child)]);
  }

  /** Writes the status fields if they differ from what is there, stamping reconciledAt. */
  private writeStatus(
    ref: ObjectRef,
    app: KubeObject,
    fields: Record<string, unknown>,
  ) {
    const status = statusOf(app);
    const differs = Object.entries(fields).some(
      ([field, value]) =>
        JSON.stringify(status[field] ?? null) !== JSON.stringify(value),
    );
    if (differs) {
      tolerateGone(() =>
        this.client.mergePatch(ref, {
          status: {
            ...statusPatch(status, fields),
            reconciledAt: timestamp(),
          },
        }),
      );
    }
  }

  /**
   * Applies the manifests as `kubectl apply` would, creating what is
   * missing and updating what differs, and deletes tracked objects Git no
   * longer has when `prune`, else reports them skipped. Returns the sync
   * result entries, or the first failure's message.
   */
  private apply(
    app: KubeObject,
    manifests: Manifest[],
    prune: boolean,
  ): { results: Record<string, unknown>[]; error?: string } {
    const results: Record<string, unknown>[] = [];
    const syncOptions = (
      app.spec as { syncPolicy?: { syncOptions?: string[] } }
    ).syncPolicy?.syncOptions;
    const createNamespace = syncOptions?.includes('CreateNamespace=true');
    try {
      for (const managed of this.managedResources(app, manifests)) {
        const { type, desired, live, namespace, name, kind } = managed;
        const result = {
          ...(managed.group ? { group: managed.group } : {}),
          version: managed.version,
          kind,
          ...(namespace ? { namespace } : {}),
          name,
          status: 'Synced',
          hookPhase: 'Running',
          syncPhase: 'Sync',
        };
        const resourceName = `${kind.toLowerCase()}${
          managed.group ? `.${managed.group}` : ''
        }/${name}`;
        if (!desired) {
          // An object already being deleted (waiting on its finalizers) was pruned before.
          if (!type || !live || live.metadata.deletionTimestamp) {
            continue;
          }
          if (prune) {
            this.client.delete({
              group: type.group,
              plural: type.plural,
              namespace,
              name,
            });
            results.push({ ...result, status: 'Pruned', message: 'pruned' });
          } else {
            results.push({
              ...result,
              status: 'PruneSkipped',
              message: 'ignored (requires pruning)',
            });
          }
          continue;
        }
        if (!type) {
          return {
            results,
            error: `The Kubernetes API could not find ${apiVersionOf(
              managed.group,
              managed.version,
            )}/${kind} for requested resource ${
              namespace ? `${namespace}/` : ''
            }${name}. Make sure the "${kind}" CRD is installed on the destination cluster.`,
          };
        }
        const ref = { group: type.group, plural: type.plural, namespace, name };
        if (
          namespace &&
          createNamespace &&
          !this.client.get({ group: '', plural: 'namespaces', name: namespace })
        ) {
          this.client.create(
            { group: '', plural: 'namespaces' },
            { metadata: { name: namespace } },
          );
        }
        const { status: _status, ...body } = desired;
        if (!live) {
          this.client.create(ref, body);
          results.push({ ...result, message: `${resourceName} created` });
        } else if (!isSubset(comparable(desired), live)) {
          this.client.mergePatch(ref, body);
          results.push({ ...result, message: `${resourceName} configured` });
        } else {
          results.push({ ...result, message: `${resourceName} unchanged` });
        }
      }
    } catch (error) {
      if (error instanceof StatusError) {
        return { results, error: error.message };
      }
      throw error;
    }
    return { results };
  }

  /**
   * After the configured delay, a sync operation that applies `revision`
   * (or the requested operation's) and records it. One at a time per
   * Application: a requested operation that arrives meanwhile stays in
   * `operation` and runs after it.
   */
  private syncLater(
    key: string,
    revision: string | undefined,
    requested?: SyncOperation,
  ) {
    if (this.syncing.has(key)) {
      return;
    }
    this.syncing.add(key);
    const startedAt = timestamp();
    this.delayed.later(this.options.delayMs, async () => {
      try {
        await this.sync(key, revision, startedAt, requested);
      } finally {
        this.syncing.delete(key);
      }
    });
  }

  /** The commit a sync deploys: the requested operation's revision, resolved, or the source's newest one. */
  private async syncRevision(
    app: KubeObject,
    revision: string | undefined,
    requested: SyncOperation | undefined,
  ): Promise<string | undefined> {
    const source = sourceOf(app);
    const wanted = requested?.sync.revision;
    if (!wanted) {
      // A poll during the delay may have found a newer commit of the same source.
      const cached = this.resolved.get(this.keyOf(app));
      return cached?.source === JSON.stringify(source)
        ? cached.revision
        : revision;
    }
    const repoURL = source.repoURL ?? '';
    const path = source.path ?? source.chart ?? '';
    return this.options.resolveRevision
      ? this.options.resolveRevision(repoURL, wanted, path)
      : fakeRevision(repoURL, wanted, path);
  }

  private async sync(
    key: string,
    revision: string | undefined,
    startedAt: string,
    requested?: SyncOperation,
  ) {
    const ref = this.refOf(key);
    const before = this.client.get(ref);
    if (!before || isForced(before) || before.metadata.deletionTimestamp) {
      return;
    }
    const current = await this.syncRevision(before, revision, requested);
    const target: Target = current
      ? await this.targetFor(before, current)
      : {
          revision: '',
          error: `unable to resolve '${
            requested?.sync.revision ??
            sourceOf(before).targetRevision ??
            'HEAD'
          }' to a commit SHA`,
        };
    const app = this.client.get(ref);
    if (!app || isForced(app) || app.metadata.deletionTimestamp) {
      return;
    }
    const source = sourceOf(app);
    const revisionField = current ? { revision: current } : {};
    const prune = prunesOnSync(app, requested);
    const operation = {
      sync: { ...revisionField, ...(prune ? { prune } : {}) },
      initiatedBy: initiatorOf(app, requested),
    };
    // A requested operation is consumed when it finishes, whatever the outcome.
    const consumed = requested ? { operation: null } : {};
    const applied = target.manifests
      ? this.apply(app, target.manifests, prune)
      : { results: [] };
    const status = statusOf(app);
    const finishedAt = timestamp();
    const syncResult = {
      ...revisionField,
      source,
      ...(applied.results.length ? { resources: applied.results } : {}),
    };
    if (!current || target.error || applied.error) {
      if (current) {
        this.failed.set(key, current);
      }
      tolerateGone(() =>
        this.client.mergePatch(ref, {
          ...consumed,
          status: statusPatch(status, {
            operationState: {
              operation,
              phase: 'Failed',
              message: `one or more objects failed to apply, reason: ${
                target.error ?? applied.error
              }`,
              startedAt,
              finishedAt,
              syncResult,
            },
            reconciledAt: finishedAt,
          }),
        }),
      );
      return;
    }
    this.failed.delete(key);
    const history = (status.history ?? []) as HistoryEntry[];
    const entry: HistoryEntry = {
      id: history.length ? history[history.length - 1].id + 1 : 0,
      revision: current,
      deployedAt: finishedAt,
      deployStartedAt: startedAt,
      source,
    };
    const observed = this.observe(app, target.manifests);
    // A sync that left objects Git no longer has (or that are still going) leaves the Application OutOfSync.
    const leftOver = observed.resources.some(r => r.status === 'OutOfSync');
    tolerateGone(() =>
      this.client.mergePatch(ref, {
        ...consumed,
        status: statusPatch(status, {
          sync: {
            status: leftOver ? 'OutOfSync' : 'Synced',
            revision: current,
            comparedTo: this.comparedTo(app),
          },
          health: observed.health ?? { status: 'Healthy' },
          operationState: {
            operation,
            phase: 'Succeeded',
            message: 'successfully synced (all tasks run)',
            startedAt,
            finishedAt,
            syncResult,
          },
          history: [...history, entry].slice(-HISTORY_LIMIT),
          reconciledAt: finishedAt,
          sourceType:
            target.sourceType ?? (source.chart ? 'Helm' : 'Directory'),
          resources: observed.resources.length ? observed.resources : null,
          summary: observed.summary,
        }),
      }),
    );
  }
}
