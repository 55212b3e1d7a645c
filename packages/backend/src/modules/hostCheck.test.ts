import { ConfigReader } from '@backstage/config';
import { createHostCheck } from './hostCheck';

function answer(
  config: object,
  host: string | undefined,
  path = '/api/catalog/entities',
) {
  const check = createHostCheck(new ConfigReader(config));
  const result: { passed: boolean; status?: number; body?: any } = {
    passed: false,
  };
  check(
    { path, method: 'GET', originalUrl: path, headers: { host } },
    {
      status(code: number) {
        result.status = code;
        return {
          json(body: unknown) {
            result.body = body;
          },
        };
      },
    },
    () => {
      result.passed = true;
    },
  );
  return result;
}

const config = {
  app: { baseUrl: 'https://paved.acme.dev' },
  backend: {
    baseUrl: 'https://paved.acme.dev',
    allowedHosts: ['paved-backend.paved.svc'],
  },
  discovery: {
    endpoints: [
      {
        target: { internal: 'http://paved-internal:7007/api/{{pluginId}}' },
        plugins: ['catalog'],
      },
    ],
  },
};

describe('host check', () => {
  it('lets through the portal, its discovery targets and configured extra names, on any port', () => {
    for (const host of [
      'paved.acme.dev',
      'PAVED.acme.dev:443',
      'paved-internal:7007',
      'paved-backend.paved.svc',
    ]) {
      expect(answer(config, host).passed).toBe(true);
    }
  });

  it('refuses a foreign host with a 403 that says how to allow a proxy name', () => {
    const result = answer(config, 'rebind.attacker.example:7007');
    expect(result.passed).toBe(false);
    expect(result.status).toBe(403);
    expect(result.body.error.message).toContain('rebind.attacker.example');
    expect(result.body.error.message).toContain('backend.allowedHosts');
    expect(answer(config, undefined).status).toBe(403);
  });

  it('lets through the address plugins use to call each other, as discovery derives it', () => {
    const withListen = (listen: unknown) => ({
      ...config,
      backend: { ...config.backend, listen },
    });
    expect(
      answer(withListen({ host: '127.0.0.1', port: 7007 }), '127.0.0.1:7007')
        .passed,
    ).toBe(true);
    expect(answer(withListen(':7007'), 'localhost:7007').passed).toBe(true);
    expect(
      answer(withListen({ host: '0.0.0.0', port: 7007 }), '127.0.0.1:7007')
        .passed,
    ).toBe(true);
    expect(
      answer(withListen({ host: '127.0.0.1', port: 7007 }), '10.1.2.3:7007')
        .status,
    ).toBe(403);
  });

  it('leaves health checks open, since probes address pods by IP', () => {
    expect(
      answer(config, '10.0.3.7:7007', '/.backstage/health/v1/readiness').passed,
    ).toBe(true);
  });
});
