/*
 * The apiserver's object semantics, independent of HTTP: create, update,
 * patch and delete with resourceVersion preconditions, generation,
 * status subresources, finalizers, namespace lifecycle, CRD registration
 * and schema handling.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { applyJsonPatch, applyMergePatch } from './patch';
import {
  ClusterIpAllocator,
  applyBuiltInDefaults,
  initialBuiltInStatus,
} from './defaults';
import {
  BUILT_IN_TYPES,
  CRD_TYPE,
  NAMESPACES,
  ResourceType,
  apiVersionOf,
  typeFromCrd,
  typeKey,
  validateCrd,
} from './resources';
import {
  applyDefaults,
  deepEqual,
  isObject,
  prune,
  pruneObjectMeta,
  validate,
} from './schema';
import {
  FieldError,
  GroupResource,
  Status,
  alreadyExists,
  badRequest,
  conflict,
  deletedStatus,
  forbidden,
  internalError,
  invalid,
  notFound,
} from './status';
import { KubeObject, ObjectMeta, ObjectStore } from './store';
import { XRD_GROUP, XRD_PLURAL, xrdRuleErrors } from './xrd';

export type PatchType = 'merge' | 'json';

/** Where an object lives: its type, the version the client speaks, namespace and name. */
export interface Target {
  type: ResourceType;
  version: string;
  namespace?: string;
  name: string;
}

export interface DeleteResult {
  /** 200 when the object is gone, 202 when finalizers keep it for now. */
  code: number;
  body: KubeObject | Status;
}

const DNS1123_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The same alphabet as apimachinery's rand.String, which avoids vowels and look-alikes. */
const NAME_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function nameErrors(name: string, labelOnly: boolean): FieldError[] {
  if (labelOnly) {
    if (name.length > 63) {
      return [
        {
          reason: 'FieldValueInvalid',
          field: 'metadata.name',
          detail: `Invalid value: "${name}": must be no more than 63 characters`,
        },
      ];
    }
    return DNS1123_LABEL.test(name)
      ? []
      : [
          {
            reason: 'FieldValueInvalid',
            field: 'metadata.name',
            detail: `Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
          },
        ];
  }
  if (name.length > 253) {
    return [
      {
        reason: 'FieldValueInvalid',
        field: 'metadata.name',
        detail: `Invalid value: "${name}": must be no more than 253 characters`,
      },
    ];
  }
  return DNS1123_SUBDOMAIN.test(name)
    ? []
    : [
        {
          reason: 'FieldValueInvalid',
          field: 'metadata.name',
          detail: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
        },
      ];
}

/** RFC 3339 at second precision, as metav1.Time serialises. */
function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function groupResource(type: ResourceType): GroupResource {
  return { group: type.group, resource: type.plural };
}

/** The parts of an object that bump metadata.generation when changed. */
function specPart(object: KubeObject, statusSubresource: boolean): unknown {
  const { metadata: _metadata, status, ...rest } = object;
  return statusSubresource ? rest : { ...rest, status };
}

export class Cluster {
  readonly store: ObjectStore;
  private readonly types = new Map<string, ResourceType>();
  private readonly clusterIps = new ClusterIpAllocator();

  constructor(eventWindow: number) {
    this.store = new ObjectStore(eventWindow);
    for (const type of [...BUILT_IN_TYPES, CRD_TYPE]) {
      this.types.set(typeKey(type.group, type.plural), type);
    }
    for (const name of ['default', 'kube-system', 'kube-public']) {
      this.create(
        { type: NAMESPACES, version: 'v1', name: '' },
        { metadata: { name } },
      );
    }
  }

  /** The type served at `/apis/{group}/{version}/{plural}` (group '' for `/api/v1`), if any. */
  resolve(group: string, version: string, plural: string) {
    const type = this.types.get(typeKey(group, plural));
    return type?.versions.has(version) ? type : undefined;
  }

  allTypes(): ResourceType[] {
    return [...this.types.values()];
  }

  /** Presents a stored object in the version the client asked for. */
  present(type: ResourceType, version: string, object: KubeObject): KubeObject {
    return {
      ...structuredClone(object),
      apiVersion: apiVersionOf(type.group, version),
    };
  }

  get(target: Target): KubeObject {
    const existing = this.store.get(
      typeKey(target.type.group, target.type.plural),
      target.namespace,
      target.name,
    );
    if (!existing) {
      throw notFound(groupResource(target.type), target.name);
    }
    return this.present(target.type, target.version, existing);
  }

  create(target: Target, body: unknown): KubeObject {
    const { type, version, namespace } = target;
    const object = this.decode(target, body);
    const metadata = object.metadata;
    if (metadata.resourceVersion) {
      throw internalError(
        'resourceVersion should not be set on objects to be created',
      );
    }
    if (!metadata.name && typeof metadata.generateName === 'string') {
      const suffix = [...randomBytes(5)]
        .map(byte => NAME_SUFFIX_ALPHABET[byte % NAME_SUFFIX_ALPHABET.length])
        .join('');
      metadata.name = `${metadata.generateName}${suffix}`;
    }
    if (type.namespaced) {
      this.requireLiveNamespace(type, namespace ?? '', metadata.name);
    }
    if (this.versionInfo(type, version).statusSubresource) {
      // Where status has its own subresource, only writes to /status set it.
      delete object.status;
    }
    this.prepareForCreate(type, object);
    const admitted = this.admit(type, version, object);
    const key = typeKey(type.group, type.plural);
    if (this.store.get(key, namespace, metadata.name)) {
      throw alreadyExists(groupResource(type), metadata.name);
    }
    Object.assign(admitted.metadata, {
      uid: randomUUID(),
      creationTimestamp: now(),
      ...(type.tracksGeneration ? { generation: 1 } : {}),
    });
    delete admitted.metadata.deletionTimestamp;
    delete admitted.metadata.deletionGracePeriodSeconds;
    const stored = this.store.write(key, this.toStorage(type, admitted));
    if (type === CRD_TYPE) {
      this.serveCrd(stored);
    }
    return this.present(type, version, stored);
  }

  /** PUT, on the object or (with `subresource: 'status'`) on its status. */
  update(
    target: Target,
    body: unknown,
    subresource?: string,
    unconditional = false,
  ): KubeObject {
    const { type, version, namespace, name } = target;
    const incoming = this.decode(target, body);
    if (incoming.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    const key = typeKey(type.group, type.plural);
    const existing = this.store.get(key, namespace, name);
    if (!existing) {
      throw notFound(groupResource(type), name);
    }
    const requested = incoming.metadata.resourceVersion;
    if (!requested && type.custom && !unconditional) {
      throw invalid(type.kind, type.group, name, [
        {
          reason: 'FieldValueInvalid',
          field: 'metadata.resourceVersion',
          detail: 'Invalid value: 0x0: must be specified for an update',
        },
      ]);
    }
    if (requested && requested !== existing.metadata.resourceVersion) {
      throw conflict(groupResource(type), name);
    }
    const { statusSubresource } = this.versionInfo(type, version);
    let next: KubeObject;
    if (subresource === 'status') {
      next = this.present(type, version, existing);
      if ('status' in incoming) {
        next.status = incoming.status;
      } else {
        delete next.status;
      }
    } else {
      next = incoming;
      if (statusSubresource) {
        if ('status' in existing) {
          next.status = structuredClone(existing.status);
        } else {
          delete next.status;
        }
      }
      this.keepSystemMetadata(next.metadata, existing.metadata);
    }
    next = this.admit(type, version, next, existing);
    this.checkFinalizers(type, existing, next);
    if (
      type.tracksGeneration &&
      !deepEqual(
        specPart(next, statusSubresource),
        specPart(this.present(type, version, existing), statusSubresource),
      )
    ) {
      next.metadata.generation = (existing.metadata.generation ?? 0) + 1;
    }
    const stored = this.toStorage(type, next);
    if (deepEqual(stored, existing)) {
      // Like etcd's GuaranteedUpdate: an unchanged object keeps its resourceVersion and emits no event.
      return this.present(type, version, existing);
    }
    if (stored.metadata.deletionTimestamp && this.canRemove(type, stored)) {
      return this.present(type, version, this.removeNow(type, stored));
    }
    const written = this.store.write(key, stored);
    if (type === CRD_TYPE) {
      this.serveCrd(written);
    }
    return this.present(type, version, written);
  }

  patch(
    target: Target,
    patchType: PatchType,
    patch: unknown,
    subresource?: string,
  ): KubeObject {
    const current = this.get(target);
    const patched =
      patchType === 'merge'
        ? applyMergePatch(current, patch)
        : applyJsonPatch(current, patch);
    if (!isObject(patched)) {
      throw badRequest('the patched object is not a JSON object');
    }
    // A patch is unconditional unless it names a resourceVersion itself.
    const unconditional = !(
      isObject(patched.metadata) && patched.metadata.resourceVersion
    );
    return this.update(target, patched, subresource, unconditional);
  }

  delete(target: Target, options: unknown): DeleteResult {
    const { type, version, namespace, name } = target;
    const key = typeKey(type.group, type.plural);
    const existing = this.store.get(key, namespace, name);
    if (!existing) {
      throw notFound(groupResource(type), name);
    }
    this.checkPreconditions(type, existing, options);
    if (type === NAMESPACES) {
      return this.deleteNamespace(existing);
    }
    if (existing.metadata.finalizers?.length) {
      return {
        code: 202,
        body: this.present(type, version, this.markDeleting(type, existing)),
      };
    }
    const removed = this.removeNow(type, existing);
    return {
      code: 200,
      body:
        type.custom || type === CRD_TYPE
          ? this.present(type, version, removed)
          : deletedStatus(groupResource(type), name, removed.metadata.uid),
    };
  }

  private versionInfo(type: ResourceType, version: string) {
    return type.versions.get(version) ?? { statusSubresource: false };
  }

  /** Checks the envelope of a request body and returns a copy with namespace settled. */
  private decode(target: Target, body: unknown): KubeObject {
    const { type, version, namespace } = target;
    if (!isObject(body)) {
      throw badRequest(
        `Object 'Kind' is missing in '${JSON.stringify(body) ?? ''}'`,
      );
    }
    const object = structuredClone(body) as KubeObject;
    const expectedVersion = apiVersionOf(type.group, version);
    if (
      object.apiVersion !== undefined &&
      object.apiVersion !== expectedVersion
    ) {
      throw badRequest(
        `the API version in the data (${object.apiVersion}) does not match the expected API version (${expectedVersion})`,
      );
    }
    if (object.kind !== undefined && object.kind !== type.kind) {
      throw badRequest(
        `the kind in the data (${object.kind}) does not match the expected kind (${type.kind})`,
      );
    }
    object.apiVersion = expectedVersion;
    object.kind = type.kind;
    object.metadata = pruneObjectMeta(
      isObject(object.metadata) ? object.metadata : {},
    ) as ObjectMeta;
    const metadata = object.metadata;
    if (type.namespaced) {
      if (metadata.namespace && metadata.namespace !== namespace) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      metadata.namespace = namespace;
    } else {
      delete metadata.namespace;
    }
    metadata.name = typeof metadata.name === 'string' ? metadata.name : '';
    return object;
  }

  private requireLiveNamespace(
    type: ResourceType,
    namespace: string,
    name: string,
  ) {
    const ns = this.store.get(typeKey('', 'namespaces'), undefined, namespace);
    if (!ns) {
      throw notFound({ group: '', resource: 'namespaces' }, namespace);
    }
    if (ns.metadata.deletionTimestamp) {
      throw forbidden(
        groupResource(type),
        name,
        `unable to create new content in namespace ${namespace} because it is being terminated`,
      );
    }
  }

  /** Fields the apiserver fills in for particular built-in types. */
  private prepareForCreate(type: ResourceType, object: KubeObject) {
    if (type === NAMESPACES) {
      object.metadata.labels = {
        ...object.metadata.labels,
        'kubernetes.io/metadata.name': object.metadata.name,
      };
      object.spec = { finalizers: ['kubernetes'] };
      object.status = { phase: 'Active' };
    } else if (type.plural === 'secrets' && type.group === '') {
      object.type = object.type ?? 'Opaque';
    } else if (!type.custom) {
      const status = initialBuiltInStatus(type.group, type.plural, object);
      if (status) {
        object.status = status;
      }
    }
  }

  /**
   * Pruning, defaulting and validation of an incoming object; returns the
   * object to store or throws 422 Invalid with every cause found.
   */
  private admit(
    type: ResourceType,
    version: string,
    incoming: KubeObject,
    existing?: KubeObject,
  ): KubeObject {
    if (type.plural === 'secrets' && type.group === '') {
      this.foldStringData(incoming);
    }
    if (!type.custom) {
      applyBuiltInDefaults(
        type.group,
        type.plural,
        incoming,
        this.clusterIps,
        existing,
      );
    }
    const schema = this.versionInfo(type, version).schema;
    const object = schema ? (prune(incoming, schema) as KubeObject) : incoming;
    if (schema) {
      applyDefaults(object, schema);
    }
    const errors: FieldError[] = [];
    if (!object.metadata.name) {
      errors.push({
        reason: 'FieldValueRequired',
        field: 'metadata.name',
        detail: 'Required value: name or generateName is required',
      });
    } else {
      errors.push(...nameErrors(object.metadata.name, type === NAMESPACES));
    }
    if (schema) {
      errors.push(...validate(object, schema));
    }
    if (type === CRD_TYPE) {
      errors.push(...validateCrd(object));
    }
    if (type.group === XRD_GROUP && type.plural === XRD_PLURAL) {
      errors.push(...xrdRuleErrors(object, version, existing));
    }
    if (errors.length > 0) {
      throw invalid(type.kind, type.group, object.metadata.name, errors);
    }
    if (type === CRD_TYPE) {
      object.status = this.crdStatus(object, existing);
    }
    return object;
  }

  /** Secret.stringData is write-only: the apiserver merges it into base64 `data`. */
  private foldStringData(secret: KubeObject) {
    if (!isObject(secret.stringData)) {
      return;
    }
    const data = isObject(secret.data) ? secret.data : {};
    for (const [key, value] of Object.entries(secret.stringData)) {
      data[key] = Buffer.from(String(value)).toString('base64');
    }
    secret.data = data;
    delete secret.stringData;
  }

  /** Fields clients cannot change through an update; the stored values win. */
  private keepSystemMetadata(next: ObjectMeta, existing: ObjectMeta) {
    for (const field of [
      'uid',
      'creationTimestamp',
      'deletionTimestamp',
      'deletionGracePeriodSeconds',
      'generation',
    ]) {
      if (existing[field] === undefined) {
        delete next[field];
      } else {
        next[field] = existing[field];
      }
    }
    next.resourceVersion = existing.resourceVersion;
  }

  private checkFinalizers(
    type: ResourceType,
    existing: KubeObject,
    next: KubeObject,
  ) {
    if (!existing.metadata.deletionTimestamp) {
      return;
    }
    const before = new Set(existing.metadata.finalizers ?? []);
    const added = (next.metadata.finalizers ?? []).filter(f => !before.has(f));
    if (added.length > 0) {
      throw invalid(type.kind, type.group, next.metadata.name, [
        {
          reason: 'FieldValueForbidden',
          field: 'metadata.finalizers',
          detail: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added
            .map(f => JSON.stringify(f))
            .join(', ')}}`,
        },
      ]);
    }
  }

  private checkPreconditions(
    type: ResourceType,
    existing: KubeObject,
    options: unknown,
  ) {
    const preconditions =
      isObject(options) && isObject(options.preconditions)
        ? options.preconditions
        : {};
    const { uid, resourceVersion } = preconditions;
    if (uid && uid !== existing.metadata.uid) {
      throw conflict(
        groupResource(type),
        existing.metadata.name,
        `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${existing.metadata.uid}`,
      );
    }
    if (
      resourceVersion &&
      resourceVersion !== existing.metadata.resourceVersion
    ) {
      throw conflict(
        groupResource(type),
        existing.metadata.name,
        `Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${existing.metadata.resourceVersion}`,
      );
    }
  }

  private toStorage(type: ResourceType, object: KubeObject): KubeObject {
    return {
      ...object,
      apiVersion: apiVersionOf(type.group, type.storageVersion),
    };
  }

  /** Graceful deletion: stamps deletionTimestamp and leaves removal to whoever clears the finalizers. */
  private markDeleting(type: ResourceType, existing: KubeObject): KubeObject {
    if (existing.metadata.deletionTimestamp) {
      return existing;
    }
    const next = structuredClone(existing);
    next.metadata.deletionTimestamp = now();
    next.metadata.deletionGracePeriodSeconds = 0;
    if (next.metadata.generation !== undefined) {
      next.metadata.generation += 1;
    }
    if (type === NAMESPACES) {
      next.status = {
        ...(isObject(next.status) ? next.status : {}),
        phase: 'Terminating',
      };
    }
    return this.store.write(typeKey(type.group, type.plural), next);
  }

  private canRemove(type: ResourceType, object: KubeObject): boolean {
    if (object.metadata.finalizers?.length) {
      return false;
    }
    return type !== NAMESPACES || this.namespaceIsEmpty(object.metadata.name);
  }

  private namespaceIsEmpty(namespace: string): boolean {
    return this.allTypes().every(
      type =>
        !type.namespaced ||
        this.store.list(typeKey(type.group, type.plural), namespace).length ===
          0,
    );
  }

  private removeNow(type: ResourceType, object: KubeObject): KubeObject {
    const removed = this.store.remove(typeKey(type.group, type.plural), object);
    if (type === CRD_TYPE) {
      this.unregisterCrd(removed);
    }
    const namespace = object.metadata.namespace;
    if (type.namespaced && namespace) {
      this.finishNamespaceIfDone(namespace);
    }
    return removed;
  }

  private finishNamespaceIfDone(name: string) {
    const ns = this.store.get(typeKey('', 'namespaces'), undefined, name);
    if (ns?.metadata.deletionTimestamp && this.canRemove(NAMESPACES, ns)) {
      this.store.remove(typeKey('', 'namespaces'), ns);
    }
  }

  /**
   * Namespace deletion as the namespace controller carries it out, but at
   * once: the namespace turns Terminating, its objects are deleted (those
   * with finalizers wait for them), and it goes away when it is empty.
   */
  private deleteNamespace(existing: KubeObject): DeleteResult {
    const terminating = this.markDeleting(NAMESPACES, existing);
    const name = existing.metadata.name;
    for (const type of this.allTypes().filter(t => t.namespaced)) {
      for (const object of this.store.list(
        typeKey(type.group, type.plural),
        name,
      )) {
        if (object.metadata.finalizers?.length) {
          this.markDeleting(type, object);
        } else {
          this.store.remove(typeKey(type.group, type.plural), object);
        }
      }
    }
    this.finishNamespaceIfDone(name);
    return { code: 200, body: this.present(NAMESPACES, 'v1', terminating) };
  }

  /** Serves (or re-serves, after an update) the resource a CRD defines. */
  private serveCrd(crd: KubeObject) {
    const type = typeFromCrd(crd);
    this.types.set(typeKey(type.group, type.plural), type);
  }

  /** The status the apiextensions controllers would settle on: names accepted, Established. */
  private crdStatus(crd: KubeObject, existing?: KubeObject) {
    const previous = isObject(existing?.status) ? existing?.status : undefined;
    const spec = crd.spec as { names: unknown };
    const conditions =
      previous?.conditions ??
      ['NamesAccepted', 'Established'].map(condition => ({
        type: condition,
        status: 'True',
        reason:
          condition === 'Established' ? 'InitialNamesAccepted' : 'NoConflicts',
        message:
          condition === 'Established'
            ? 'the initial names have been accepted'
            : 'no conflicts found',
        lastTransitionTime: now(),
      }));
    return {
      conditions,
      acceptedNames: spec.names,
      storedVersions: [typeFromCrd(crd).storageVersion],
    };
  }

  /** Stops serving a CRD's resource; its objects go with it. */
  private unregisterCrd(crd: KubeObject) {
    const type = typeFromCrd(crd);
    const key = typeKey(type.group, type.plural);
    for (const object of this.store.list(key)) {
      this.store.remove(key, object);
    }
    this.types.delete(key);
  }
}
