/*
 * Writing responses: JSON, or Kubernetes protobuf where negotiated.
 */
import { ServerResponse } from 'node:http';
import { PROTOBUF_MEDIA_TYPE, encodeKubernetesProtobuf } from './protobuf';

const NO_CACHE = 'no-cache, private';

export function sendJson(res: ServerResponse, code: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Cache-Control': NO_CACHE,
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** An object, list or Status with apiVersion and kind, as protobuf. */
export function sendProtobuf(
  res: ServerResponse,
  code: number,
  body: Record<string, any>,
) {
  const bytes = encodeKubernetesProtobuf(body);
  res.writeHead(code, {
    'Content-Type': PROTOBUF_MEDIA_TYPE,
    'Cache-Control': NO_CACHE,
    'Content-Length': bytes.length,
  });
  res.end(bytes);
}
