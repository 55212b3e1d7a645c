/*
 * Instances whose clusters cannot be read, or stop answering, while others keep working; and the
 * configuration of instances through `argocd.instances`.
 */
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  EntityApplicationsResponse,
  InstanceState,
} from '@paved/plugin-argocd-common';
import { eventually, startKubernetesStandIn } from '@paved/sandbox';
import { Server } from 'node:http';
import request from 'supertest';
import {
  DeployedRevisions,
  KUBERNETES_TOKEN,
  TestCluster,
  clusterConfig,
  createApplication,
  startCluster,
} from './__testUtils__/standIns';
import argocdPlugin from '.';

jest.setTimeout(60_000);

const cart: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'cart',
    namespace: 'default',
    annotations: { 'argocd/app-name': 'cart,checkout' },
  },
  spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
};

const repoURL = 'https://git.example.com/acme/cart.git';

describe('argocd backend plugin with failing clusters', () => {
  const revisions = new DeployedRevisions();
  let dev: TestCluster;
  let staging: TestCluster;
  let prod: TestCluster;
  let server: Server;
  let stopBackend: () => Promise<void>;

  async function cartApplications() {
    const res = await request(server)
      .get('/api/argocd/entity/component/default/cart/applications')
      .set('Authorization', mockCredentials.user.header());
    expect(res.status).toBe(200);
    return res.body as EntityApplicationsResponse;
  }

  function stateOf(body: EntityApplicationsResponse, instance: string) {
    return body.instances.find(i => i.instance === instance) as InstanceState;
  }

  beforeAll(async () => {
    dev = await startCluster('dev', revisions);
    staging = await startCluster('staging', revisions, dev.standIn.tls);
    prod = await startCluster('prod', revisions, dev.standIn.tls);
    await createApplication(dev, { name: 'cart', repoURL });
    await createApplication(dev, {
      name: 'cart',
      namespace: 'team-a',
      repoURL,
    });
    await createApplication(staging, { name: 'cart', repoURL });
    await createApplication(prod, { name: 'cart', repoURL });

    const backend = await startTestBackend({
      features: [
        argocdPlugin,
        mockServices.rootConfig.factory({
          data: {
            kubernetes: {
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: [
                    clusterConfig(dev),
                    clusterConfig(staging),
                    clusterConfig(prod, { serviceAccountToken: 'stolen' }),
                    clusterConfig(dev, {
                      name: 'untrusted',
                      caData: undefined,
                    }),
                    clusterConfig(dev, {
                      name: 'insecure',
                      caData: undefined,
                      skipTLSVerify: true,
                    }),
                    clusterConfig(dev, { name: 'eks', authProvider: 'aws' }),
                  ],
                },
              ],
            },
            argocd: {
              instances: [
                {
                  name: 'dev-argocd',
                  cluster: 'dev',
                  title: 'Development',
                  namespaces: ['argocd'],
                  url: 'https://argocd.dev.example.com/',
                },
                { name: 'staging', cluster: 'staging' },
                { name: 'prod', cluster: 'prod' },
                { name: 'untrusted', cluster: 'untrusted' },
                { name: 'insecure', cluster: 'insecure' },
                { name: 'eks', cluster: 'eks' },
              ],
            },
          },
        }),
        catalogServiceMock.factory({ entities: [cart] }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
      ],
    });
    server = backend.server;
    stopBackend = () => backend.stop();

    await eventually(async () => {
      const body = await cartApplications();
      if (
        body.instances.some(i => i.status === 'loading') ||
        stateOf(body, 'dev-argocd').status !== 'ready' ||
        stateOf(body, 'staging').status !== 'ready'
      ) {
        throw new Error(`not ready: ${JSON.stringify(body.instances)}`);
      }
    });
  });

  afterAll(async () => {
    await stopBackend?.();
    await Promise.all([
      dev?.standIn.stop(),
      staging?.standIn.stop(),
      prod?.standIn.stop(),
    ]);
  });

  it('reports each broken instance with its reason and serves the others', async () => {
    const body = await cartApplications();
    expect(body.instances).toEqual([
      {
        instance: 'dev-argocd',
        title: 'Development',
        cluster: 'dev',
        status: 'ready',
        lastContactAt: expect.any(String),
      },
      expect.objectContaining({ instance: 'staging', status: 'ready' }),
      {
        instance: 'prod',
        title: 'prod',
        cluster: 'prod',
        status: 'error',
        error: 'credentials rejected by cluster prod (401)',
      },
      {
        instance: 'untrusted',
        title: 'untrusted',
        cluster: 'untrusted',
        status: 'error',
        error: expect.stringMatching(
          /^TLS verification of cluster untrusted at https:\/\/127\.0\.0\.1:\d+ failed \(DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate\); check its caData or caFile$/,
        ),
      },
      // skipTLSVerify: true is honoured when it is set explicitly.
      expect.objectContaining({ instance: 'insecure', status: 'ready' }),
      {
        instance: 'eks',
        title: 'eks',
        cluster: 'eks',
        status: 'error',
        error:
          "cluster eks uses auth provider 'aws'; Paved's plugins read clusters with a service account token only (authProvider: serviceAccount)",
      },
    ]);
    // dev-argocd reads only the argocd namespace, so team-a/cart is not there.
    expect(
      body.applications.map(a => `${a.instance}:${a.namespace}/${a.name}`),
    ).toEqual([
      'dev-argocd:argocd/cart',
      'staging:argocd/cart',
      'insecure:argocd/cart',
      'insecure:team-a/cart',
    ]);
    expect(body.applications[0]).toMatchObject({
      instanceTitle: 'Development',
      argocdUrl: 'https://argocd.dev.example.com/applications/argocd/cart',
    });
  });

  it('relists after the watch expires (410) without reporting an error', async () => {
    dev.standIn.expireWatches();
    await createApplication(dev, { name: 'checkout', repoURL });
    const seen: string[] = [];
    await eventually(async () => {
      const body = await cartApplications();
      seen.push(stateOf(body, 'dev-argocd').status);
      expect(body.applications.map(a => a.name)).toContain('checkout');
    });
    expect(new Set(seen)).toEqual(new Set(['ready']));
  });

  it('keeps the last known Applications of a cluster that went away, then reconnects', async () => {
    const { port } = new URL(staging.standIn.url);
    await staging.standIn.stop();

    const whileDown = await eventually(async () => {
      const body = await cartApplications();
      expect(stateOf(body, 'staging').status).toBe('error');
      return body;
    });
    expect(stateOf(whileDown, 'staging').error).toMatch(
      /^cluster staging unreachable at https:\/\/127\.0\.0\.1:\d+: connect ECONNREFUSED/,
    );
    expect(
      whileDown.applications.filter(a => a.instance === 'staging'),
    ).toHaveLength(1);
    expect(stateOf(whileDown, 'dev-argocd').status).toBe('ready');

    // The cluster comes back on the same address, holding other Applications.
    const restarted = await startKubernetesStandIn({
      clusterName: 'staging',
      token: KUBERNETES_TOKEN,
      port: Number(port),
      tls: dev.standIn.tls,
      controllers: { crossplane: false, delayMs: 100 },
    });
    staging = { ...staging, standIn: restarted };
    await createApplication(staging, { name: 'checkout', repoURL });
    const recovered = await eventually(async () => {
      const body = await cartApplications();
      expect(stateOf(body, 'staging').status).toBe('ready');
      return body;
    }, 40_000);
    expect(
      recovered.applications
        .filter(a => a.instance === 'staging')
        .map(a => a.name),
    ).toEqual(['checkout']);
  });

  it('refuses to start when an instance names an unknown cluster', async () => {
    await expect(
      startTestBackend({
        features: [
          argocdPlugin,
          mockServices.rootConfig.factory({
            data: {
              kubernetes: {
                clusterLocatorMethods: [
                  { type: 'config', clusters: [clusterConfig(dev)] },
                ],
              },
              argocd: { instances: [{ name: 'prod', cluster: 'production' }] },
            },
          }),
          catalogServiceMock.factory({ entities: [] }),
        ],
      }),
    ).rejects.toThrow(
      "Argo CD instance 'prod' names cluster 'production', which is not configured in kubernetes.clusterLocatorMethods (configured: dev)",
    );
  });
});
