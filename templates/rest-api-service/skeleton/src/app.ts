import { readFile } from 'node:fs/promises';
import Fastify, {
  type FastifyInstance,
  type FastifyServerOptions,
} from 'fastify';
import { registerHelloRoutes } from './hello.ts';
import { createMetrics } from './metrics.ts';

/** Set when shutdown starts: /readyz then fails, so Kubernetes stops routing traffic here first. */
export interface Readiness {
  shuttingDown: boolean;
}

export interface AppOptions {
  logger?: FastifyServerOptions['logger'];
  readiness?: Readiness;
}

// The OpenAPI document sits at the repository root, one level above both src/ and dist/.
const openapiUrl = new URL('../openapi.yaml', import.meta.url);

export async function buildApp(
  options: AppOptions = {},
): Promise<FastifyInstance> {
  const readiness = options.readiness ?? { shuttingDown: false };
  const app = Fastify({
    logger: options.logger ?? false,
    requestIdHeader: 'x-request-id',
  });
  const { registry, requestDuration } = createMetrics();
  const openapiDocument = await readFile(openapiUrl, 'utf8');

  app.addHook('onResponse', async (request, reply) => {
    requestDuration.observe(
      {
        method: request.method,
        // The route template, not the raw URL, keeps the number of series bounded.
        route: request.routeOptions.url ?? 'unmatched',
        status_code: reply.statusCode,
      },
      reply.elapsedTime / 1000,
    );
  });

  // Probes and scrapes run every few seconds: log them only when something goes wrong.
  const quiet = { logLevel: 'warn' } as const;

  app.get('/healthz', quiet, async () => ({ status: 'ok' }));

  app.get('/readyz', quiet, async (_request, reply) => {
    if (readiness.shuttingDown) {
      return reply.code(503).send({ status: 'shutting down' });
    }
    return { status: 'ready' };
  });

  app.get('/metrics', quiet, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });

  app.get('/openapi.yaml', async (_request, reply) => {
    reply.type('application/yaml');
    return openapiDocument;
  });

  registerHelloRoutes(app);

  return app;
}
