/*
 * `yarn bench:crossplane`: the Crossplane self-service targets of the issue, against three
 * Kubernetes stand-ins whose simulated Crossplane composes what Paved creates:
 *   1. submit (POST /api/crossplane/requests) -> the resource exists on the cluster, p95 <= 1 s;
 *   2. the resource turns Ready -> the request page shows it (signal, then its reload), p95 <= 2 s;
 *   3. 500 live resources on 3 clusters -> the entity tab's live resources (GET /resources?entityRef=),
 *      p95 <= 20 ms, 0 Kubernetes calls per view; the entity's request list timed beside it.
 * Prints figures; asserts nothing. See bench/README.md for what is measured and how to read it.
 */
import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  eventsServiceFactory,
  eventsServiceRef,
} from '@backstage/plugin-events-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { Watch } from '@kubernetes/client-node';
import crossplanePlugin from '@paved/plugin-crossplane-backend';
import {
  EntityResourcesResponse,
  InfrastructureRequest,
  REQUEST_SIGNAL_CHANNEL,
  RequestList,
  RequestSignal,
  RequestStatus,
} from '@paved/plugin-crossplane-common';
import {
  StandInAddress,
  forceCompositeState,
  standInClusterConfig,
  standInKubeConfig,
} from '@paved/sandbox';
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { BenchClusters } from './clusters';
import { DatabaseKind, benchDatabase } from './database';
import {
  BenchClient,
  client,
  inParallel,
  summarise,
  sumCounts,
  until,
} from './measure';

const DELIVERY_GOAL_P95_MS = 1000;
const READY_GOAL_P95_MS = 2000;
const TAB_GOAL_P95_MS = 20;

const COMPONENTS = 100;
/** Submissions timed one at a time for target 1: each component's dev database. */
const MEASURED_SUBMITS = COMPONENTS;
/** Unmeasured submissions before those, to warm up the backend's paths. */
const WARM_UP_SUBMITS = 10;
/** Resources turned Ready one at a time for target 2. */
const READY_SAMPLES = 50;
const TAB_VIEWS = 1000;
const WARM_UP_VIEWS = 100;

const TEAMS = [
  'team-payments',
  'team-search',
  'team-checkout',
  'team-identity',
  'team-shipping',
  'team-inventory',
  'team-pricing',
  'team-ledger',
];
const ENGINEER = 'user:default/bench-engineer';
const DATABASE = 'postgresqlinstances.platform.paved.dev';
const CACHE = 'caches.platform.paved.dev';
const DATABASES = {
  group: 'platform.paved.dev',
  version: 'v1alpha1',
  plural: 'postgresqlinstances',
};
/**
 * The stand-ins' simulated Crossplane composes each new resource at once (Synced, Creating) and
 * would make it Ready after this delay: longer than the bench, so only the bench marks it Ready.
 */
const PROVISIONING_DELAY_MS = 10 * 60_000;

/** One request the bench makes: what the request form would send, and for whom. */
interface PlannedRequest {
  component: string;
  team: string;
  environment: 'dev' | 'staging' | 'prod';
  offering: string;
  name: string;
  parameters: object;
}

function componentName(index: number) {
  return `service-${String(index).padStart(3, '0')}`;
}

/**
 * Five resources per component, 500 in all: a database and a cache on dev, a database on
 * staging, a database and a cache on prod, in the namespace of the component's team.
 */
function plannedRequests(): PlannedRequest[] {
  const plan: PlannedRequest[] = [];
  const database = { offering: DATABASE, parameters: { storageGB: 20 } };
  const cache = {
    offering: CACHE,
    parameters: { engine: 'redis', memoryMB: 1024 },
  };
  for (let index = 0; index < COMPONENTS; index++) {
    const component = componentName(index);
    const team = TEAMS[index % TEAMS.length];
    for (const [environment, kind] of [
      ['dev', database],
      ['dev', cache],
      ['staging', database],
      ['prod', database],
      ['prod', cache],
    ] as const) {
      plan.push({
        component,
        team,
        environment,
        offering: kind.offering,
        name: `${component}-${kind === database ? 'db' : 'cache'}`,
        parameters: { parameters: kind.parameters },
      });
    }
  }
  return plan;
}

function componentEntity(name: string, team: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default' },
    spec: { type: 'service', lifecycle: 'production', owner: team },
    relations: [{ type: 'ownedBy', targetRef: `group:default/${team}` }],
  };
}

/** When things happened, by key, in `performance.now()` ms; waits resolve the moment they happen. */
class Moments {
  private readonly times = new Map<string, number>();
  private readonly waiting = new Map<string, Array<(at: number) => void>>();

  record(key: string) {
    if (this.times.has(key)) return;
    const at = performance.now();
    this.times.set(key, at);
    this.waiting.get(key)?.forEach(resolve => resolve(at));
    this.waiting.delete(key);
  }

  has(key: string) {
    return this.times.has(key);
  }

  when(key: string, timeoutMs = 30_000): Promise<number> {
    const at = this.times.get(key);
    if (at !== undefined) return Promise.resolve(at);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for ${key}`)),
        timeoutMs,
      );
      this.waiting.set(key, [
        ...(this.waiting.get(key) ?? []),
        time => {
          clearTimeout(timer);
          resolve(time);
        },
      ]);
    });
  }
}

/**
 * A bench-only plugin that hears every signal published in the backend, as the signals backend
 * does before it sends one to browsers: the request pages reload when theirs arrives.
 */
function signalListener(signals: Moments) {
  return createBackendPlugin({
    pluginId: 'bench-signals',
    register(env) {
      env.registerInit({
        deps: { events: eventsServiceRef },
        async init({ events }) {
          await events.subscribe({
            id: 'bench-signals',
            topics: ['signals'],
            async onEvent({ eventPayload }) {
              const { channel, message } = eventPayload as {
                channel?: string;
                message?: RequestSignal;
              };
              if (channel === REQUEST_SIGNAL_CHANNEL && message) {
                signals.record(`${message.id}:${message.status}`);
              }
            },
          });
        },
      });
    },
  });
}

/** A person's token, issued by the auth backend's guest provider as at sign-in. */
async function signIn(get: BenchClient): Promise<string> {
  const { status, body } = await get('/api/auth/guest/refresh');
  if (status !== 200) {
    throw new Error(`guest sign-in answered ${status}: ${body}`);
  }
  return JSON.parse(body).backstageIdentity.token;
}

function parseArgs(argv: string[]): { database: DatabaseKind } {
  let database = 'postgres';
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--database') database = argv[++i];
    else if (argv[i].startsWith('--database=')) database = argv[i].slice(11);
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  if (database !== 'postgres' && database !== 'sqlite') {
    throw new Error(`--database must be postgres or sqlite, not ${database}`);
  }
  return { database };
}

async function main() {
  const { database } = parseArgs(process.argv.slice(2));
  const startedAt = Date.now();
  const log = (message: string) =>
    process.stderr.write(
      `[${((Date.now() - startedAt) / 1000).toFixed(1)}s] ${message}\n`,
    );

  log(
    'starting 3 stand-in clusters with simulated Crossplane in a child process',
  );
  const {
    clusters,
    access,
    token: kubernetesToken,
  } = await BenchClusters.start({
    controllers: { crossplane: true, delayMs: PROVISIONING_DELAY_MS },
    namespaces: TEAMS,
  });
  log(`preparing the ${database} database`);
  const db = await benchDatabase(database);
  try {
    const plan = plannedRequests();
    const entities = [
      ...new Map(
        plan.map(p => [p.component, componentEntity(p.component, p.team)]),
      ).values(),
    ];
    const signals = new Moments();

    log('starting the backend with @paved/plugin-crossplane-backend');
    const backend = await startTestBackend({
      features: [
        crossplanePlugin,
        signalListener(signals),
        import('@backstage/plugin-auth-backend'),
        import('@backstage/plugin-auth-backend-module-guest-provider'),
        catalogServiceMock.factory({ entities }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
        // Real token handling: a person's token from the auth backend, verified on every call.
        authServiceFactory,
        httpAuthServiceFactory,
        eventsServiceFactory,
        schedulerServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://localhost:3000' },
            backend: {
              baseUrl: 'http://localhost:7007',
              database: db.config,
            },
            auth: {
              providers: {
                guest: {
                  userEntityRef: ENGINEER,
                  ownershipEntityRefs: [
                    ENGINEER,
                    ...TEAMS.map(team => `group:default/${team}`),
                  ],
                  dangerouslyAllowOutsideDevelopment: true,
                },
              },
            },
            // One backend: events go from plugin to plugin in this process.
            events: { useEventBus: 'never' },
            kubernetes: {
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: access.map(cluster =>
                    standInClusterConfig(cluster, kubernetesToken),
                  ),
                },
              ],
            },
            crossplane: {
              environments: ['dev', 'staging', 'prod'].map(name => ({
                name,
                cluster: name,
              })),
            },
          },
        }),
      ],
    });
    const anonymous = client(backend.server);
    const get = client(backend.server, await signIn(anonymous));

    await until('every cluster offers both kinds', async () => {
      const { body } = await get('/api/crossplane/offerings');
      const { offerings = [], clusters: states = [] } = JSON.parse(body);
      return (
        states.filter((c: { status: string }) => c.status === 'ready')
          .length === 3 &&
        [DATABASE, CACHE].every(name =>
          offerings.some(
            (o: { name: string; clusters: string[] }) =>
              o.name === name && o.clusters.length === 3,
          ),
        )
      );
    });
    log('offerings read from every cluster');

    // A watch of the bench's own on dev: when a database appears there.
    const dev = access.find(c => c.clusterName === 'dev')!;
    const appeared = new Moments();
    const benchWatch = await new Watch(
      standInKubeConfig(dev, kubernetesToken),
    ).watch(
      `/apis/${DATABASES.group}/${DATABASES.version}/${DATABASES.plural}`,
      {},
      (phase, object) => {
        if (phase === 'ADDED') {
          appeared.record(
            `${object.metadata.namespace}/${object.metadata.name}`,
          );
        }
      },
      () => {},
    );

    const requestIds = new Map<PlannedRequest, string>();
    const submit = async (planned: PlannedRequest) => {
      const { status, body } = await get('/api/crossplane/requests', {
        method: 'POST',
        body: {
          offering: planned.offering,
          environment: planned.environment,
          entityRef: `component:default/${planned.component}`,
          name: planned.name,
          parameters: planned.parameters,
          clientRequestId: randomUUID(),
        },
      });
      const request = JSON.parse(body) as InfrastructureRequest;
      if (status !== 201 || !['created', 'synced'].includes(request.status)) {
        throw new Error(
          `${planned.environment} ${planned.name}: ${status} ${body}`,
        );
      }
      requestIds.set(planned, request.id);
      return request;
    };

    // 1. Submit -> the resource exists on dev, one request at a time.
    const devCaches = plan.filter(
      p => p.environment === 'dev' && p.offering === CACHE,
    );
    const devDatabases = plan.filter(
      p => p.environment === 'dev' && p.offering === DATABASE,
    );
    for (const planned of devCaches.slice(0, WARM_UP_SUBMITS)) {
      await submit(planned);
    }
    log(`submitting ${MEASURED_SUBMITS} dev databases one at a time`);
    const delivered: number[] = [];
    const answered: number[] = [];
    for (const planned of devDatabases.slice(0, MEASURED_SUBMITS)) {
      const started = performance.now();
      await submit(planned);
      answered.push(performance.now() - started);
      const seen = await appeared.when(`${planned.team}/${planned.name}`);
      delivered.push(seen - started);
    }
    benchWatch.abort();

    const rest = plan.filter(p => !requestIds.has(p));
    log(`submitting the other ${rest.length} requests, 4 at a time`);
    await inParallel(rest, 4, submit);
    const ids = [...requestIds.values()];
    await until(
      `all ${ids.length} requests are synced`,
      async () => ids.every(id => signals.has(`${id}:synced`)),
      120_000,
    );
    log(`${ids.length} requests synced on 3 clusters`);

    // 2. Ready on the cluster -> the request page shows it.
    const connection = {
      url: dev.url,
      caPem: Buffer.from(dev.caData, 'base64').toString(),
      token: kubernetesToken,
    };
    const toSignal: number[] = [];
    const toPage: number[] = [];
    log(`marking ${READY_SAMPLES} dev databases Ready one at a time`);
    for (const planned of devDatabases.slice(0, READY_SAMPLES)) {
      const id = requestIds.get(planned)!;
      const started = performance.now();
      await forceCompositeState(
        connection,
        { ...DATABASES, namespace: planned.team, name: planned.name },
        'Ready',
      );
      const signalled = await signals.when(`${id}:ready`);
      // What the page does on the signal: fetch the request again.
      const { body } = await get(`/api/crossplane/requests/${id}`);
      const shown = performance.now();
      const status = (JSON.parse(body) as InfrastructureRequest).status;
      if (
        !(['ready', 'credentials-available'] as RequestStatus[]).includes(
          status,
        )
      ) {
        throw new Error(
          `${planned.name} was signalled ready but reads ${status}`,
        );
      }
      toSignal.push(signalled - started);
      toPage.push(shown - started);
    }

    // 3. The entity tab with 500 live resources on 3 clusters: its live resources, and the
    // list of the entity's requests beside them.
    const perEntity = plan.length / entities.length;
    const views = Array.from(
      { length: TAB_VIEWS },
      (_, i) => entities[i % entities.length],
    );
    const serveViews = async (
      what: string,
      pathOf: (entityRef: string) => string,
      shownIn: (answer: any) => number | undefined,
    ) => {
      const view = async (entity: Entity) => {
        const path = pathOf(
          encodeURIComponent(`component:default/${entity.metadata.name}`),
        );
        const started = process.hrtime.bigint();
        const { status, body } = await get(path);
        const latency = Number(process.hrtime.bigint() - started) / 1e6;
        const shown = status === 200 ? shownIn(JSON.parse(body)) : undefined;
        if (shown !== perEntity) {
          throw new Error(
            `GET ${path} answered ${status} with ${shown} ${what} where ${perEntity} were made: ${body}`,
          );
        }
        return latency;
      };
      for (const entity of views.slice(0, WARM_UP_VIEWS)) {
        await view(entity);
      }
      await clusters.ask<'counts'>({ type: 'resetCounts' });
      log(`serving ${TAB_VIEWS} views of ${what}`);
      const latencies: number[] = [];
      for (const entity of views) {
        latencies.push(await view(entity));
      }
      const requests = sumCounts(
        (await clusters.ask<'counts'>({ type: 'counts' })).counts,
      );
      return { latencies: summarise(latencies), requests };
    };
    const tab = await serveViews(
      'live resources',
      ref => `/api/crossplane/resources?entityRef=${ref}`,
      (answer: EntityResourcesResponse) =>
        answer.clusters.every(c => c.status === 'ready')
          ? answer.resources.length
          : undefined,
    );
    const requestList = await serveViews(
      'requests',
      ref => `/api/crossplane/requests?entityRef=${ref}`,
      (answer: RequestList) => answer.requests.length,
    );

    await backend.stop();
    report({
      database,
      requests: ids.length,
      entities: entities.length,
      clusters: access,
      delivered: summarise(delivered),
      answered: summarise(answered),
      toSignal: summarise(toSignal),
      toPage: summarise(toPage),
      tab,
      requestList,
      runtimeS: (Date.now() - startedAt) / 1000,
    });
  } finally {
    await clusters.stop();
    await db.drop();
  }
}

type Summary = ReturnType<typeof summarise>;
interface ViewFigures {
  latencies: Summary;
  requests: { total: number; watches: number };
}

function report(figures: {
  database: DatabaseKind;
  requests: number;
  entities: number;
  clusters: StandInAddress[];
  delivered: Summary;
  answered: Summary;
  toSignal: Summary;
  toPage: Summary;
  tab: ViewFigures;
  requestList: ViewFigures;
  runtimeS: number;
}) {
  const ms = (value: number) => value.toFixed(2);
  const rows: Array<[string, Summary, number | undefined]> = [
    [
      `submit -> resource seen on dev by a watch (${MEASURED_SUBMITS})`,
      figures.delivered,
      DELIVERY_GOAL_P95_MS,
    ],
    [
      `submit -> 201 answered (${MEASURED_SUBMITS})`,
      figures.answered,
      undefined,
    ],
    [
      `Ready on dev -> signal published (${READY_SAMPLES})`,
      figures.toSignal,
      undefined,
    ],
    [
      `Ready on dev -> page's reload reads ready (${READY_SAMPLES})`,
      figures.toPage,
      READY_GOAL_P95_MS,
    ],
    [
      `entity tab: GET /resources?entityRef= (${TAB_VIEWS})`,
      figures.tab.latencies,
      TAB_GOAL_P95_MS,
    ],
    [
      `entity's requests: GET /requests?entityRef= (${TAB_VIEWS})`,
      figures.requestList.latencies,
      undefined,
    ],
  ];
  const table = [
    ['', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'goal p95'],
    ...rows.map(([label, s, goal]) => [
      label,
      ms(s.p50),
      ms(s.p95),
      ms(s.p99),
      ms(s.max),
      goal === undefined ? '' : `<= ${goal}`,
    ]),
  ];
  const widths = table[0].map((_, i) =>
    Math.max(...table.map(r => r[i].length)),
  );
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  const deliveryOk = figures.delivered.p95 <= DELIVERY_GOAL_P95_MS;
  const readyOk = figures.toPage.p95 <= READY_GOAL_P95_MS;
  const tabOk =
    figures.tab.latencies.p95 <= TAB_GOAL_P95_MS &&
    figures.tab.requests.total === 0;
  const lines = [
    `Crossplane self-service: ${figures.requests} requests for ${
      figures.entities
    } components on ${figures.clusters.length} clusters, backend on ${
      figures.database
    }, load average ${loadavg()[0].toFixed(1)}`,
    ...table.map(r =>
      r
        .map((cell, i) =>
          i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]),
        )
        .join('  '),
    ),
    '',
    `${verdict(deliveryOk)} 1. submit -> resource on the cluster: p95 ${ms(
      figures.delivered.p95,
    )} ms, goal <= ${DELIVERY_GOAL_P95_MS} ms`,
    `${verdict(readyOk)} 2. Ready -> request page shows it: p95 ${ms(
      figures.toPage.p95,
    )} ms, goal <= ${READY_GOAL_P95_MS} ms`,
    `${verdict(tabOk)} 3. entity tab, ${
      figures.requests
    } live resources: p95 ${ms(
      figures.tab.latencies.p95,
    )} ms, goal <= ${TAB_GOAL_P95_MS} ms; ${
      figures.tab.requests.total
    } Kubernetes requests in ${TAB_VIEWS} views, goal 0`,
    '',
    `crossplane.requests=${figures.requests}`,
    `crossplane.delivery.p50_ms=${ms(figures.delivered.p50)}`,
    `crossplane.delivery.p95_ms=${ms(figures.delivered.p95)}`,
    `crossplane.delivery.max_ms=${ms(figures.delivered.max)}`,
    `crossplane.delivery.p95_goal_ms=${DELIVERY_GOAL_P95_MS}`,
    `crossplane.delivery.p95_within_goal=${deliveryOk}`,
    `crossplane.submit_answered.p95_ms=${ms(figures.answered.p95)}`,
    `crossplane.ready_signal.p50_ms=${ms(figures.toSignal.p50)}`,
    `crossplane.ready_signal.p95_ms=${ms(figures.toSignal.p95)}`,
    `crossplane.ready_page.p50_ms=${ms(figures.toPage.p50)}`,
    `crossplane.ready_page.p95_ms=${ms(figures.toPage.p95)}`,
    `crossplane.ready_page.max_ms=${ms(figures.toPage.max)}`,
    `crossplane.ready_page.p95_goal_ms=${READY_GOAL_P95_MS}`,
    `crossplane.ready_page.p95_within_goal=${readyOk}`,
    `crossplane.tab.p50_ms=${ms(figures.tab.latencies.p50)}`,
    `crossplane.tab.p95_ms=${ms(figures.tab.latencies.p95)}`,
    `crossplane.tab.p99_ms=${ms(figures.tab.latencies.p99)}`,
    `crossplane.tab.max_ms=${ms(figures.tab.latencies.max)}`,
    `crossplane.tab.p95_goal_ms=${TAB_GOAL_P95_MS}`,
    `crossplane.tab.k8s_requests=${figures.tab.requests.total}`,
    `crossplane.tab.k8s_watch_requests=${figures.tab.requests.watches}`,
    `crossplane.tab.within_goal=${tabOk}`,
    `crossplane.request_list.p50_ms=${ms(figures.requestList.latencies.p50)}`,
    `crossplane.request_list.p95_ms=${ms(figures.requestList.latencies.p95)}`,
    `crossplane.request_list.k8s_requests=${figures.requestList.requests.total}`,
    `crossplane.runtime_s=${figures.runtimeS.toFixed(1)}`,
    // The machine's load when the run ended: figures from a busy machine read higher.
    `crossplane.load_average_1m=${loadavg()[0].toFixed(1)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().then(
  () => process.exit(0),
  error => {
    process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
    process.exit(1);
  },
);
