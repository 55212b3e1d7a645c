/*
 * What the benches share to measure a backend: an HTTP client over one keep-alive connection,
 * nearest-rank percentiles, the stand-ins' request counts summed, waiting for a condition and
 * running tasks a few at a time.
 */
import { KubernetesRequestCounts } from '@paved/sandbox';
import { Agent, Server, request } from 'node:http';
import { AddressInfo } from 'node:net';

/** A call to the backend: resolves with the status and body, whatever the status. */
export type BenchClient = (
  path: string,
  init?: { method?: 'GET' | 'POST'; body?: unknown },
) => Promise<{ status: number; body: string }>;

/**
 * Calls the backend with `token` (none when undefined) over a keep-alive connection, one call at
 * a time; a `body` is sent as JSON.
 */
export function client(server: Server, token?: string): BenchClient {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const { port } = server.address() as AddressInfo;
  return (path, init = {}) =>
    new Promise((resolve, reject) => {
      const payload =
        init.body === undefined ? undefined : JSON.stringify(init.body);
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path,
          agent,
          method: init.method ?? 'GET',
          headers: {
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(payload ? { 'content-type': 'application/json' } : {}),
          },
        },
        res => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', chunk => {
            body += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
}

/** The nearest-rank percentile `p` (0–1) of ascending `sorted` values. */
export function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

/** p50, p95, p99 and the maximum of some latencies. */
export function summarise(latencies: number[]) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    max: sorted[sorted.length - 1],
  };
}

/** Kubernetes requests of every cluster, and of those the watches opened. */
export function sumCounts(counts: Record<string, KubernetesRequestCounts>) {
  const all = Object.values(counts);
  return {
    total: all.reduce((n, c) => n + c.total, 0),
    watches: all.reduce((n, c) => n + c.watches, 0),
  };
}

/** Checks every 100 ms until `check` is true; fails naming `what` after `timeoutMs`. */
export async function until(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 60_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting until ${what}`);
    }
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}

/** Runs `task` for every item, at most `limit` at a time. */
export async function inParallel<T>(
  items: T[],
  limit: number,
  task: (item: T) => Promise<unknown>,
) {
  let cursor = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (cursor < items.length) {
        const item = items[cursor++];
        await task(item);
      }
    }),
  );
}
