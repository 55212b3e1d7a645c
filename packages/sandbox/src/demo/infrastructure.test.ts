/*
 * The demo catalog's PostgreSQL databases seeded as live Crossplane
 * composites: in their team's namespace, labelled for Backstage, Ready,
 * with their connection Secret.
 */
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import {
  TestCluster,
  conditionOf,
  raw,
  startTestCluster,
} from '../kubernetes/__testUtils__/standIn';
import { findRepoRoot } from '../sandbox';
import { readDemoDatabases, seedInfrastructure } from './infrastructure';

const demoDir = join(findRepoRoot(process.cwd()), 'demo');

describe('the demo infrastructure', () => {
  let prod: TestCluster;
  let dev: TestCluster;

  beforeAll(async () => {
    const controllers = {
      crossplane: true,
      argoCd: false,
      workloads: false,
      delayMs: 20,
    };
    [prod, dev] = await Promise.all([
      startTestCluster({ controllers }),
      startTestCluster({ controllers }),
    ]);
    await seedInfrastructure({
      demoDir,
      teams: ['team-payments', 'team-newcomers'],
      clusters: [
        { name: 'sandbox-prod', kubeConfig: prod.kubeConfig },
        { name: 'sandbox-dev', kubeConfig: dev.kubeConfig },
      ],
    });
  });

  afterAll(() => Promise.all([prod, dev].map(c => c?.standIn.stop())));

  it("reads the catalog's PostgreSQL databases and their owners", () => {
    expect(
      readDemoDatabases(demoDir)
        .map(d => [d.name, d.owner, d.version])
        .sort(),
    ).toEqual([
      ['catalog-db', 'team-storefront', '15'],
      ['inventory-db', 'team-fulfilment', '15'],
      ['orders-db', 'team-fulfilment', '15'],
      ['payments-db', 'team-payments', '15'],
      ['tracking-db', 'team-tracking', '15'],
    ]);
  });

  it('gives every team a namespace to request infrastructure in, also teams without databases', async () => {
    for (const cluster of [dev, prod]) {
      const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
      const names = (await core.listNamespace()).items.map(
        ns => ns.metadata?.name,
      );
      expect(names).toEqual(
        expect.arrayContaining(['team-payments', 'team-newcomers']),
      );
    }
  });

  it("has every database Ready in its team's namespace on prod and dev, with its Secret", async () => {
    for (const [cluster, tier] of [
      [prod, 'high-availability'],
      [dev, 'dev'],
    ] as const) {
      const listed = await raw(
        cluster,
        'GET',
        '/apis/platform.paved.dev/v1alpha1/postgresqlinstances',
      );
      const byName = Object.fromEntries(
        listed.body.items.map((item: any) => [item.metadata.name, item]),
      );
      expect(Object.keys(byName).sort()).toEqual(
        readDemoDatabases(demoDir)
          .map(d => d.name)
          .sort(),
      );
      const payments = byName['payments-db'];
      expect(payments.metadata).toMatchObject({
        namespace: 'team-payments',
        labels: { 'backstage.io/kubernetes-id': 'payments-db' },
        annotations: { 'paved.dev/owner': 'group:default/team-payments' },
      });
      expect(payments.spec.parameters).toMatchObject({ version: '15', tier });
      for (const item of listed.body.items) {
        expect(conditionOf(item, 'Ready')).toMatchObject({
          status: 'True',
          reason: 'Available',
        });
        const secret = await raw(
          cluster,
          'GET',
          `/api/v1/namespaces/${item.metadata.namespace}/secrets/${item.metadata.name}-connection`,
        );
        expect(Object.keys(secret.body.data).sort()).toEqual([
          'database',
          'host',
          'password',
          'port',
          'username',
        ]);
      }
    }
  });
});
