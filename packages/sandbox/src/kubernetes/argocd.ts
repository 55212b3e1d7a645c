/*
 * A stand-in for Argo CD's application controller, reduced to what a portal
 * shows: which revision an Application's source resolves to, whether that
 * revision is deployed (sync status), health, the last sync operation and
 * the deployment history. Nothing is deployed anywhere.
 */
import { createHash } from 'node:crypto';
import { isForced } from './crossplane';
import { LocalClient, ObjectRef, timestamp, tolerateGone } from './localClient';
import { typeKey } from './resources';
import { isObject } from './schema';
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

export interface ArgoCdControllerOptions {
  delayMs: number;
  resolveRevision?: RevisionResolver;
  /** How often every Application's source is resolved again, to notice new commits. */
  pollIntervalMs: number;
}

const GROUP = 'argoproj.io';
const PLURAL = 'applications';
/** Argo CD's default `revisionHistoryLimit`. */
const HISTORY_LIMIT = 10;

interface Source {
  repoURL?: string;
  targetRevision?: string;
  path?: string;
  chart?: string;
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

function statusOf(app: KubeObject): Record<string, any> {
  return isObject(app.status) ? app.status : {};
}

function isAutomated(app: KubeObject): boolean {
  const spec = app.spec as { syncPolicy?: { automated?: unknown } };
  return isObject(spec.syncPolicy?.automated);
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
  private readonly timers = new Set<NodeJS.Timeout>();
  /** The revision each Application's source last resolved to, by `namespace/name`, with the source it was resolved for. */
  private readonly resolved = new Map<
    string,
    { source: string; revision: string }
  >();
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
    this.timers.forEach(timer => clearTimeout(timer));
    this.timers.clear();
  }

  private onEvent(event: StoreEvent) {
    if (event.resource !== typeKey(GROUP, PLURAL)) {
      return;
    }
    if (event.type === 'DELETED') {
      this.resolved.delete(this.keyOf(event.object));
      return;
    }
    this.enqueue(event.object);
  }

  private keyOf(app: KubeObject) {
    return `${app.metadata.namespace}/${app.metadata.name}`;
  }

  private refOf(key: string): ObjectRef {
    const [namespace, name] = key.split('/');
    return { group: GROUP, plural: PLURAL, namespace, name };
  }

  private later(delayMs: number, action: () => void) {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, delayMs);
    this.timers.add(timer);
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
    this.later(0, () => {
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

  private async reconcile(key: string) {
    const ref = this.refOf(key);
    const before = this.client.get(ref);
    if (!before || isForced(before) || before.metadata.deletionTimestamp) {
      return;
    }
    const revision = await this.revisionFor(before);
    // The resolver may have taken a while; decide on the Application as it is now.
    const app = this.client.get(ref);
    if (!app || isForced(app) || app.metadata.deletionTimestamp) {
      return;
    }
    const status = statusOf(app);
    const history = (status.history ?? []) as HistoryEntry[];
    const deployed = history[history.length - 1]?.revision;
    if (!revision) {
      this.writeStatus(ref, app, {
        sync: { status: 'Unknown', comparedTo: this.comparedTo(app) },
        conditions: [
          {
            type: 'ComparisonError',
            message: `Failed to load target state: unable to resolve '${
              sourceOf(app).targetRevision || 'HEAD'
            }' to a commit SHA`,
          },
        ],
      });
      return;
    }
    if (deployed === revision) {
      this.writeStatus(ref, app, {
        sync: {
          status: 'Synced',
          revision,
          comparedTo: this.comparedTo(app),
        },
        health: { status: 'Healthy' },
        conditions: null,
      });
      return;
    }
    this.writeStatus(ref, app, {
      sync: {
        status: 'OutOfSync',
        revision,
        comparedTo: this.comparedTo(app),
      },
      // Never deployed means nothing exists yet, which Argo CD reports as Missing.
      health: { status: deployed ? 'Healthy' : 'Missing' },
      conditions: null,
    });
    // Argo CD syncs a new Application once on creation here only when automated; the stand-in deploys every new Application once so it starts out looking deployed.
    if (!deployed || isAutomated(app)) {
      this.syncLater(key, revision);
    }
  }

  private comparedTo(app: KubeObject) {
    const spec = app.spec as Record<string, unknown>;
    return { source: sourceOf(app), destination: spec.destination };
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

  /** After the configured delay, a sync operation that succeeds and deploys `revision`. */
  private syncLater(key: string, revision: string) {
    if (this.syncing.has(key)) {
      return;
    }
    this.syncing.add(key);
    const startedAt = timestamp();
    this.later(this.options.delayMs, () => {
      this.syncing.delete(key);
      const ref = this.refOf(key);
      const app = this.client.get(ref);
      if (!app || isForced(app) || app.metadata.deletionTimestamp) {
        return;
      }
      const current = this.resolved.get(key)?.revision ?? revision;
      const status = statusOf(app);
      const history = (status.history ?? []) as HistoryEntry[];
      const finishedAt = timestamp();
      const source = sourceOf(app);
      const entry: HistoryEntry = {
        id: history.length ? history[history.length - 1].id + 1 : 0,
        revision: current,
        deployedAt: finishedAt,
        deployStartedAt: startedAt,
        source,
      };
      tolerateGone(() =>
        this.client.mergePatch(ref, {
          status: statusPatch(status, {
            sync: {
              status: 'Synced',
              revision: current,
              comparedTo: this.comparedTo(app),
            },
            health: { status: 'Healthy' },
            operationState: {
              operation: {
                sync: { revision: current },
                initiatedBy: isAutomated(app)
                  ? { automated: true }
                  : { username: 'admin' },
              },
              phase: 'Succeeded',
              message: 'successfully synced (all tasks run)',
              startedAt,
              finishedAt,
              syncResult: { revision: current, source },
            },
            history: [...history, entry].slice(-HISTORY_LIMIT),
            reconciledAt: finishedAt,
            sourceType: source.chart ? 'Helm' : 'Directory',
          }),
        }),
      );
    });
  }
}
