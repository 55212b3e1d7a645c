/*
 * Object storage in the shape etcd gives the apiserver: one global,
 * increasing resourceVersion, a bounded window of past events that
 * watches can resume from, and fan-out of new events to open watches.
 */
import { expired } from './status';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  generation?: number;
  creationTimestamp: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  [field: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: EventType;
  /** Identifies the resource type, `group/plural`. */
  resource: string;
  object: KubeObject;
  /** The object before a MODIFIED change, so selector-filtered watches can tell objects leaving their selection. */
  previous?: KubeObject;
}

type Listener = (event: StoreEvent) => void;

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

export class ObjectStore {
  private resourceVersion = 0;
  /** Resource versions up to and including this one are no longer replayable. */
  private compactedThrough = 0;
  private readonly events: Array<StoreEvent & { rv: number }> = [];
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly everythingListeners = new Set<Listener>();

  constructor(private readonly eventWindow: number) {}

  currentResourceVersion(): string {
    return String(this.resourceVersion);
  }

  get(resource: string, namespace: string | undefined, name: string) {
    return this.objects.get(resource)?.get(objectKey(namespace, name));
  }

  /** Objects of a resource type in key order (namespace, then name), as etcd returns them. */
  list(resource: string, namespace?: string): KubeObject[] {
    const all = [...(this.objects.get(resource)?.entries() ?? [])];
    return all
      .filter(([, object]) =>
        namespace === undefined
          ? true
          : object.metadata.namespace === namespace,
      )
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, object]) => object);
  }

  /** Stores a new or changed object under a fresh resourceVersion and announces it. */
  write(resource: string, object: KubeObject): KubeObject {
    const byKey = this.objects.get(resource) ?? new Map<string, KubeObject>();
    this.objects.set(resource, byKey);
    const key = objectKey(object.metadata.namespace, object.metadata.name);
    const previous = byKey.get(key);
    const stored = this.stamp(object);
    byKey.set(key, stored);
    this.record({
      type: previous ? 'MODIFIED' : 'ADDED',
      resource,
      object: stored,
      previous,
    });
    return stored;
  }

  /** Removes an object; the DELETED event carries its last state under a fresh resourceVersion. */
  remove(resource: string, object: KubeObject): KubeObject {
    const key = objectKey(object.metadata.namespace, object.metadata.name);
    this.objects.get(resource)?.delete(key);
    const last = this.stamp(object);
    this.record({ type: 'DELETED', resource, object: last });
    return last;
  }

  /**
   * Calls `listener` with every event of `resource` after `fromVersion`,
   * then with each new one until the returned function is called.
   */
  subscribe(
    resource: string,
    fromVersion: number,
    listener: Listener,
  ): () => void {
    if (fromVersion < this.compactedThrough) {
      throw expired(fromVersion, this.compactedThrough + 1);
    }
    for (const event of this.events) {
      if (event.rv > fromVersion && event.resource === resource) {
        listener(event);
      }
    }
    const set = this.listeners.get(resource) ?? new Set<Listener>();
    this.listeners.set(resource, set);
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Calls `listener` with every new event of any resource until the returned function is called; for in-process controllers. */
  subscribeAll(listener: Listener): () => void {
    this.everythingListeners.add(listener);
    return () => this.everythingListeners.delete(listener);
  }

  /** Forgets all replayable history, as an etcd compaction at the current revision would. */
  compact(): void {
    this.compactedThrough = this.resourceVersion;
    this.events.length = 0;
  }

  private stamp(object: KubeObject): KubeObject {
    this.resourceVersion += 1;
    return {
      ...object,
      metadata: {
        ...object.metadata,
        resourceVersion: String(this.resourceVersion),
      },
    };
  }

  private record(event: StoreEvent): void {
    const rv = this.resourceVersion;
    this.events.push({ ...event, rv });
    while (this.events.length > this.eventWindow) {
      const dropped = this.events.shift();
      this.compactedThrough = dropped?.rv ?? this.compactedThrough;
    }
    for (const listener of this.listeners.get(event.resource) ?? []) {
      listener(event);
    }
    for (const listener of this.everythingListeners) {
      listener(event);
    }
  }
}
