/*
 * The two patch formats the apiserver accepts for every resource:
 * JSON merge patch (RFC 7386) and JSON patch (RFC 6902).
 */
import { deepEqual, isObject } from './schema';
import { StatusError, badRequest } from './status';

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) {
    return structuredClone(patch);
  }
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
    } else {
      result[key] = applyMergePatch(result[key], value);
    }
  }
  return result;
}

/** A failed JSON patch operation, answered like the apiserver does (422, reason Invalid). */
function rejected(message: string): StatusError {
  return new StatusError(
    422,
    'Invalid',
    'the server rejected our request due to an error in our request',
    { causes: [{ reason: 'UnexpectedServerResponse', message, field: '' }] },
  );
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') {
    return [];
  }
  if (!pointer.startsWith('/')) {
    throw badRequest(`invalid JSON pointer: "${pointer}"`);
  }
  return pointer
    .slice(1)
    .split('/')
    .map(token => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = Record<string, unknown> | unknown[];

/** Resolves all but the last token of a pointer, to the container the operation acts on. */
function locate(doc: unknown, tokens: string[], path: string): Container {
  let current = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(current)) {
      current = current[Number(token)];
    } else if (isObject(current)) {
      current = current[token];
    } else {
      current = undefined;
    }
    if (current === undefined) {
      break;
    }
  }
  if (!Array.isArray(current) && !isObject(current)) {
    throw rejected(`doc is missing path: "${path}": missing value`);
  }
  return current;
}

function arrayIndex(
  list: unknown[],
  token: string,
  path: string,
  forInsert: boolean,
): number {
  if (forInsert && token === '-') {
    return list.length;
  }
  const index = Number(token);
  const limit = forInsert ? list.length : list.length - 1;
  if (!/^\d+$/.test(token) || index > limit) {
    throw rejected(`unable to access invalid index: ${token}: "${path}"`);
  }
  return index;
}

function getAt(doc: unknown, path: string): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) {
    return doc;
  }
  const container = locate(doc, tokens, path);
  const last = tokens[tokens.length - 1];
  const value = Array.isArray(container)
    ? container[arrayIndex(container, last, path, false)]
    : container[last];
  if (value === undefined) {
    throw rejected(`doc is missing path: "${path}": missing value`);
  }
  return value;
}

function removeAt(doc: unknown, path: string): unknown {
  const tokens = parsePointer(path);
  const container = locate(doc, tokens, path);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(container)) {
    return container.splice(arrayIndex(container, last, path, false), 1)[0];
  }
  if (!(last in container)) {
    throw rejected(`Unable to remove nonexistent key: ${last}: missing value`);
  }
  const removed = container[last];
  delete container[last];
  return removed;
}

function addAt(doc: unknown, path: string, value: unknown): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) {
    return value;
  }
  const container = locate(doc, tokens, path);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(container)) {
    container.splice(arrayIndex(container, last, path, true), 0, value);
  } else {
    container[last] = value;
  }
  return doc;
}

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

function parseOperations(patch: unknown): Operation[] {
  if (!Array.isArray(patch)) {
    throw badRequest(
      'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
    );
  }
  return patch.map(entry => {
    if (!isObject(entry) || typeof entry.op !== 'string') {
      throw badRequest('invalid operation: missing "op"');
    }
    if (typeof entry.path !== 'string') {
      throw badRequest(
        `invalid operation ${JSON.stringify(entry)}: missing "path"`,
      );
    }
    return entry as unknown as Operation;
  });
}

export function applyJsonPatch(target: unknown, patch: unknown): unknown {
  let doc = structuredClone(target);
  for (const operation of parseOperations(patch)) {
    const { op, path } = operation;
    switch (op) {
      case 'add':
        doc = addAt(doc, path, structuredClone(operation.value));
        break;
      case 'remove':
        removeAt(doc, path);
        break;
      case 'replace':
        getAt(doc, path);
        if (path === '') {
          doc = structuredClone(operation.value);
        } else {
          removeAt(doc, path);
          doc = addAt(doc, path, structuredClone(operation.value));
        }
        break;
      case 'move': {
        const moved = removeAt(doc, operation.from ?? '');
        doc = addAt(doc, path, moved);
        break;
      }
      case 'copy':
        doc = addAt(
          doc,
          path,
          structuredClone(getAt(doc, operation.from ?? '')),
        );
        break;
      case 'test':
        if (!deepEqual(getAt(doc, path), operation.value)) {
          throw rejected(`testing value ${path} failed: test failed`);
        }
        break;
      default:
        throw badRequest(`Unexpected kind: ${op}`);
    }
  }
  return doc;
}
