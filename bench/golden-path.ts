/*
 * `yarn bench:golden-path`: how soon a service made from the REST API golden path can be used.
 * Starts the sandbox and the built portal as real processes, signs in as a Payments Team engineer
 * and runs the template N times, one after another, through the real scaffolder over HTTP. Prints
 * each run, p50/p95/max and PASS/FAIL against issue 10's goals. See bench/README.md.
 */
import { parseArgs } from 'node:util';
import type { Portal } from '../packages/e2e-tests/src/portal.ts';
import type { RunningSandbox } from '../packages/e2e-tests/src/sandbox.ts';

const TEMPLATE = 'template:default/rest-api-service';
const ENGINEER = 'daniel-mercer';
// What the Create page sends for the fast path: three fields and the form's default environment.
const VALUES = {
  owner: 'group:default/team-payments',
  system: 'system:default/payments',
  environments: ['dev'],
};
const GOAL_READABLE_P95_MS = 10_000;
const GOAL_SYNCED_P95_MS = 60_000;
// Polling intervals bound how finely each figure is measured.
const READABLE_POLL_MS = 50;
const SYNCED_POLL_MS = 250;
// Past these a run counts as missing its goal; the bench moves on.
const READABLE_DEADLINE_MS = 60_000;
const SYNCED_DEADLINE_MS = 180_000;

interface RunFigures {
  name: string;
  /** Task submitted (Create clicked) → the scaffolder reports the task completed. */
  taskMs: number;
  /** Task completed → the catalog answers 200 for the entity. */
  readableMs: number;
  /** Task submitted → the portal's Argo CD API shows it Synced and Healthy on sandbox-dev. */
  syncedMs: number;
}

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

/** Milliseconds from `since` until `check` is true, or Infinity after `deadlineMs`. */
async function timeUntil(
  since: number,
  check: () => Promise<boolean>,
  intervalMs: number,
  deadlineMs: number,
): Promise<number> {
  for (;;) {
    if (await check().catch(() => false)) return Date.now() - since;
    if (Date.now() - since > deadlineMs) return Infinity;
    await new Promise(resolve => setTimeout(resolve, intervalMs));
  }
}

async function main() {
  const { values: args } = parseArgs({
    options: {
      runs: { type: 'string', default: '10' },
      database: { type: 'string', default: 'postgres' },
    },
  });
  const runs = Number(args.runs);
  if (!Number.isInteger(runs) || runs < 1) {
    throw new Error(`--runs must be a positive whole number, not ${args.runs}`);
  }
  if (args.database !== 'postgres' && args.database !== 'sqlite') {
    throw new Error(
      `--database must be postgres or sqlite, not ${args.database}`,
    );
  }
  const database = args.database;

  const startedAt = Date.now();
  const log = (message: string) =>
    process.stderr.write(
      `[${((Date.now() - startedAt) / 1000).toFixed(1)}s] ${message}\n`,
    );

  // The end-to-end tests' helpers are ES modules; this file runs as CommonJS, so import them.
  const { eventually, startPortal } = await import(
    '../packages/e2e-tests/src/portal.ts'
  );
  const { startSandbox } = await import('../packages/e2e-tests/src/sandbox.ts');
  const { signInWithGitHub } = await import(
    '../packages/e2e-tests/src/githubSignIn.ts'
  );
  const { runTemplate } = await import(
    '../packages/e2e-tests/src/scaffolder.ts'
  );

  let sandbox: RunningSandbox | undefined;
  let portal: Portal | undefined;
  const stop = async () => {
    await portal?.stop();
    await sandbox?.stop();
  };
  process.once('SIGINT', () => stop().then(() => process.exit(130)));
  try {
    log('starting the sandbox');
    sandbox = await startSandbox();
    log(`starting the built portal on ${database}`);
    portal = await startPortal({
      database,
      configFiles: [sandbox.configFile],
    });
    const baseUrl = portal.baseUrl;
    // Sign-in needs the engineer's User entity, which the catalog ingests just after start.
    const token = await eventually(
      `${ENGINEER} to sign in`,
      () => signInWithGitHub(baseUrl, ENGINEER),
      120_000,
    );
    const get = (path: string) =>
      fetch(`${baseUrl}${path}`, {
        headers: { Authorization: `Bearer ${token}` },
      });
    await eventually(
      `${TEMPLATE} in the catalog`,
      async () =>
        (
          await get(
            '/api/catalog/entities/by-name/template/default/rest-api-service',
          )
        ).ok || undefined,
      120_000,
    );
    log(`portal ready; ${runs} runs of ${TEMPLATE} as ${ENGINEER}`);

    const figures: RunFigures[] = [];
    for (let i = 1; i <= runs; i++) {
      const name = `bench-service-${i}`;
      const run = await runTemplate(baseUrl, token, TEMPLATE, {
        name,
        ...VALUES,
      });
      const readableMs = await timeUntil(
        run.finishedAt,
        async () =>
          (
            await get(`/api/catalog/entities/by-name/component/default/${name}`)
          ).status === 200,
        READABLE_POLL_MS,
        READABLE_DEADLINE_MS,
      );
      // The task's own record says whether every step succeeded; a failed run measures nothing.
      const task = (await (
        await get(`/api/scaffolder/v2/tasks/${run.id}`)
      ).json()) as { status: string };
      if (task.status !== 'completed') {
        throw new Error(`run ${i} (${name}) ${task.status}:\n${run.log}`);
      }
      const syncedMs = await timeUntil(
        run.submittedAt,
        async () => {
          const res = await get(
            `/api/argocd/entity/component/default/${name}/applications`,
          );
          if (!res.ok) return false;
          const { applications } = (await res.json()) as {
            applications: Array<{
              instance: string;
              sync: { status: string };
              health: { status: string };
            }>;
          };
          const dev = applications.find(a => a.instance === 'sandbox-dev');
          return (
            dev?.sync.status === 'Synced' && dev?.health.status === 'Healthy'
          );
        },
        SYNCED_POLL_MS,
        SYNCED_DEADLINE_MS,
      );
      const result = {
        name,
        taskMs: run.finishedAt - run.submittedAt,
        readableMs,
        syncedMs,
      };
      figures.push(result);
      log(
        `run ${i}: task ${seconds(result.taskMs)} s, readable +${millis(
          readableMs,
        )} ms, Synced and Healthy ${seconds(syncedMs)} s`,
      );
    }

    report(figures, database, (Date.now() - startedAt) / 1000);
  } finally {
    log('stopping the portal and the sandbox');
    await stop();
  }
}

const seconds = (ms: number) =>
  Number.isFinite(ms) ? (ms / 1000).toFixed(2) : 'timeout';
const millis = (ms: number) =>
  Number.isFinite(ms) ? String(Math.round(ms)) : 'timeout';

function summary(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    max: sorted[sorted.length - 1],
  };
}

/** Rows as aligned text: the first `textColumns` columns to the left, figures to the right. */
function table(rows: string[][], textColumns = 1) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map(r => r[i].length)));
  return rows.map(r =>
    r
      .map((cell, i) =>
        i < textColumns ? cell.padEnd(widths[i]) : cell.padStart(widths[i]),
      )
      .join('  '),
  );
}

function report(figures: RunFigures[], database: string, runtimeS: number) {
  const task = summary(figures.map(f => f.taskMs));
  const readable = summary(figures.map(f => f.readableMs));
  const synced = summary(figures.map(f => f.syncedMs));
  const readablePass = readable.p95 <= GOAL_READABLE_P95_MS;
  const syncedPass = synced.p95 <= GOAL_SYNCED_P95_MS;
  const verdict = (pass: boolean) => (pass ? 'PASS' : 'FAIL');
  const key = (name: string, ms: number) =>
    `golden_path.${name}=${Number.isFinite(ms) ? Math.round(ms) : 'timeout'}`;

  const lines = [
    `Golden path ${TEMPLATE}: ${figures.length} runs, one at a time, portal on ${database}`,
    ...table(
      [
        ['run', 'name', 'task s', 'readable ms', 'synced+healthy s'],
        ...figures.map((f, i) => [
          String(i + 1),
          f.name,
          seconds(f.taskMs),
          millis(f.readableMs),
          seconds(f.syncedMs),
        ]),
      ],
      2,
    ),
    '',
    ...table([
      ['', 'p50', 'p95', 'max'],
      [
        'submit → task finished (s)',
        seconds(task.p50),
        seconds(task.p95),
        seconds(task.max),
      ],
      [
        'task finished → entity readable (ms)',
        millis(readable.p50),
        millis(readable.p95),
        millis(readable.max),
      ],
      [
        'submit → Synced and Healthy on sandbox-dev (s)',
        seconds(synced.p50),
        seconds(synced.p95),
        seconds(synced.max),
      ],
    ]),
    '',
    `${verdict(
      readablePass,
    )} entity readable after the task finished: p95 ${seconds(
      readable.p95,
    )} s, goal ≤ ${GOAL_READABLE_P95_MS / 1000} s`,
    `${verdict(
      syncedPass,
    )} Create → Synced and Healthy on sandbox-dev: p95 ${seconds(
      synced.p95,
    )} s, goal ≤ ${GOAL_SYNCED_P95_MS / 1000} s`,
    '',
    `golden_path.runs=${figures.length}`,
    key('task.p50_ms', task.p50),
    key('task.p95_ms', task.p95),
    key('task.max_ms', task.max),
    key('entity_readable.p50_ms', readable.p50),
    key('entity_readable.p95_ms', readable.p95),
    key('entity_readable.max_ms', readable.max),
    `golden_path.entity_readable.p95_goal_ms=${GOAL_READABLE_P95_MS}`,
    `golden_path.entity_readable.p95_within_goal=${readablePass}`,
    key('synced_healthy.p50_ms', synced.p50),
    key('synced_healthy.p95_ms', synced.p95),
    key('synced_healthy.max_ms', synced.max),
    `golden_path.synced_healthy.p95_goal_ms=${GOAL_SYNCED_P95_MS}`,
    `golden_path.synced_healthy.p95_within_goal=${syncedPass}`,
    `golden_path.runtime_s=${runtimeS.toFixed(1)}`,
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
