/*
 * How the simulated controllers read and write objects: straight against the
 * in-process cluster, through the same admission, versioning and events as
 * HTTP requests, so watchers see their changes as they would a controller's.
 */
import { randomBytes } from 'node:crypto';
import { Cluster, Target } from './cluster';
import { ResourceType, typeKey } from './resources';
import { StatusError } from './status';
import { KubeObject } from './store';

/** A resource type by API group and plural, with namespace and name of one object. */
export interface ObjectRef {
  group: string;
  plural: string;
  namespace?: string;
  name: string;
}

/** RFC 3339 at second precision, as metav1.Time serialises. */
export function timestamp(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Runs `action`, treating NotFound, Conflict and Forbidden (the object or its namespace is going away) as "nothing to do". */
export function tolerateGone(action: () => void): void {
  try {
    action();
  } catch (error) {
    if (
      !(error instanceof StatusError && [403, 404, 409].includes(error.code))
    ) {
      throw error;
    }
  }
}

export class LocalClient {
  constructor(private readonly cluster: Cluster) {}

  /** Every resource type the cluster serves at the moment. */
  servedTypes(): ResourceType[] {
    return this.cluster.allTypes();
  }

  /** The served type a manifest's `apiVersion` and `kind` name, if any. */
  typeOf(apiVersion: string, kind: string): ResourceType | undefined {
    const [group, version] = apiVersion.includes('/')
      ? apiVersion.split('/')
      : ['', apiVersion];
    return this.cluster
      .allTypes()
      .find(
        t => t.group === group && t.kind === kind && t.versions.has(version),
      );
  }

  private target(ref: ObjectRef): Target | undefined {
    const type = this.cluster
      .allTypes()
      .find(t => typeKey(t.group, t.plural) === typeKey(ref.group, ref.plural));
    if (!type) {
      return undefined;
    }
    return {
      type,
      version: type.storageVersion,
      namespace: type.namespaced ? ref.namespace : undefined,
      name: ref.name,
    };
  }

  private required(ref: ObjectRef): Target {
    const target = this.target(ref);
    if (!target) {
      throw new StatusError(
        404,
        'NotFound',
        `the server could not find the requested resource (${ref.plural}.${ref.group})`,
      );
    }
    return target;
  }

  get(ref: ObjectRef): KubeObject | undefined {
    const target = this.target(ref);
    if (!target) {
      return undefined;
    }
    try {
      return this.cluster.get(target);
    } catch (error) {
      if (error instanceof StatusError && error.code === 404) {
        return undefined;
      }
      throw error;
    }
  }

  list(group: string, plural: string, namespace?: string): KubeObject[] {
    return this.cluster.store.list(typeKey(group, plural), namespace);
  }

  create(ref: Omit<ObjectRef, 'name'>, body: unknown): KubeObject {
    return this.cluster.create(this.required({ ...ref, name: '' }), body);
  }

  /** Creates the object, or replaces the existing one's content (keeping its status). */
  apply(ref: ObjectRef, body: KubeObject): KubeObject {
    const existing = this.get(ref);
    if (!existing) {
      return this.create(ref, body);
    }
    return this.cluster.update(this.required(ref), {
      ...body,
      metadata: {
        ...existing.metadata,
        ...body.metadata,
        resourceVersion: existing.metadata.resourceVersion,
      },
      status: existing.status,
    });
  }

  mergePatch(ref: ObjectRef, patch: unknown, subresource?: 'status') {
    return this.cluster.patch(this.required(ref), 'merge', patch, subresource);
  }

  /** Replaces the object's status through its status subresource, as a controller reporting what it observed does. */
  replaceStatus(ref: ObjectRef, status: unknown): KubeObject {
    const target = this.required(ref);
    const current = this.cluster.get(target);
    return this.cluster.update(target, { ...current, status }, 'status');
  }

  delete(ref: ObjectRef): void {
    tolerateGone(() => this.cluster.delete(this.required(ref), {}));
  }

  /** Records a core v1 Event about `object`, as a controller's event recorder does. */
  recordEvent(
    object: KubeObject,
    component: string,
    event: { type: 'Normal' | 'Warning'; reason: string; message: string },
  ): void {
    const namespace = object.metadata.namespace ?? 'default';
    const time = timestamp();
    tolerateGone(() =>
      this.create(
        { group: '', plural: 'events', namespace },
        {
          metadata: {
            // client-go names events `{object}.{hex timestamp}`; random bytes keep them unique.
            name: `${object.metadata.name}.${randomBytes(8).toString('hex')}`,
            namespace,
          },
          involvedObject: {
            apiVersion: object.apiVersion,
            kind: object.kind,
            name: object.metadata.name,
            namespace: object.metadata.namespace,
            uid: object.metadata.uid,
            resourceVersion: object.metadata.resourceVersion,
          },
          ...event,
          source: { component },
          reportingComponent: component,
          reportingInstance: `${component}-sandbox`,
          firstTimestamp: time,
          lastTimestamp: time,
          count: 1,
        },
      ),
    );
  }
}
