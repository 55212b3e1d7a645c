import type { FastifyInstance } from 'fastify';

interface HelloQuery {
  name?: string;
}

/** The example resource: replace it with the service's own routes (and document them in openapi.yaml). */
export function registerHelloRoutes(app: FastifyInstance): void {
  app.get<{ Querystring: HelloQuery }>(
    '/v1/hello',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { name: { type: 'string', minLength: 1, maxLength: 64 } },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: { message: { type: 'string' } },
            required: ['message'],
          },
        },
      },
    },
    async request => ({ message: `Hello, ${request.query.name ?? 'world'}!` }),
  );
}
