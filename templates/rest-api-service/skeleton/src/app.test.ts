import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { afterEach, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { parse } from 'yaml';
import { buildApp, type AppOptions } from './app.ts';

let app: FastifyInstance | undefined;

async function start(options?: AppOptions): Promise<FastifyInstance> {
  app = await buildApp(options);
  return app;
}

afterEach(async () => {
  await app?.close();
  app = undefined;
});

test('GET /healthz answers ok', async () => {
  const response = await (await start()).inject({ url: '/healthz' });
  assert.equal(response.statusCode, 200);
  assert.deepEqual(response.json(), { status: 'ok' });
});

test('GET /readyz answers 503 once shutdown has started', async () => {
  const readiness = { shuttingDown: false };
  const server = await start({ readiness });
  assert.equal((await server.inject({ url: '/readyz' })).statusCode, 200);

  readiness.shuttingDown = true;
  const response = await server.inject({ url: '/readyz' });
  assert.equal(response.statusCode, 503);
  assert.deepEqual(response.json(), { status: 'shutting down' });
  // Liveness stays green: the process is healthy, just leaving.
  assert.equal((await server.inject({ url: '/healthz' })).statusCode, 200);
});

test('GET /v1/hello greets the world, or the name it is given', async () => {
  const server = await start();
  assert.deepEqual((await server.inject({ url: '/v1/hello' })).json(), {
    message: 'Hello, world!',
  });
  const named = await server.inject({
    url: '/v1/hello',
    query: { name: 'Ada' },
  });
  assert.equal(named.statusCode, 200);
  assert.deepEqual(named.json(), { message: 'Hello, Ada!' });
});

test('GET /v1/hello rejects a name longer than 64 characters with a 400 naming the field', async () => {
  const response = await (
    await start()
  ).inject({ url: '/v1/hello', query: { name: 'x'.repeat(65) } });
  assert.equal(response.statusCode, 400);
  assert.match(response.json<{ message: string }>().message, /name/);
});

test('GET /metrics exposes process metrics and request durations by route template', async () => {
  const server = await start();
  await server.inject({ url: '/v1/hello', query: { name: 'Ada' } });
  await server.inject({ url: '/v1/hello', query: { name: 'Grace' } });
  await server.inject({ url: '/no/such/route' });

  const response = await server.inject({ url: '/metrics' });
  assert.equal(response.statusCode, 200);
  assert.match(response.headers['content-type'] ?? '', /^text\/plain/);
  assert.match(response.body, /^process_cpu_user_seconds_total \d/m);
  assert.match(
    response.body,
    /^http_request_duration_seconds_count\{method="GET",route="\/v1\/hello",status_code="200"\} 2$/m,
  );
  assert.match(
    response.body,
    /^http_request_duration_seconds_count\{method="GET",route="unmatched",status_code="404"\} 1$/m,
  );
});

test('GET /openapi.yaml serves the document, which describes exactly the routes the app serves', async () => {
  const server = await start();
  const response = await server.inject({ url: '/openapi.yaml' });
  assert.equal(response.statusCode, 200);
  assert.match(response.headers['content-type'] ?? '', /^application\/yaml/);
  const fromFile = await readFile(
    new URL('../openapi.yaml', import.meta.url),
    'utf8',
  );
  assert.equal(response.body, fromFile);

  const document = parse(response.body) as { paths: Record<string, object> };
  const documented = Object.entries(document.paths)
    .flatMap(([path, operations]) =>
      Object.keys(operations).map(method => `${method.toUpperCase()} ${path}`),
    )
    .sort();
  assert.deepEqual(documented, servedRoutes(server));
});

/** Every method and path the app serves, in OpenAPI's path syntax; HEAD is Fastify's automatic twin of GET. */
function servedRoutes(server: FastifyInstance): string[] {
  const routes: string[] = [];
  for (const line of server.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /(\/\S*) \(([^)]+)\)/.exec(line);
    if (!match?.[1] || !match[2]) continue;
    const path = match[1].replace(/:(\w+)/g, '{$1}');
    for (const method of match[2].split(', ')) {
      if (method !== 'HEAD') routes.push(`${method} ${path}`);
    }
  }
  return routes.sort();
}
