/*
 * Lists as the apiserver pages them: limit and continue tokens, the list's
 * resourceVersion and remainingItemCount, typed lists' bare items.
 */
import { ResourceType, typeKey } from './resources';
import { badRequest } from './status';
import { KubeObject, ObjectStore } from './store';

/** Default list/watch output: core items omit apiVersion and kind, as the apiserver's typed lists do. */
export function listItem(type: ResourceType, object: KubeObject) {
  if (type.custom) {
    return object;
  }
  const { apiVersion: _apiVersion, kind: _kind, ...rest } = object;
  return rest;
}

interface ContinueToken {
  rv: string;
  start: string;
}

function decodeContinue(token: string): ContinueToken {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString());
    if (typeof parsed.rv === 'string' && typeof parsed.start === 'string') {
      return parsed;
    }
  } catch {
    // Falls through to the same answer as any other malformed token.
  }
  throw badRequest(
    'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
  );
}

function objectKey(object: KubeObject): string {
  return `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

/** One page of a list: its metadata and its objects as stored. */
export function listPage(
  store: ObjectStore,
  type: ResourceType,
  namespace: string | undefined,
  matches: (object: KubeObject) => boolean,
  query: URLSearchParams,
): { metadata: Record<string, unknown>; objects: KubeObject[] } {
  const token = query.get('continue');
  const resume = token ? decodeContinue(token) : undefined;
  const resourceVersion = resume?.rv ?? store.currentResourceVersion();
  const all = store
    .list(typeKey(type.group, type.plural), namespace)
    .filter(object => !resume || objectKey(object) > resume.start)
    .filter(matches);
  const limit = Number(query.get('limit') ?? 0);
  const page = limit > 0 ? all.slice(0, limit) : all;
  const remaining = all.length - page.length;
  const filtered = query.has('labelSelector') || query.has('fieldSelector');
  const metadata = {
    resourceVersion,
    ...(remaining > 0
      ? {
          continue: Buffer.from(
            JSON.stringify({
              v: 'meta.k8s.io/v1',
              rv: resourceVersion,
              start: objectKey(page[page.length - 1]),
            }),
          ).toString('base64url'),
          ...(filtered ? {} : { remainingItemCount: remaining }),
        }
      : {}),
  };
  return { metadata, objects: page };
}
