/*
 * `yarn bench:argocd`: how fast Paved's Argo CD backend serves an entity's deployment status
 * from its watch-backed cache, how many Kubernetes requests that costs, and how much memory the
 * cache holds, next to the same card views served by a per-view fetch from the Kubernetes API.
 * Prints figures; asserts nothing. See bench/README.md for what is measured and how to read it.
 */
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { CustomObjectsApi } from '@kubernetes/client-node';
import {
  StandInAddress,
  standInClusterConfig,
  standInKubeConfig,
} from '@paved/sandbox';
import argocdPlugin from '@paved/plugin-argocd-backend';
import {
  EntityApplicationsResponse,
  argocdApplicationReadPermission,
  matchesSelection,
  parseApplicationSelection,
} from '@paved/plugin-argocd-common';
import { randomBytes } from 'node:crypto';
import express from 'express';
import { BENCH_LABEL, BenchApplication } from './argocdApplications';
import { BenchClusters } from './clusters';
import { BenchClient, client, summarise, sumCounts, until } from './measure';

const VIEWS = 1000;
const WARM_UP_VIEWS = 100;
const GOAL_P95_MS = 20;

type ClusterAccess = StandInAddress;

/** One catalog Component per component, annotated by name (60 %) or by selector (40 %). */
function benchEntities(applications: BenchApplication[]): Entity[] {
  const byComponent = new Map<string, BenchApplication[]>();
  for (const app of applications) {
    byComponent.set(app.component, [
      ...(byComponent.get(app.component) ?? []),
      app,
    ]);
  }
  return [...byComponent.entries()].map(([component, apps], index) => {
    const names = [...new Set(apps.map(a => a.name))];
    const annotations: Record<string, string> =
      index % 5 < 3
        ? { 'argocd/app-name': names.join(',') }
        : {
            'argocd/app-selector': `backstage.io/kubernetes-id=${component}`,
            ...(index % 10 === 4
              ? { 'argocd/project-name': apps[0].project }
              : {}),
          };
    return {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: component, namespace: 'default', annotations },
      spec: {
        type: 'service',
        owner: apps[0].project,
        lifecycle: 'production',
      },
    };
  });
}

/** An entity that claims every bench Application, to see when the cache has them all. */
const EVERYTHING: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'bench-everything',
    namespace: 'default',
    annotations: { 'argocd/app-selector': `${BENCH_LABEL}=true` },
  },
  spec: { type: 'service', owner: 'bench', lifecycle: 'experimental' },
};

/**
 * What community Argo CD plugins do per page view, as a backend route for a fair comparison:
 * the same HTTP stack, token check, catalog read and permission check as Paved's route, then a
 * list of Applications from every cluster (one per name, or one by label selector) instead of a
 * cache lookup.
 */
function perViewFetchPlugin(clusters: ClusterAccess[], token: string) {
  return createBackendPlugin({
    pluginId: 'argocd-direct',
    register(env) {
      env.registerInit({
        deps: {
          httpRouter: coreServices.httpRouter,
          httpAuth: coreServices.httpAuth,
          permissions: coreServices.permissions,
          catalog: catalogServiceRef,
        },
        async init({ httpRouter, httpAuth, permissions, catalog }) {
          const apis = clusters.map(cluster => {
            const kubeConfig = standInKubeConfig(cluster, token);
            return {
              cluster: cluster.clusterName,
              api: kubeConfig.makeApiClient(CustomObjectsApi),
            };
          });
          const list = (api: CustomObjectsApi, selector: object) =>
            api.listClusterCustomObject({
              group: 'argoproj.io',
              version: 'v1alpha1',
              plural: 'applications',
              ...selector,
            }) as Promise<{ items: any[] }>;
          const router = express.Router();
          router.get(
            '/entity/:kind/:namespace/:name/applications',
            (req, res, next) => {
              (async () => {
                const credentials = await httpAuth.credentials(req);
                const entity = await catalog.getEntityByRef(req.params as any, {
                  credentials,
                });
                if (!entity) {
                  throw new NotFoundError('no such entity');
                }
                // One conditional decision per view, as the plugin asks it.
                const [decision] = await permissions.authorizeConditional(
                  [{ permission: argocdApplicationReadPermission }],
                  { credentials },
                );
                if (decision.result === AuthorizeResult.DENY) {
                  throw new NotAllowedError();
                }
                const selection = parseApplicationSelection(entity);
                const perCluster = await Promise.all(
                  apis.map(async ({ cluster, api }) => {
                    const lists = selection.names
                      ? await Promise.all(
                          selection.names.map(name =>
                            list(api, {
                              fieldSelector: `metadata.name=${name}`,
                            }),
                          ),
                        )
                      : [
                          await list(api, {
                            labelSelector:
                              entity.metadata.annotations![
                                'argocd/app-selector'
                              ],
                          }),
                        ];
                    return lists
                      .flatMap(l => l.items)
                      .filter(app =>
                        matchesSelection(selection, {
                          instance: cluster,
                          namespace: app.metadata.namespace,
                          name: app.metadata.name,
                          project: app.spec.project,
                          labels: app.metadata.labels,
                        }),
                      );
                  }),
                );
                res.json({ applications: perCluster.flat() });
              })().catch(next);
            },
          );
          httpRouter.use(router);
        },
      });
    },
  });
}

/** Serves each entity's card view once, one at a time, and returns the latencies in ms. */
async function views(
  get: BenchClient,
  base: string,
  entities: Entity[],
  expect: (entity: Entity, body: any) => void,
): Promise<number[]> {
  const latencies: number[] = [];
  for (const entity of entities) {
    const path = `${base}/entity/component/default/${entity.metadata.name}/applications`;
    const started = process.hrtime.bigint();
    const { status, body } = await get(path);
    latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (status !== 200) {
      throw new Error(`GET ${path} answered ${status}: ${body}`);
    }
    expect(entity, JSON.parse(body));
  }
  return latencies;
}

async function heapAfterGc(): Promise<number> {
  const gc = (global as { gc?: () => void }).gc;
  if (!gc) {
    throw new Error('run with --expose-gc (yarn bench:argocd does)');
  }
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise(resolve => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

async function main() {
  const startedAt = Date.now();
  const log = (message: string) =>
    process.stderr.write(
      `[${((Date.now() - startedAt) / 1000).toFixed(1)}s] ${message}\n`,
    );

  log('starting 3 stand-in clusters in a child process');
  const {
    clusters,
    access,
    token: kubernetesToken,
  } = await BenchClusters.start();
  try {
    const { applications, jsonBytes } = await clusters.ask<'created'>({
      type: 'create',
    });
    log(`created ${applications.length} Applications`);
    const entities = benchEntities(applications);
    const expected = new Map<string, number>();
    for (const entity of entities) {
      const selection = parseApplicationSelection(entity);
      expected.set(
        entity.metadata.name,
        applications.filter(app =>
          matchesSelection(selection, {
            instance: app.cluster,
            namespace: app.namespace,
            name: app.name,
            project: app.project,
            labels: { 'backstage.io/kubernetes-id': app.component },
          }),
        ).length,
      );
    }

    const benchToken = randomBytes(24).toString('base64url');
    log('starting the backend with @paved/plugin-argocd-backend');
    const backend = await startTestBackend({
      features: [
        argocdPlugin,
        perViewFetchPlugin(access, kubernetesToken),
        catalogServiceMock.factory({ entities: [...entities, EVERYTHING] }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
        // Real token handling: the card views carry a static external-access token.
        authServiceFactory,
        httpAuthServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            backend: {
              baseUrl: 'http://localhost:7007',
              auth: {
                externalAccess: [
                  {
                    type: 'static',
                    options: { token: benchToken, subject: 'bench-card-views' },
                  },
                ],
              },
            },
            kubernetes: {
              serviceLocatorMethod: { type: 'multiTenant' },
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: access.map(cluster =>
                    standInClusterConfig(cluster, kubernetesToken),
                  ),
                },
              ],
            },
          },
        }),
      ],
    });
    const get = client(backend.server, benchToken);
    const everything = `/api/argocd/entity/component/default/${EVERYTHING.metadata.name}/applications`;
    const cached = async () =>
      JSON.parse((await get(everything)).body) as EntityApplicationsResponse;
    await until(
      'every instance is ready with all Applications cached',
      async () => {
        const state = await cached();
        return (
          state.instances?.length === 3 &&
          state.instances.every(i => i.status === 'ready') &&
          state.applications.length === applications.length
        );
      },
    );
    log('cache ready');

    const checkCache = (entity: Entity, body: EntityApplicationsResponse) => {
      const want = expected.get(entity.metadata.name);
      if (body.applications.length !== want) {
        throw new Error(
          `${entity.metadata.name}: cache served ${body.applications.length} Applications, expected ${want}`,
        );
      }
    };
    const checkDirect = (entity: Entity, body: { applications: unknown[] }) => {
      const want = expected.get(entity.metadata.name);
      if (body.applications.length !== want) {
        throw new Error(
          `${entity.metadata.name}: per-view fetch found ${body.applications.length} Applications, expected ${want}`,
        );
      }
    };

    // Warm-up (JIT, connection, catalog mock, token handler) for both routes, then measure.
    const warmUp = entities.slice(0, WARM_UP_VIEWS);
    await views(get, '/api/argocd', warmUp, checkCache);
    await views(get, '/api/argocd-direct', warmUp, checkDirect);

    const measured = entities.slice(0, VIEWS);
    await clusters.ask<'counts'>({ type: 'resetCounts' });
    log(`serving ${measured.length} card views from the cache`);
    const cacheLatencies = await views(
      get,
      '/api/argocd',
      measured,
      checkCache,
    );
    const cacheCounts = (await clusters.ask<'counts'>({ type: 'resetCounts' }))
      .counts;

    log(`serving ${measured.length} card views by per-view fetch`);
    const directLatencies = await views(
      get,
      '/api/argocd-direct',
      measured,
      checkDirect,
    );
    const directCounts = (await clusters.ask<'counts'>({ type: 'counts' }))
      .counts;

    log('measuring the heap with and without the cached Applications');
    const heapWithCache = await heapAfterGc();
    await clusters.ask<'deleted'>({ type: 'deleteAll' });
    await until(
      'the cache has seen every Application deleted',
      async () => (await cached()).applications.length === 0,
    );
    const heapWithoutCache = await heapAfterGc();

    await backend.stop();

    const cache = summarise(cacheLatencies);
    const direct = summarise(directLatencies);
    const cacheRequests = sumCounts(cacheCounts);
    const directRequests = sumCounts(directCounts);
    const cacheBytes = heapWithCache - heapWithoutCache;
    const ms = (value: number) => value.toFixed(2);
    const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

    const rows = [
      ['', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'k8s requests'],
      [
        'cache (Paved)',
        ms(cache.p50),
        ms(cache.p95),
        ms(cache.p99),
        ms(cache.max),
        String(cacheRequests.total),
      ],
      [
        'per-view fetch',
        ms(direct.p50),
        ms(direct.p95),
        ms(direct.p99),
        ms(direct.max),
        String(directRequests.total),
      ],
    ];
    const widths = rows[0].map((_, i) =>
      Math.max(...rows.map(r => r[i].length)),
    );
    const lines = [
      `Argo CD status card: ${measured.length} views, ${entities.length} entities, ${applications.length} Applications on ${access.length} clusters`,
      ...rows.map(r =>
        r
          .map((cell, i) =>
            i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]),
          )
          .join('  '),
      ),
      `cache memory: ${mib(cacheBytes)} MiB for ${
        applications.length
      } Applications, ${mib(jsonBytes)} MiB as JSON (heap after GC ${mib(
        heapWithCache,
      )} MiB with, ${mib(heapWithoutCache)} MiB without)`,
      '',
      `argocd.views=${measured.length}`,
      `argocd.applications=${applications.length}`,
      `argocd.cache.p50_ms=${ms(cache.p50)}`,
      `argocd.cache.p95_ms=${ms(cache.p95)}`,
      `argocd.cache.p99_ms=${ms(cache.p99)}`,
      `argocd.cache.max_ms=${ms(cache.max)}`,
      `argocd.cache.p95_goal_ms=${GOAL_P95_MS}`,
      `argocd.cache.p95_within_goal=${cache.p95 <= GOAL_P95_MS}`,
      `argocd.cache.k8s_requests=${cacheRequests.total}`,
      `argocd.cache.k8s_watch_requests=${cacheRequests.watches}`,
      `argocd.cache.heap_bytes=${cacheBytes}`,
      `argocd.applications_json_bytes=${jsonBytes}`,
      `argocd.cache.heap_bytes_per_application=${Math.round(
        cacheBytes / applications.length,
      )}`,
      `argocd.direct.p50_ms=${ms(direct.p50)}`,
      `argocd.direct.p95_ms=${ms(direct.p95)}`,
      `argocd.direct.p99_ms=${ms(direct.p99)}`,
      `argocd.direct.max_ms=${ms(direct.max)}`,
      `argocd.direct.k8s_requests=${directRequests.total}`,
      `argocd.runtime_s=${((Date.now() - startedAt) / 1000).toFixed(1)}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await clusters.stop();
  }
}

main().then(
  () => process.exit(0),
  error => {
    process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
    process.exit(1);
  },
);
