/*
 * Helpers for tests that talk to a running stand-in over real HTTP.
 */
import {
  ApisApi,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
} from '@kubernetes/client-node';
import { randomUUID } from 'node:crypto';
import { request } from 'node:https';
import { standInKubeConfig } from '../access';
import {
  KubernetesStandIn,
  KubernetesStandInOptions,
  startKubernetesStandIn,
} from '../server';

export interface TestCluster {
  standIn: KubernetesStandIn;
  token: string;
  kubeConfig: KubeConfig;
  core: CoreV1Api;
  custom: CustomObjectsApi;
  apis: ApisApi;
}

export async function startTestCluster(
  options: Partial<KubernetesStandInOptions> = {},
): Promise<TestCluster> {
  const token = randomUUID();
  const standIn = await startKubernetesStandIn({
    clusterName: 'test',
    token,
    // Tests of the API server's own behaviour should not see controller writes.
    controllers: { crossplane: false, argoCd: false, workloads: false },
    ...options,
  });
  const kubeConfig = standInKubeConfig(standIn, token);
  return {
    standIn,
    token,
    kubeConfig,
    core: kubeConfig.makeApiClient(CoreV1Api),
    custom: kubeConfig.makeApiClient(CustomObjectsApi),
    apis: kubeConfig.makeApiClient(ApisApi),
  };
}

export interface RawResponse {
  status: number;
  body: any;
}

/** One plain HTTPS request, for what a client library would hide. */
export async function raw(
  cluster: TestCluster,
  method: string,
  path: string,
  options: { body?: unknown; contentType?: string; token?: string | null } = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = {};
  const token = options.token === undefined ? cluster.token : options.token;
  if (token !== null) {
    headers.authorization = `Bearer ${token}`;
  }
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] = options.contentType ?? 'application/json';
    body =
      typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  }
  const response = await new Promise<{ status: number; text: string }>(
    (resolve, reject) => {
      const req = request(
        `${cluster.standIn.url}${path}`,
        { method, headers, ca: cluster.standIn.caPem },
        res => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    },
  );
  try {
    return { status: response.status, body: JSON.parse(response.text) };
  } catch {
    // Health endpoints answer plain text.
    return { status: response.status, body: response.text };
  }
}

export interface WatchEvent {
  type: string;
  object: any;
}

/** A raw watch stream whose events tests can wait for one by one. */
export interface RawWatch {
  /** Resolves with the next event (waiting for it if need be). */
  next(): Promise<WatchEvent>;
  /** Resolves when the server has ended the stream. */
  ended: Promise<void>;
  close(): void;
}

export function openWatch(cluster: TestCluster, path: string): RawWatch {
  const queued: WatchEvent[] = [];
  const waiting: Array<(event: WatchEvent) => void> = [];
  let buffer = '';
  let endStream = () => {};
  const ended = new Promise<void>(resolve => {
    endStream = resolve;
  });
  const req = request(
    `${cluster.standIn.url}${path}`,
    {
      headers: { authorization: `Bearer ${cluster.token}` },
      ca: cluster.standIn.caPem,
    },
    res => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let newline = buffer.indexOf('\n');
        while (newline >= 0) {
          const event = JSON.parse(buffer.slice(0, newline)) as WatchEvent;
          buffer = buffer.slice(newline + 1);
          const waiter = waiting.shift();
          if (waiter) {
            waiter(event);
          } else {
            queued.push(event);
          }
          newline = buffer.indexOf('\n');
        }
      });
      res.on('end', () => endStream());
      res.on('close', () => endStream());
    },
  );
  req.on('error', () => endStream());
  req.end();
  return {
    next: () => {
      const event = queued.shift();
      return event
        ? Promise.resolve(event)
        : new Promise(resolve => waiting.push(resolve));
    },
    ended,
    close: () => req.destroy(),
  };
}

/** Reads events from `watch` until one satisfies `predicate`, and returns it. */
export async function nextMatching(
  watch: RawWatch,
  predicate: (event: WatchEvent) => boolean,
): Promise<WatchEvent> {
  for (;;) {
    const event = await watch.next();
    if (predicate(event)) {
      return event;
    }
  }
}

/** The condition of `type` on an object's status, if any. */
export function conditionOf(object: any, type: string): any {
  return (object?.status?.conditions ?? []).find((c: any) => c.type === type);
}
