/*
 * Watch streams: events for one resource type over a chunked response, as
 * newline-delimited JSON (objects or one-row Tables) or length-prefixed
 * protobuf frames.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import { PROTOBUF_MEDIA_TYPE, encodeProtobufWatchEvent } from './protobuf';
import { ResponseFormat } from './responseFormat';
import { ResourceType, apiVersionOf, typeKey } from './resources';
import { Status, StatusError, badRequest } from './status';
import { KubeObject, ObjectStore, StoreEvent } from './store';
import { IncludeObject, toTable } from './table';
import { TablePrinter } from './builtInPrinters';

export interface OpenWatch {
  expire(status: Status): void;
  close(): void;
}

export interface WatchRequest {
  type: ResourceType;
  version: string;
  query: URLSearchParams;
  /** Whether an object belongs to the watched namespace and selectors. */
  matches(object: KubeObject): boolean;
  /** The object as the client's version shows it. */
  present(object: KubeObject): KubeObject;
  format: ResponseFormat;
  /** For Table watches. */
  printer: TablePrinter;
  includeObject: IncludeObject;
  bookmarkIntervalMs: number;
  /** Called once when the watch ends, however it ends. */
  onClose(watch: OpenWatch): void;
}

/** How each event goes on the wire in the negotiated format. */
function eventWriter(request: WatchRequest, res: ServerResponse) {
  const { format } = request;
  if (format.kind === 'protobuf') {
    return (eventType: string, object: Record<string, any>) =>
      res.write(encodeProtobufWatchEvent(eventType, object));
  }
  let headersSent = false;
  return (eventType: string, object: Record<string, any>) => {
    let sent: unknown = object;
    // Errors and bookmarks are not objects of the type; they go as they are.
    if (
      format.kind === 'table' &&
      eventType !== 'ERROR' &&
      eventType !== 'BOOKMARK'
    ) {
      sent = toTable(request.printer, [object as KubeObject], {
        apiVersion: format.apiVersion,
        includeObject: request.includeObject,
        // As the apiserver does, only the first event carries the column definitions.
        headers: !headersSent,
        metadata: { resourceVersion: object.metadata?.resourceVersion },
      });
      headersSent = true;
    }
    res.write(`${JSON.stringify({ type: eventType, object: sent })}\n`);
  };
}

/**
 * Serves a watch. Without a resourceVersion (or with "0") it starts with
 * ADDED events for the current objects; with one it replays what happened
 * after it, or sends 410 Expired if that history is gone. Returns the open
 * watch, or undefined when it ended at once.
 */
export function serveWatch(
  req: IncomingMessage,
  res: ServerResponse,
  store: ObjectStore,
  request: WatchRequest,
): OpenWatch | undefined {
  const { type, version, query, matches, present } = request;
  const from = query.get('resourceVersion') ?? '';
  if (from !== '' && !/^\d+$/.test(from)) {
    throw badRequest(
      `resourceVersion: Invalid value: "${from}": strconv.ParseUint: parsing "${from}": invalid syntax`,
    );
  }
  res.writeHead(200, {
    'Content-Type':
      request.format.kind === 'protobuf'
        ? `${PROTOBUF_MEDIA_TYPE};stream=watch`
        : 'application/json',
    'Cache-Control': 'no-cache, private',
  });
  res.flushHeaders();
  const write = eventWriter(request, res);
  const send = (eventType: string, object: Record<string, any>) => {
    if (!res.writableEnded) {
      write(eventType, object);
    }
  };
  const timers: NodeJS.Timeout[] = [];
  let unsubscribe = () => {};
  let closed = false;
  const watch: OpenWatch = {
    expire: status => {
      send('ERROR', status);
      watch.close();
    },
    close: () => {
      closed = true;
      unsubscribe();
      timers.forEach(timer => clearTimeout(timer));
      request.onClose(watch);
      res.end();
    },
  };
  // A change that moves an object in or out of the selection looks like an add or delete to this watcher.
  const onEvent = (event: StoreEvent) => {
    const inNow = matches(event.object);
    const inBefore = event.previous ? matches(event.previous) : false;
    if (event.type !== 'MODIFIED') {
      if (inNow) send(event.type, present(event.object));
    } else if (inNow) {
      send(inBefore ? 'MODIFIED' : 'ADDED', present(event.object));
    } else if (inBefore) {
      send('DELETED', present(event.object));
    }
  };
  const key = typeKey(type.group, type.plural);
  try {
    if (from === '' || from === '0') {
      for (const object of store.list(key).filter(matches)) {
        send('ADDED', present(object));
      }
      unsubscribe = store.subscribe(
        key,
        Number(store.currentResourceVersion()),
        onEvent,
      );
    } else {
      unsubscribe = store.subscribe(key, Number(from), onEvent);
    }
  } catch (error) {
    if (error instanceof StatusError) {
      send('ERROR', error.toStatus());
      res.end();
      return undefined;
    }
    throw error;
  }
  req.on('close', () => {
    if (!closed) watch.close();
  });
  if (query.get('allowWatchBookmarks') === 'true') {
    const bookmark = () => {
      send('BOOKMARK', {
        kind: type.kind,
        apiVersion: apiVersionOf(type.group, version),
        metadata: { resourceVersion: store.currentResourceVersion() },
      });
      timers.push(setTimeout(bookmark, request.bookmarkIntervalMs));
    };
    timers.push(setTimeout(bookmark, request.bookmarkIntervalMs));
  }
  const timeoutSeconds = Number(query.get('timeoutSeconds') ?? 0);
  if (timeoutSeconds > 0) {
    timers.push(setTimeout(() => watch.close(), timeoutSeconds * 1000));
  }
  return watch;
}
