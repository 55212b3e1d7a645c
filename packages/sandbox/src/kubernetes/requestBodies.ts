/*
 * Reading request bodies: objects as JSON, YAML or (for built-in types)
 * Kubernetes protobuf, patches, and delete options.
 */
import { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import {
  PROTOBUF_MEDIA_TYPE,
  ProtobufError,
  decodeKubernetesProtobuf,
} from './protobuf';
import { StatusError, badRequest, unsupportedMediaType } from './status';

const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      throw new StatusError(
        413,
        'RequestEntityTooLarge',
        `Request entity too large: limit is ${MAX_BODY_BYTES}`,
      );
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? 'application/json')
    .split(';')[0]
    .trim()
    .toLowerCase();
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(
      `couldn't get version/kind; json parse error: ${
        (error as Error).message
      }`,
    );
  }
}

function decodeProtobuf(body: Buffer): unknown {
  try {
    return decodeKubernetesProtobuf(body);
  } catch (error) {
    if (error instanceof ProtobufError) {
      throw badRequest(`error decoding protobuf body: ${error.message}`);
    }
    throw error;
  }
}

/**
 * An object to create or replace. Protobuf is accepted for built-in types
 * only, as on a real apiserver, where custom resources have no messages.
 */
export async function readObject(
  req: IncomingMessage,
  options: { protobuf: boolean },
): Promise<unknown> {
  const body = await readBody(req);
  const type = mediaType(req);
  if (type === 'application/yaml') {
    try {
      return parseYaml(body.toString('utf8'));
    } catch (error) {
      throw badRequest(
        `couldn't get version/kind; yaml parse error: ${
          (error as Error).message
        }`,
      );
    }
  }
  if (type === 'application/json' || type === '*/*') {
    return parseJson(body.toString('utf8'));
  }
  if (type === PROTOBUF_MEDIA_TYPE && options.protobuf) {
    return decodeProtobuf(body);
  }
  throw unsupportedMediaType([
    'application/json',
    'application/yaml',
    ...(options.protobuf ? [PROTOBUF_MEDIA_TYPE] : []),
  ]);
}

export async function readPatch(req: IncomingMessage): Promise<unknown> {
  const text = (await readBody(req)).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(`error decoding patch: ${(error as Error).message}`);
  }
}

/** DeleteOptions from a DELETE body, in JSON or protobuf; none is `{}`. */
export async function readDeleteOptions(
  req: IncomingMessage,
): Promise<unknown> {
  const body = await readBody(req);
  if (body.length === 0) {
    return {};
  }
  if (mediaType(req) === PROTOBUF_MEDIA_TYPE) {
    return decodeProtobuf(body);
  }
  return parseJson(body.toString('utf8'));
}
