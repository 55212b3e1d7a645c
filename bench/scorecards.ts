/*
 * `yarn bench:scorecards`: the scorecards goals of issue 11 with 1,000 services against the
 * GitHub stand-in:
 *   1. a full scoring cycle (the GitHub fact retriever into Tech Insights' store, then the
 *      scorecards scoring of every component) within 60 s, and a second cycle with nothing
 *      changed at <= 1.2 GitHub requests per repository;
 *   2. beside it, a naive retriever (one unconditional request per fact) on the same repositories;
 *   3. the entity card's endpoint (GET /api/scorecards/entity/:ns/:kind/:name), p95 <= 20 ms.
 * Prints figures; asserts nothing. See bench/README.md for what is measured and how to read it.
 */
import {
  SchedulerService,
  ServiceFactory,
} from '@backstage/backend-plugin-api';
import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import techInsightsPlugin from '@backstage-community/plugin-tech-insights-backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import scorecardsPlugin from '@paved/plugin-scorecards-backend';
import techInsightsModuleEntityRefresh from '@paved/plugin-tech-insights-backend-module-entity-refresh';
import { EntityScorecard } from '@paved/plugin-scorecards-common';
import techInsightsModuleGithubFacts, {
  GITHUB_FACT_RETRIEVER_ID,
} from '@paved/plugin-tech-insights-backend-module-github';
import { GitHubRequestCounts } from '@paved/sandbox';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DatabaseKind, benchDatabase } from './database';
import { BenchGitHub } from './github';
import { BenchClient, client, summarise } from './measure';
import {
  NAIVE_RETRIEVER_ID,
  naiveGithubFactsModule,
} from './naiveGithubRetriever';

const WARM_UP_VIEWS = 100;
const CYCLE_GOAL_S = 60;
const REQUESTS_PER_REPOSITORY_GOAL = 1.2;
const CARD_GOAL_P95_MS = 20;
const SCORING_TASK = 'scorecards-score-all';
const TEAMS = 8;

type Summary = ReturnType<typeof summarise>;

/** A Component per repository, owned by one of eight teams. */
function componentEntity(slug: string, index: number): Entity {
  const team = `group:default/team-${index % TEAMS}`;
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: slug.split('/')[1],
      namespace: 'default',
      annotations: { 'github.com/project-slug': slug },
    },
    spec: { type: 'service', lifecycle: 'production', owner: team },
    relations: [{ type: 'ownedBy', targetRef: team }],
  };
}

type TechInsightsConfig = {
  factRetrievers: Record<string, { lifecycle?: object }>;
};

/**
 * Paved's configuration: the levels and the checks on GitHub facts (app-config.yaml), and the
 * GitHub retriever's fact lifecycle on `database` — app-config.production.yaml's on PostgreSQL,
 * none on SQLite (app-config.yaml says why).
 */
function pavedConfig(database: DatabaseKind) {
  const read = (file: string) =>
    parse(readFileSync(join(__dirname, '..', file), 'utf8'));
  const { scorecards } = read('app-config.yaml') as {
    scorecards: { levels: string[]; checks: Array<{ factIds: string[] }> };
  };
  const production = read('app-config.production.yaml') as {
    techInsights: TechInsightsConfig;
  };
  return {
    lifecycle:
      database === 'postgres'
        ? production.techInsights.factRetrievers[GITHUB_FACT_RETRIEVER_ID]
            .lifecycle
        : undefined,
    levels: scorecards.levels,
    checks: scorecards.checks.filter(check =>
      check.factIds.every(id => id === GITHUB_FACT_RETRIEVER_ID),
    ),
  };
}

function parseArgs(argv: string[]): {
  database: DatabaseKind;
  services: number;
} {
  let database = 'postgres';
  let services = '1000';
  for (let i = 0; i < argv.length; i++) {
    const [name, value] = argv[i].includes('=')
      ? argv[i].split('=', 2)
      : [argv[i], argv[++i]];
    if (name === '--database') database = value;
    else if (name === '--services') services = value;
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  if (database !== 'postgres' && database !== 'sqlite') {
    throw new Error(`--database must be postgres or sqlite, not ${database}`);
  }
  if (!/^[1-9][0-9]*$/.test(services)) {
    throw new Error(`--services must be a positive number, not ${services}`);
  }
  return { database, services: Number(services) };
}

async function seconds(work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/**
 * Serves each component's card once, one at a time; returns the latencies in ms and how many
 * checks were `unknown` (a fact never collected: a broken collection shows here).
 */
async function cardViews(
  get: BenchClient,
  entities: Entity[],
): Promise<{ latencies: number[]; unknown: number }> {
  const latencies: number[] = [];
  let unknown = 0;
  for (const entity of entities) {
    const path = `/api/scorecards/entity/default/component/${entity.metadata.name}`;
    const started = process.hrtime.bigint();
    const { status, body } = await get(path);
    latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
    const scorecard = status === 200 && (JSON.parse(body) as EntityScorecard);
    if (
      !scorecard ||
      scorecard.entityRef !== `component:default/${entity.metadata.name}`
    ) {
      throw new Error(`GET ${path} answered ${status}: ${body}`);
    }
    unknown += scorecard.checks.filter(c => c.outcome === 'unknown').length;
  }
  return { latencies, unknown };
}

async function main() {
  const { database, services } = parseArgs(process.argv.slice(2));
  const startedAt = Date.now();
  const log = (message: string) =>
    process.stderr.write(
      `[${((Date.now() - startedAt) / 1000).toFixed(1)}s] ${message}\n`,
    );

  log('starting the GitHub stand-in in a child process');
  const { github, apiUrl, token } = await BenchGitHub.start();
  log(`preparing the ${database} database`);
  const db = await benchDatabase(database);
  try {
    log(`seeding ${services} repositories`);
    const { repositories } = await github.ask<'seeded'>({
      type: 'seed',
      repositories: services,
    });
    const entities = repositories.map(componentEntity);
    const { lifecycle, levels, checks } = pavedConfig(database);

    // Tasks run only when the bench triggers them, and the trigger resolves when they end. The
    // mock's instance makes its own factory (its class, MockSchedulerService, is not exported).
    const scheduler = mockServices.scheduler() as SchedulerService & {
      factory(options: { skipTaskRunOnStartup: boolean }): ServiceFactory;
    };
    const benchToken = randomBytes(24).toString('base64url');
    // Retrievers run when triggered, kept as configured for Paved.
    const never = { cadence: '0 0 1 1 *', ...(lifecycle ? { lifecycle } : {}) };
    log('starting the backend with Tech Insights and scorecards');
    const backend = await startTestBackend({
      features: [
        techInsightsPlugin,
        // Paved's retrievers register with it, as the portal's backend installs them.
        techInsightsModuleEntityRefresh,
        techInsightsModuleGithubFacts,
        naiveGithubFactsModule(apiUrl, token),
        scorecardsPlugin,
        catalogServiceMock.factory({ entities }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
        scheduler.factory({ skipTaskRunOnStartup: true }),
        // Real token handling: card views carry a static external-access token, and scorecards
        // reads Tech Insights' facts with a real plugin-to-plugin token.
        authServiceFactory,
        httpAuthServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            backend: {
              baseUrl: 'http://localhost:7007',
              database: db.config,
              auth: {
                externalAccess: [
                  {
                    type: 'static',
                    options: { token: benchToken, subject: 'bench-card-views' },
                  },
                ],
              },
            },
            integrations: {
              github: [
                { host: new URL(apiUrl).host, apiBaseUrl: apiUrl, token },
              ],
            },
            techInsights: {
              factRetrievers: {
                [GITHUB_FACT_RETRIEVER_ID]: never,
                [NAIVE_RETRIEVER_ID]: never,
              },
            },
            scorecards: { levels, checks },
          },
        }),
      ],
    });
    const get = client(backend.server, benchToken);
    const collect = (retriever: string) => scheduler.triggerTask(retriever);
    const score = () => scheduler.triggerTask(SCORING_TASK);
    const resetCounts = async () =>
      (await github.ask<'counts'>({ type: 'resetCounts' })).counts;

    // 1. Two full cycles: the second with nothing changed on GitHub.
    await resetCounts();
    log('cycle 1: collecting GitHub facts for every component');
    const firstCollect = await seconds(() => collect(GITHUB_FACT_RETRIEVER_ID));
    const firstRequests = await resetCounts();
    log('cycle 1: scoring every component');
    const firstScore = await seconds(score);
    log('cycle 2: collecting again, nothing changed');
    const secondCollect = await seconds(() =>
      collect(GITHUB_FACT_RETRIEVER_ID),
    );
    const secondRequests = await resetCounts();
    log('cycle 2: scoring every component');
    const secondScore = await seconds(score);

    // 2. The naive retriever on the same repositories, through the same engine and store.
    log('naive cycle: one unconditional request per fact');
    const naiveCollect = await seconds(() => collect(NAIVE_RETRIEVER_ID));
    const naiveRequests = await resetCounts();

    // 3. The entity card with every component scored.
    const { body: rollUps } = await get('/api/scorecards/rollups/owners');
    const byLevel: Record<string, number> = {};
    for (const rollUp of JSON.parse(rollUps).rollUps as Array<{
      levels: Record<string, number>;
    }>) {
      for (const [level, count] of Object.entries(rollUp.levels)) {
        byLevel[level] = (byLevel[level] ?? 0) + count;
      }
    }
    const scored = Object.values(byLevel).reduce((a, b) => a + b, 0);
    if (scored !== services) {
      throw new Error(`${scored} components scored, expected ${services}`);
    }
    await cardViews(get, entities.slice(0, WARM_UP_VIEWS));
    log(`serving ${entities.length} card views`);
    const views = await cardViews(get, entities);
    const card = summarise(views.latencies);

    await backend.stop();
    report({
      database,
      services,
      first: {
        collect: firstCollect,
        score: firstScore,
        requests: firstRequests,
      },
      second: {
        collect: secondCollect,
        score: secondScore,
        requests: secondRequests,
      },
      naive: { collect: naiveCollect, requests: naiveRequests },
      byLevel,
      levelOrder: ['none', ...levels],
      checks: checks.length,
      card,
      unknown: views.unknown,
      runtimeS: (Date.now() - startedAt) / 1000,
    });
  } finally {
    await github.stop();
    await db.drop();
  }
}

interface Cycle {
  collect: number;
  score?: number;
  requests: GitHubRequestCounts;
}

function report(figures: {
  database: DatabaseKind;
  services: number;
  first: Required<Cycle>;
  second: Required<Cycle>;
  naive: Cycle;
  byLevel: Record<string, number>;
  levelOrder: string[];
  checks: number;
  card: Summary;
  unknown: number;
  runtimeS: number;
}) {
  const { first, second, naive, card, services } = figures;
  const s = (value: number) => value.toFixed(1);
  const ms = (value: number) => value.toFixed(2);
  const perRepository = (counts: GitHubRequestCounts) =>
    counts.total / services;
  const total = (cycle: Required<Cycle>) => cycle.collect + cycle.score;
  const rows: string[][] = [
    ['', 'collect s', 'score s', 'total s', 'requests', 'per repo', '304s'],
    ...(
      [
        ['cycle 1 (Paved, nothing stored)', first],
        ['cycle 2 (Paved, nothing changed)', second],
        ['naive cycle (one request per fact)', naive],
      ] as Array<[string, Cycle]>
    ).map(([label, cycle]) => [
      label,
      s(cycle.collect),
      cycle.score === undefined ? '' : s(cycle.score),
      cycle.score === undefined ? '' : s(cycle.collect + cycle.score),
      String(cycle.requests.total),
      perRepository(cycle.requests).toFixed(2),
      String(cycle.requests.notModified),
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map(r => r[i].length)));
  const table = rows.map(r =>
    r
      .map((cell, i) =>
        i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]),
      )
      .join('  '),
  );
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  const cycleOk = total(first) <= CYCLE_GOAL_S;
  const requestsOk =
    perRepository(second.requests) <= REQUESTS_PER_REPOSITORY_GOAL;
  const cardOk = card.p95 <= CARD_GOAL_P95_MS;
  const levels = figures.levelOrder
    .map(level => `${level} ${figures.byLevel[level] ?? 0}`)
    .join(', ');
  const lines = [
    `Scorecards: ${services} services, ${figures.checks} GitHub checks, GitHub stand-in, Tech Insights and scorecards on ${figures.database}`,
    `node ${
      process.version
    }, ${availableParallelism()} cores, load average ${loadavg()
      .map(l => l.toFixed(1))
      .join(' ')}`,
    ...table,
    `levels after scoring: ${levels}; ${figures.unknown} check outcomes unknown`,
    `entity card GET /api/scorecards/entity/default/component/:name (${services} views): p50 ${ms(
      card.p50,
    )} ms, p95 ${ms(card.p95)} ms, p99 ${ms(card.p99)} ms, max ${ms(
      card.max,
    )} ms`,
    '',
    `${verdict(cycleOk)} 1. full scoring cycle: ${s(
      total(first),
    )} s (collect ${s(first.collect)} + score ${s(
      first.score,
    )}), goal <= ${CYCLE_GOAL_S} s`,
    `${verdict(requestsOk)} 1. second cycle, nothing changed: ${perRepository(
      second.requests,
    ).toFixed(2)} GitHub requests per repository (${
      second.requests.notModified
    } of ${
      second.requests.total
    } answered 304), goal <= ${REQUESTS_PER_REPOSITORY_GOAL}`,
    `${verdict(cardOk)} 3. entity card: p95 ${ms(
      card.p95,
    )} ms, goal <= ${CARD_GOAL_P95_MS} ms`,
    '',
    `scorecards.services=${services}`,
    `scorecards.cycle1.collect_s=${s(first.collect)}`,
    `scorecards.cycle1.score_s=${s(first.score)}`,
    `scorecards.cycle1.total_s=${s(total(first))}`,
    `scorecards.cycle1.total_goal_s=${CYCLE_GOAL_S}`,
    `scorecards.cycle1.within_goal=${cycleOk}`,
    `scorecards.cycle1.github_requests=${first.requests.total}`,
    `scorecards.cycle1.requests_per_repository=${perRepository(
      first.requests,
    ).toFixed(2)}`,
    `scorecards.cycle2.collect_s=${s(second.collect)}`,
    `scorecards.cycle2.score_s=${s(second.score)}`,
    `scorecards.cycle2.total_s=${s(total(second))}`,
    `scorecards.cycle2.github_requests=${second.requests.total}`,
    `scorecards.cycle2.not_modified=${second.requests.notModified}`,
    `scorecards.cycle2.requests_per_repository=${perRepository(
      second.requests,
    ).toFixed(2)}`,
    `scorecards.cycle2.requests_per_repository_goal=${REQUESTS_PER_REPOSITORY_GOAL}`,
    `scorecards.cycle2.within_goal=${requestsOk}`,
    `scorecards.naive.collect_s=${s(naive.collect)}`,
    `scorecards.naive.github_requests=${naive.requests.total}`,
    `scorecards.naive.requests_per_repository=${perRepository(
      naive.requests,
    ).toFixed(2)}`,
    `scorecards.unknown_outcomes=${figures.unknown}`,
    `scorecards.card.p50_ms=${ms(card.p50)}`,
    `scorecards.card.p95_ms=${ms(card.p95)}`,
    `scorecards.card.p99_ms=${ms(card.p99)}`,
    `scorecards.card.max_ms=${ms(card.max)}`,
    `scorecards.card.p95_goal_ms=${CARD_GOAL_P95_MS}`,
    `scorecards.card.within_goal=${cardOk}`,
    `scorecards.runtime_s=${s(figures.runtimeS)}`,
    `scorecards.node=${process.version}`,
    `scorecards.cores=${availableParallelism()}`,
    // The machine's load when the run ended: figures from a busy machine read higher.
    `scorecards.load_average_1m=${loadavg()[0].toFixed(1)}`,
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
