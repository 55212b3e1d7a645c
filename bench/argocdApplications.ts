/*
 * The Argo CD Applications of bench/argocd-status.ts: 2,000 of them for 1,000 components on three
 * clusters, with names, namespaces, projects and statuses varied by a seeded generator, so every
 * run creates the same ones. bench/clusters.ts creates them in its stand-ins.
 */
import { createHash } from 'node:crypto';

export const COMPONENT_COUNT = 1000;
/** Every bench Application carries this label, so one selector can see them all. */
export const BENCH_LABEL = 'paved.dev/bench';

/** What the parent needs to know about each Application to build catalog entities. */
export interface BenchApplication {
  cluster: string;
  namespace: string;
  name: string;
  component: string;
  project: string;
}

const DOMAINS = [
  'cart',
  'payments',
  'search',
  'catalog',
  'checkout',
  'identity',
  'shipping',
  'inventory',
  'pricing',
  'reviews',
  'notifications',
  'ledger',
  'fraud',
  'loyalty',
  'media',
  'ads',
  'support',
  'tax',
  'warehouse',
  'tracking',
];
const ROLES = ['api', 'worker', 'web', 'gateway', 'consumer', 'jobs', 'admin'];
const TEAMS = [
  'shop',
  'money',
  'discovery',
  'platform',
  'logistics',
  'growth',
  'trust',
  'data',
];

/** A small seeded PRNG (mulberry32): the same run every time. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sha(text: string) {
  return createHash('sha1').update(text).digest('hex');
}

function pick<T>(next: () => number, weighted: Array<[T, number]>): T {
  let roll = next() * weighted.reduce((sum, [, weight]) => sum + weight, 0);
  for (const [value, weight] of weighted) {
    roll -= weight;
    if (roll < 0) return value;
  }
  return weighted[weighted.length - 1][0];
}

export function componentName(index: number) {
  const domain = DOMAINS[index % DOMAINS.length];
  const role = ROLES[Math.floor(index / DOMAINS.length) % ROLES.length];
  return `${domain}-${role}-${Math.floor(
    index / (DOMAINS.length * ROLES.length),
  )}`;
}

/**
 * Where a component's Applications live: every component on dev, and by turns on staging, prod,
 * both or neither, which gives 2,000 Applications for 1,000 components.
 */
function placements(index: number): string[] {
  return [
    ['dev', 'staging', 'prod'],
    ['dev', 'prod'],
    ['dev', 'staging'],
    ['dev'],
  ][index % 4];
}

function applicationBody(
  app: BenchApplication,
  next: () => number,
  index: number,
) {
  const repoURL = `https://github.example.com/acme/${app.component}.git`;
  const source = {
    repoURL,
    path: `deploy/${app.cluster}`,
    targetRevision: 'main',
  };
  const sync = pick(next, [
    ['Synced', 80],
    ['OutOfSync', 15],
    ['Unknown', 5],
  ]);
  const health = pick(next, [
    ['Healthy', 80],
    ['Progressing', 8],
    ['Degraded', 7],
    ['Missing', 3],
    ['Suspended', 2],
  ]);
  const historyLength = 1 + Math.floor(next() * 10);
  const start = Date.UTC(2026, 0, 1) + index * 3_600_000;
  const at = (offsetMinutes: number) =>
    new Date(start + offsetMinutes * 60_000)
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
  const history = Array.from({ length: historyLength }, (_, id) => ({
    id,
    revision: sha(`${app.component}/${app.cluster}/${id}`),
    deployStartedAt: at(id * 90),
    deployedAt: at(id * 90 + 1),
    source,
  }));
  const deployed = history[history.length - 1];
  const revision =
    sync === 'OutOfSync' ? sha(`${app.component}/next`) : deployed.revision;
  const failed = health === 'Degraded' && next() < 0.5;
  const image = `ghcr.io/acme/${app.component}:${deployed.revision.slice(
    0,
    7,
  )}`;
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: app.name,
      namespace: app.namespace,
      labels: {
        [BENCH_LABEL]: 'true',
        'backstage.io/kubernetes-id': app.component,
        'app.kubernetes.io/part-of': app.component.split('-')[0],
        team: app.project,
        env: app.cluster,
      },
    },
    spec: {
      project: app.project,
      source,
      destination: {
        server: 'https://kubernetes.default.svc',
        namespace: app.component,
      },
      ...(app.cluster === 'prod'
        ? {}
        : { syncPolicy: { automated: { prune: true, selfHeal: true } } }),
    },
    status: {
      sync: {
        status: sync,
        revision,
        comparedTo: { source, destination: { namespace: app.component } },
      },
      health: {
        status: health,
        ...(health === 'Degraded'
          ? { message: 'Back-off restarting failed container' }
          : {}),
      },
      ...(sync === 'Unknown'
        ? {
            conditions: [
              {
                type: 'ComparisonError',
                message: `Failed to load target state: unable to resolve 'main' to a commit SHA`,
              },
            ],
          }
        : {}),
      operationState: {
        operation: { sync: { revision: deployed.revision } },
        phase: failed ? 'Failed' : 'Succeeded',
        message: failed
          ? 'one or more objects failed to apply, reason: Deployment.apps "x" is invalid'
          : 'successfully synced (all tasks run)',
        startedAt: deployed.deployStartedAt,
        finishedAt: deployed.deployedAt,
        syncResult: { revision: deployed.revision, source },
      },
      history,
      reconciledAt: at(historyLength * 90 + 5),
      resources: [
        {
          version: 'v1',
          kind: 'Service',
          namespace: app.component,
          name: app.component,
          status: 'Synced',
          health: { status: 'Healthy' },
        },
        {
          group: 'apps',
          version: 'v1',
          kind: 'Deployment',
          namespace: app.component,
          name: app.component,
          status: sync === 'OutOfSync' ? 'OutOfSync' : 'Synced',
          health: { status: health },
        },
      ],
      summary: { images: [image] },
      sourceType: 'Kustomize',
    },
  };
}

/** The 2,000 Applications: names, namespaces, projects and statuses vary, deterministically. */
export function benchApplications(): Array<{
  app: BenchApplication;
  body: ReturnType<typeof applicationBody>;
}> {
  const next = random(20261123);
  const result = [];
  for (let index = 0; index < COMPONENT_COUNT; index++) {
    const component = componentName(index);
    const project = TEAMS[index % TEAMS.length];
    for (const cluster of placements(index)) {
      const app: BenchApplication = {
        cluster,
        // Most Applications sit in argocd; some teams use apps-in-any-namespace.
        namespace: index % 5 === 0 ? `${project}-apps` : 'argocd',
        name: cluster === 'staging' ? `${component}-staging` : component,
        component,
        project,
      };
      result.push({ app, body: applicationBody(app, next, result.length) });
    }
  }
  return result;
}
