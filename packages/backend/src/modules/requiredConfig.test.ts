import { ConfigReader } from '@backstage/config';
import { findMissingConfig } from './requiredConfig';

const required = [
  { key: 'backend.database.connection.host', env: 'POSTGRES_HOST' },
  { key: 'kubernetes.clusters[0].url', env: 'K8S_PROD_URL' },
  { key: 'app.baseUrl' },
];

describe('findMissingConfig', () => {
  it('names every missing key with the variable to set', () => {
    const config = new ConfigReader({ paved: { requiredConfig: required } });
    expect(findMissingConfig(config)).toEqual([
      'backend.database.connection.host (set POSTGRES_HOST)',
      'kubernetes.clusters[0].url (set K8S_PROD_URL)',
      'app.baseUrl',
    ]);
  });

  it('accepts a config where every required key is set, including array items', () => {
    const config = new ConfigReader({
      paved: { requiredConfig: required },
      app: { baseUrl: 'https://paved.example.com' },
      backend: { database: { connection: { host: 'db' } } },
      kubernetes: { clusters: [{ url: 'https://k8s.example.com' }] },
    });
    expect(findMissingConfig(config)).toEqual([]);
  });

  it('reports a key whose parent is a value of another type as missing', () => {
    const config = new ConfigReader({
      paved: {
        requiredConfig: [
          { key: 'backend.database.connection.host', env: 'POSTGRES_HOST' },
        ],
      },
      backend: { database: { connection: ':memory:' } },
    });
    expect(findMissingConfig(config)).toEqual([
      'backend.database.connection.host (set POSTGRES_HOST)',
    ]);
  });

  it('reports an array item that exists without the nested key', () => {
    const config = new ConfigReader({
      paved: { requiredConfig: [{ key: 'kubernetes.clusters[1].url' }] },
      kubernetes: { clusters: [{ url: 'https://k8s.example.com' }] },
    });
    expect(findMissingConfig(config)).toEqual(['kubernetes.clusters[1].url']);
  });
});
