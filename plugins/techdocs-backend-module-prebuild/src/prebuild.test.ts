import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { prebuildAllDocs } from './prebuild';

const component = (name: string, docs = true): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: docs ? { 'backstage.io/techdocs-ref': 'dir:.' } : {},
  },
  spec: {},
});

/** Answers /sync/... like the TechDocs backend: an event stream ending in finish or error. */
function fakeTechDocs(outcomes: Record<string, string>) {
  const requests: { path: string; auth?: string }[] = [];
  const server = createServer((req, res) => {
    requests.push({ path: req.url!, auth: req.headers.authorization });
    const name = req.url!.split('/').pop()!;
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    res.write(`event: log\ndata: "building ${name}"\n\n`);
    res.end(outcomes[name] ?? `event: finish\ndata: {"updated":true}\n\n`);
  });
  return { server, requests };
}

describe('prebuildAllDocs', () => {
  let server: Server;
  afterEach(() => new Promise(resolve => server.close(resolve)));

  it('syncs every entity with docs, counts fresh ones, and keeps going past a failure', async () => {
    const fake = fakeTechDocs({
      'cart-service': `event: finish\ndata: {"updated":false}\n\n`,
      'broken-service': `event: error\ndata: "mkdocs: Config value 'nav' is invalid"\n\n`,
    });
    server = fake.server;
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const result = await prebuildAllDocs({
      auth: mockServices.auth(),
      catalog: catalogServiceMock({
        entities: [
          component('payments-service'),
          component('broken-service'),
          component('cart-service'),
          component('no-docs', false),
        ],
      }),
      discovery: mockServices.discovery.mock({ getBaseUrl: async () => url }),
      logger: mockServices.logger.mock(),
    });

    expect(result).toEqual({
      built: 1,
      upToDate: 1,
      failed: ['default/Component/broken-service'],
    });
    expect(fake.requests.map(r => r.path).sort()).toEqual([
      '/sync/default/Component/broken-service',
      '/sync/default/Component/cart-service',
      '/sync/default/Component/payments-service',
    ]);
    // Each call carries a service token, as the TechDocs backend requires.
    expect(fake.requests.every(r => r.auth?.startsWith('Bearer '))).toBe(true);
  });
});
