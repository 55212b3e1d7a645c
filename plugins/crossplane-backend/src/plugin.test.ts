/*
 * The plugin as a whole, over HTTPS, against a Kubernetes API stand-in serving the sandbox's
 * offered XRDs, and a configured cluster nobody answers at.
 */
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import {
  eventually,
  KubernetesStandIn,
  standInClusterConfig,
  standInKubeConfig,
  startKubernetesStandIn,
} from '@paved/sandbox';
import { Server } from 'node:http';
import request from 'supertest';
import { Offering, OfferingsResponse } from '@paved/plugin-crossplane-common';
import crossplanePlugin from '.';

jest.setTimeout(60_000);

const TOKEN = 'crossplane-plugin-test-token';
const MEMBER = 'user:default/carol';
const OUTSIDER = 'user:default/mallory';

describe('crossplane backend plugin', () => {
  let standIn: KubernetesStandIn;
  let xrds: CustomObjectsApi;
  let server: Server;
  let stopBackend: () => Promise<void>;

  const get = (path: string, user = MEMBER) =>
    request(server)
      .get(`/api/crossplane${path}`)
      .set('Authorization', mockCredentials.user.header(user));

  async function offerings() {
    const res = await get('/offerings');
    expect(res.status).toBe(200);
    return res.body as OfferingsResponse;
  }
  const names = (body: OfferingsResponse) => body.offerings.map(o => o.name);

  beforeAll(async () => {
    standIn = await startKubernetesStandIn({
      clusterName: 'dev',
      token: TOKEN,
      controllers: { crossplane: false, argoCd: false, workloads: false },
    });
    xrds = standInKubeConfig(standIn, TOKEN).makeApiClient(CustomObjectsApi);
    const backend = await startTestBackend({
      features: [
        crossplanePlugin,
        mockServices.rootConfig.factory({
          data: {
            kubernetes: {
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: [
                    standInClusterConfig(standIn, TOKEN),
                    {
                      ...standInClusterConfig(standIn, TOKEN),
                      name: 'gone',
                      title: 'gone',
                      // Port 1 on loopback: nothing listens, the connection is refused.
                      url: 'https://127.0.0.1:1',
                    },
                  ],
                },
              ],
            },
            crossplane: {
              offerings: { allow: ['gadgets.allowed.example.org'] },
            },
          },
        }),
        mockServices.permissions.mock({
          async authorize(requests, options) {
            const user = (options.credentials.principal as any).userEntityRef;
            return requests.map(() => ({
              result:
                user === OUTSIDER
                  ? AuthorizeResult.DENY
                  : AuthorizeResult.ALLOW,
            }));
          },
        }).factory,
      ],
    });
    server = backend.server;
    stopBackend = () => backend.stop();
    await eventually(async () => {
      const res = await get('/offerings');
      const dev = (res.body as OfferingsResponse).clusters?.[0];
      if (dev?.status !== 'ready') {
        throw new Error(`cluster dev not read yet: ${JSON.stringify(dev)}`);
      }
    });
  });

  afterAll(async () => {
    await stopBackend?.();
    await standIn?.stop();
  });

  /** A v2 XRD with one parameter, offered by label unless `labels` says otherwise. */
  const widgetXrd = (
    group: string,
    labels: Record<string, string> = { 'paved.dev/offered': 'true' },
  ) => ({
    apiVersion: 'apiextensions.crossplane.io/v2',
    kind: 'CompositeResourceDefinition',
    metadata: { name: `gadgets.${group}`, labels },
    spec: {
      group,
      names: { kind: 'Gadget', plural: 'gadgets' },
      versions: [
        {
          name: 'v1',
          served: true,
          referenceable: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  properties: { size: { type: 'integer', maximum: 3 } },
                },
              },
            },
          },
        },
      ],
    },
  });
  const createXrd = (body: object) =>
    xrds.createClusterCustomObject({
      group: 'apiextensions.crossplane.io',
      version: 'v2',
      plural: 'compositeresourcedefinitions',
      body,
    });

  it('lists the sandbox offerings with their forms, and the unreachable cluster as an error', async () => {
    const body = await offerings();
    expect(names(body)).toEqual([
      'caches.platform.paved.dev',
      'postgresqlinstances.platform.paved.dev',
      'xbuckets.platform.paved.dev',
    ]);
    const database = body.offerings[1];
    expect(database).toMatchObject({
      kind: 'PostgreSQLInstance',
      apiVersion: 'v2',
      scope: 'Namespaced',
      clusters: ['dev'],
    });
    expect(
      database.schema.properties!.parameters.properties!.storageGB,
    ).toMatchObject({ minimum: 10, maximum: 500 });
    expect(body.offerings[2]).toMatchObject({
      apiVersion: 'v1',
      scope: 'LegacyCluster',
      claim: { kind: 'Bucket', plural: 'buckets' },
    });
    expect(body.clusters).toEqual([
      expect.objectContaining({ name: 'dev', status: 'ready' }),
      {
        name: 'gone',
        title: 'gone',
        status: 'error',
        error: expect.stringMatching(
          /^cluster gone unreachable at https:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/,
        ),
      },
    ]);
  });

  it('serves one offering by name, and 404 for one not offered', async () => {
    const res = await get('/offerings/caches.platform.paved.dev');
    expect(res.status).toBe(200);
    expect((res.body as Offering).kind).toBe('Cache');
    const missing = await get('/offerings/nothing.example.org');
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe(
      "No offering named 'nothing.example.org'",
    );
    expect((await get('/offerings/Not_A_Name')).status).toBe(400);
  });

  it('answers 403 to a caller the policy denies', async () => {
    const list = await get('/offerings', OUTSIDER);
    expect(list.status).toBe(403);
    expect(list.body.error.name).toBe('NotAllowedError');
    expect(
      (await get('/offerings/caches.platform.paved.dev', OUTSIDER)).status,
    ).toBe(403);
  });

  it('offers a new labelled or allow-listed XRD without a restart, and ignores an unlabelled one', async () => {
    await createXrd(widgetXrd('labelled.example.org'));
    await createXrd(widgetXrd('allowed.example.org', {}));
    await createXrd(widgetXrd('unlabelled.example.org', {}));
    await eventually(async () => {
      const body = await offerings();
      expect(names(body)).toEqual(
        expect.arrayContaining([
          'gadgets.labelled.example.org',
          'gadgets.allowed.example.org',
        ]),
      );
    });
    const body = await offerings();
    expect(names(body)).not.toContain('gadgets.unlabelled.example.org');
    expect(
      body.offerings.find(o => o.name === 'gadgets.labelled.example.org')
        ?.schema.properties?.size,
    ).toEqual({ type: 'integer', maximum: 3 });
  });

  it('stops offering an XRD whose label is removed', async () => {
    await eventually(async () =>
      expect(names(await offerings())).toContain(
        'gadgets.labelled.example.org',
      ),
    );
    await xrds.patchClusterCustomObject(
      {
        group: 'apiextensions.crossplane.io',
        version: 'v2',
        plural: 'compositeresourcedefinitions',
        name: 'gadgets.labelled.example.org',
        body: { metadata: { labels: { 'paved.dev/offered': null } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await eventually(async () =>
      expect(names(await offerings())).not.toContain(
        'gadgets.labelled.example.org',
      ),
    );
  });

  it('makes no Kubernetes requests while serving', async () => {
    const before = standIn.requests();
    for (let i = 0; i < 5; i++) {
      expect(names(await offerings())).toHaveLength(4);
      expect((await get('/offerings/caches.platform.paved.dev')).status).toBe(
        200,
      );
    }
    expect(standIn.requests()).toEqual(before);
    // The counter does see the plugin's own list and watch.
    expect(before.byVerb.list).toBeGreaterThanOrEqual(1);
    expect(before.watches).toBeGreaterThanOrEqual(1);
  });
});
