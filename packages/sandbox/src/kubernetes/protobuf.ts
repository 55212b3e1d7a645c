/*
 * Kubernetes' protobuf wire format (`application/vnd.kubernetes.protobuf`):
 * the `k8s\0` magic, then a runtime.Unknown envelope naming apiVersion and
 * kind around the object's message. kubectl sends built-in types this way;
 * the messages come from the published definitions in ./proto.
 */
import { dirname, join } from 'node:path';
import protobuf from 'protobufjs';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';

/** The proto package of each built-in group version served here that has published messages. */
const PACKAGES: Record<string, string> = {
  v1: 'k8s.io.api.core.v1',
  'apps/v1': 'k8s.io.api.apps.v1',
  'batch/v1': 'k8s.io.api.batch.v1',
  'autoscaling/v2': 'k8s.io.api.autoscaling.v2',
  'networking.k8s.io/v1': 'k8s.io.api.networking.v1',
  'meta.k8s.io/v1': META,
};

const PROTO_FILES = [
  'k8s.io/api/core/v1/generated.proto',
  'k8s.io/api/apps/v1/generated.proto',
  'k8s.io/api/batch/v1/generated.proto',
  'k8s.io/api/autoscaling/v2/generated.proto',
  'k8s.io/api/networking/v1/generated.proto',
];

// Messages whose JSON form is not their fields, as in apimachinery's custom (un)marshallers.
const TIME = `.${META}.Time`;
const MICRO_TIME = `.${META}.MicroTime`;
const FIELDS_V1 = `.${META}.FieldsV1`;
const QUANTITY = '.k8s.io.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING = '.k8s.io.apimachinery.pkg.util.intstr.IntOrString';
const RAW_EXTENSION = '.k8s.io.apimachinery.pkg.runtime.RawExtension';

/**
 * Fields of Go structs embedded with `json:",inline"`: a message field on
 * the wire, their fields spread into the parent in JSON. Every such field in
 * the served groups (from their types.go), bar TypeMeta, which has no field.
 */
const INLINE_FIELDS = new Set([
  'volumeSource',
  'persistentVolumeSource',
  'localObjectReference',
  'handler',
  'ephemeralContainerCommon',
  'ingressRuleValue',
]);

let loaded: protobuf.Root | undefined;

function root(): protobuf.Root {
  if (!loaded) {
    // Resolved through package.json so it works from src/ and from a build in dist/.
    const directory = join(
      dirname(require.resolve('@paved/sandbox/package.json')),
      'src/kubernetes/proto',
    );
    const next = new protobuf.Root();
    next.resolvePath = (_origin, target) => join(directory, target);
    next.loadSync(PROTO_FILES, { keepCase: true });
    next.resolveAll();
    loaded = next;
  }
  return loaded;
}

/** The message for an apiVersion and kind; meta/v1 kinds (Status, DeleteOptions, …) are valid in every group version. */
function messageType(
  apiVersion: string,
  kind: string,
): protobuf.Type | undefined {
  for (const pkg of [PACKAGES[apiVersion], META]) {
    if (!pkg) continue;
    const found = root().lookup(`${pkg}.${kind}`);
    if (found instanceof protobuf.Type) {
      return found;
    }
  }
  return undefined;
}

/** Whether objects of this apiVersion and kind can be written as protobuf (custom resources cannot). */
export function hasProtobufMessage(apiVersion: string, kind: string): boolean {
  return PACKAGES[apiVersion] !== undefined && !!messageType(apiVersion, kind);
}

/** A body that is not Kubernetes protobuf, or names a kind with no message here. */
export class ProtobufError extends Error {}

const toNumber = (value: unknown): number =>
  typeof value === 'object' && value !== null
    ? protobuf.util.LongBits.from(value as protobuf.Long).toNumber()
    : Number(value);

function formatTime(
  value: { seconds?: unknown; nanos?: number },
  micro: boolean,
) {
  const seconds = toNumber(value.seconds ?? 0);
  const nanos = value.nanos ?? 0;
  if (seconds === 0 && nanos === 0) {
    return undefined; // Go's zero time, which JSON writes as null.
  }
  const iso = new Date(seconds * 1000).toISOString().slice(0, 19);
  return micro
    ? `${iso}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`
    : `${iso}Z`;
}

function rawToJson(raw: Uint8Array): unknown {
  const bytes = Buffer.from(raw);
  if (bytes.subarray(0, 4).equals(MAGIC)) {
    return decodeKubernetesProtobuf(bytes);
  }
  return bytes.length ? JSON.parse(bytes.toString('utf8')) : undefined;
}

/** One decoded field value in its Kubernetes JSON form; undefined to leave it out. */
function valueToJson(
  field: protobuf.Field,
  value: any,
  inCollection: boolean,
): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) {
    switch (resolved.fullName) {
      case TIME:
        return formatTime(value, false);
      case MICRO_TIME:
        return formatTime(value, true);
      case QUANTITY:
        return value.string ?? '';
      case INT_OR_STRING:
        return toNumber(value.type ?? 0) === 1
          ? value.strVal ?? ''
          : value.intVal ?? 0;
      case RAW_EXTENSION:
        return rawToJson(value.raw ?? new Uint8Array());
      case FIELDS_V1:
        return rawToJson(value.Raw ?? new Uint8Array());
      default:
        return messageToJson(resolved, value);
    }
  }
  switch (field.type) {
    case 'bytes':
      return Buffer.from(value).toString('base64');
    case 'string':
      // Go writes every non-pointer string, empty or not; its JSON mostly omits empty ones.
      return value === '' && !inCollection ? undefined : value;
    case 'int64':
    case 'uint64':
    case 'sint64':
    case 'fixed64':
    case 'sfixed64':
      return toNumber(value);
    default:
      return value;
  }
}

/** Go writes ObjectMeta's plain integers (generation, …) even when zero; its JSON omits them. */
const OBJECT_META = `.${META}.ObjectMeta`;

function messageToJson(type: protobuf.Type, message: any) {
  const json: Record<string, unknown> = {};
  const omitZero = type.fullName === OBJECT_META;
  for (const field of type.fieldsArray) {
    const value = message[field.name];
    let converted: unknown;
    if (field.map) {
      const entries = Object.entries(value ?? {});
      converted = entries.length
        ? Object.fromEntries(
            entries.map(([key, item]) => [key, valueToJson(field, item, true)]),
          )
        : undefined;
    } else if (field.repeated) {
      converted = value?.length
        ? value.map((item: unknown) => valueToJson(field, item, true))
        : undefined;
    } else if (Object.prototype.hasOwnProperty.call(message, field.name)) {
      converted = valueToJson(field, value, false);
    }
    if (INLINE_FIELDS.has(field.name) && typeof converted === 'object') {
      Object.assign(json, converted);
    } else if (converted !== undefined && !(omitZero && converted === 0)) {
      json[field.name] = converted;
    }
  }
  return json;
}

function timeToWire(value: unknown) {
  const text = String(value);
  const millis = Date.parse(text);
  if (Number.isNaN(millis)) {
    throw new ProtobufError(`invalid time ${JSON.stringify(value)}`);
  }
  const fraction = /\.(\d+)Z$/i.exec(text)?.[1] ?? '';
  return {
    seconds: Math.floor(millis / 1000),
    nanos: Number(fraction.padEnd(9, '0').slice(0, 9)),
  };
}

function valueToWire(field: protobuf.Field, value: any): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) {
    switch (resolved.fullName) {
      case TIME:
      case MICRO_TIME:
        return timeToWire(value);
      case QUANTITY:
        return { string: String(value) };
      case INT_OR_STRING:
        return typeof value === 'number'
          ? { type: 0, intVal: value }
          : { type: 1, strVal: String(value) };
      case RAW_EXTENSION:
        return { raw: Buffer.from(JSON.stringify(value)) };
      case FIELDS_V1:
        return { Raw: Buffer.from(JSON.stringify(value)) };
      default:
        return messageToWire(resolved, value ?? {});
    }
  }
  switch (field.type) {
    case 'bytes':
      return Buffer.from(String(value), 'base64');
    case 'string':
      return String(value);
    case 'bool':
      return Boolean(value);
    default:
      return Number(value);
  }
}

function messageToWire(type: protobuf.Type, json: Record<string, any>) {
  const message: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    if (
      INLINE_FIELDS.has(field.name) &&
      field.resolvedType instanceof protobuf.Type
    ) {
      message[field.name] = messageToWire(field.resolvedType, json);
      continue;
    }
    const value = json[field.name];
    if (value === undefined || value === null) continue;
    if (field.map) {
      message[field.name] = Object.fromEntries(
        Object.entries(value).map(([key, item]) => [
          key,
          valueToWire(field, item),
        ]),
      );
    } else if (field.repeated) {
      message[field.name] = (Array.isArray(value) ? value : []).map(item =>
        valueToWire(field, item),
      );
    } else {
      message[field.name] = valueToWire(field, value);
    }
  }
  return message;
}

/**
 * Reads a protobuf body into the object's JSON form, with apiVersion and
 * kind from the envelope. Throws ProtobufError for anything else.
 */
export function decodeKubernetesProtobuf(
  body: Buffer,
): Record<string, unknown> {
  if (!body.subarray(0, 4).equals(MAGIC)) {
    throw new ProtobufError('provided data does not have the k8s\\0 prefix');
  }
  let envelope: any;
  try {
    envelope = root()
      .lookupType('k8s.io.apimachinery.pkg.runtime.Unknown')
      .decode(body.subarray(4));
  } catch (error) {
    throw new ProtobufError(`malformed envelope: ${(error as Error).message}`);
  }
  const apiVersion = envelope.typeMeta?.apiVersion ?? '';
  const kind = envelope.typeMeta?.kind ?? '';
  const type = messageType(apiVersion, kind);
  if (!type) {
    throw new ProtobufError(
      `no kind "${kind}" is registered for version "${apiVersion}"`,
    );
  }
  let message: unknown;
  try {
    message = type.decode(envelope.raw ?? new Uint8Array());
  } catch (error) {
    throw new ProtobufError(`malformed ${kind}: ${(error as Error).message}`);
  }
  return { apiVersion, kind, ...messageToJson(type, message) };
}

/** Writes an object (JSON form with apiVersion and kind) as a protobuf body. */
export function encodeKubernetesProtobuf(object: Record<string, any>): Buffer {
  const { apiVersion, kind } = object;
  const type = messageType(apiVersion, kind);
  if (!type) {
    throw new ProtobufError(
      `no kind "${kind}" is registered for version "${apiVersion}"`,
    );
  }
  const raw = type.encode(messageToWire(type, object)).finish();
  const envelope = root()
    .lookupType('k8s.io.apimachinery.pkg.runtime.Unknown')
    .encode({ typeMeta: { apiVersion, kind }, raw })
    .finish();
  return Buffer.concat([MAGIC, envelope]);
}

/**
 * One watch event in protobuf streaming form: a 4-byte big-endian length,
 * then a bare meta/v1 WatchEvent message (no envelope) whose object is
 * enveloped protobuf like any other body.
 */
export function encodeProtobufWatchEvent(
  eventType: string,
  object: Record<string, any>,
): Buffer {
  const event = root()
    .lookupType(`${META}.WatchEvent`)
    .encode({
      type: eventType,
      object: { raw: encodeKubernetesProtobuf(object) },
    })
    .finish();
  const length = Buffer.alloc(4);
  length.writeUInt32BE(event.length);
  return Buffer.concat([length, event]);
}

/** Reads one frame written by {@link encodeProtobufWatchEvent}: the event type and its object in JSON form. */
export function decodeProtobufWatchEvent(frame: Buffer): {
  type: string;
  object: Record<string, unknown>;
} {
  const length = frame.readUInt32BE(0);
  const event: any = root()
    .lookupType(`${META}.WatchEvent`)
    .decode(frame.subarray(4, 4 + length));
  return {
    type: event.type,
    object: decodeKubernetesProtobuf(Buffer.from(event.object?.raw ?? [])),
  };
}
