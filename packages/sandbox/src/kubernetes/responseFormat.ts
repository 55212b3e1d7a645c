/*
 * Content negotiation for resource responses: JSON, a Table for kubectl's
 * human-readable output, or protobuf for clients that accept nothing else.
 */
import { IncomingMessage } from 'node:http';
import { PROTOBUF_MEDIA_TYPE } from './protobuf';
import { StatusError } from './status';

export type ResponseFormat =
  | { kind: 'json' }
  | { kind: 'protobuf' }
  | { kind: 'table'; apiVersion: string };

const JSON_TYPES = new Set(['application/json', 'application/*', '*/*']);

/**
 * The first Accept entry served here wins; protobuf only when the client
 * lists no JSON alternative, since JSON is what every client here reads.
 */
export function negotiate(req: IncomingMessage): ResponseFormat {
  const accept = req.headers.accept;
  if (!accept) {
    return { kind: 'json' };
  }
  let protobufAccepted = false;
  for (const entry of accept.split(',')) {
    const [mediaType, ...parameterTexts] = entry.split(';').map(s => s.trim());
    const parameters = Object.fromEntries(
      parameterTexts.map(text => text.split('=').map(s => s.trim())),
    );
    const type = mediaType.toLowerCase();
    if (parameters.as !== undefined) {
      if (
        parameters.as === 'Table' &&
        type === 'application/json' &&
        parameters.g === 'meta.k8s.io' &&
        (parameters.v === 'v1' || parameters.v === 'v1beta1')
      ) {
        return { kind: 'table', apiVersion: `meta.k8s.io/${parameters.v}` };
      }
      // Other conversions (PartialObjectMetadata, …) are not served; try the next entry.
      continue;
    }
    if (JSON_TYPES.has(type)) {
      return { kind: 'json' };
    }
    if (type === PROTOBUF_MEDIA_TYPE) {
      protobufAccepted = true;
    }
  }
  return protobufAccepted ? { kind: 'protobuf' } : { kind: 'json' };
}

export function notAcceptable(): StatusError {
  return new StatusError(
    406,
    'NotAcceptable',
    'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf',
  );
}
