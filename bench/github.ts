/*
 * The GitHub side of the scorecards bench, run as a child process so the stand-in's CPU and git
 * processes stay out of the measured backend's process, as GitHub's would. Starts the GitHub
 * stand-in from `@paved/sandbox` with one organisation and one token, and answers the parent
 * over IPC:
 *   { type: 'seed', repositories } -> { type: 'seeded', repositories }   (slugs, in order)
 *   { type: 'resetCounts' }        -> { type: 'counts', counts }   (the counts before the reset)
 *   { type: 'counts' }             -> { type: 'counts', counts }
 *   { type: 'stop' }               -> exits
 * It announces itself with { type: 'ready', apiUrl, token }. `BenchGitHub` is the parent's handle.
 */
import {
  BranchProtectionSettings,
  FileChanges,
  GitHubRequestCounts,
  GitHubStandIn,
  startGitHubStandIn,
} from '@paved/sandbox';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inParallel } from './measure';
import { StandInProcess } from './standInProcess';

export const BENCH_ORG = 'acme';

export type GitHubMessage =
  | { type: 'ready'; apiUrl: string; token: string }
  | { type: 'seeded'; repositories: string[] }
  | { type: 'counts'; counts: GitHubRequestCounts };

export type GitHubParentMessage =
  | { type: 'seed'; repositories: number }
  | { type: 'resetCounts' }
  | { type: 'counts' }
  | { type: 'stop' };

/** The parent's handle on the child process holding the GitHub stand-in. */
export type BenchGitHub = StandInProcess<GitHubMessage, GitHubParentMessage>;

export const BenchGitHub = {
  async start(): Promise<{
    github: BenchGitHub;
    apiUrl: string;
    token: string;
  }> {
    const { process: github, ready } = await StandInProcess.start<
      GitHubMessage,
      GitHubParentMessage
    >(__filename, [], 'bench GitHub');
    return { github, apiUrl: ready.apiUrl, token: ready.token };
  },
};

/** mulberry32: a small seeded generator, so every run seeds the same repositories. */
function seededRandom(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY_MS = 24 * 60 * 60 * 1000;
const CI = `name: ci
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make test
`;

/** What one seeded repository holds: its files, branch protection and last commit's date. */
export function seededRepository(index: number): {
  name: string;
  files: FileChanges;
  protection?: BranchProtectionSettings;
  committedAt: Date;
} {
  const random = seededRandom(index + 1);
  const chance = (p: number) => random() < p;
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
  const name = `service-${String(index).padStart(4, '0')}`;
  const files: FileChanges = {
    'package.json': `${JSON.stringify({ name, version: '1.0.0' }, null, 2)}\n`,
    'src/index.ts': `export const name = '${name}';\n`,
  };
  for (let i = Math.floor(random() * 12); i > 0; i--) {
    files[`src/module${i}.ts`] = `export const value${i} = ${i};\n`;
  }
  if (chance(0.8)) files['README.md'] = `# ${name}\n`;
  else if (chance(0.3)) files['docs/README.md'] = `# ${name}\n`;
  if (chance(0.6)) {
    const path = pick([
      '.github/CODEOWNERS',
      '.github/CODEOWNERS',
      '.github/CODEOWNERS',
      'CODEOWNERS',
      'docs/CODEOWNERS',
    ]);
    files[path] = chance(0.85)
      ? `* @${BENCH_ORG}/team-${index % 8}\n`
      : '* not-an-owner\n';
  }
  if (chance(0.7)) {
    files['.github/workflows/ci.yaml'] = CI;
    if (chance(0.4)) files['.github/workflows/release.yml'] = CI;
  }
  if (chance(0.3))
    files['.github/dependabot.yml'] = 'version: 2\nupdates: []\n';
  else if (chance(0.2)) files['renovate.json'] = '{}\n';
  if (chance(0.5)) files.LICENSE = 'MIT License\n';
  const protection = chance(0.5)
    ? {
        required_pull_request_reviews: chance(0.8)
          ? { required_approving_review_count: pick([1, 1, 2]) }
          : null,
        required_status_checks: null,
        enforce_admins: false,
        restrictions: null,
      }
    : undefined;
  return {
    name,
    files,
    protection,
    committedAt: new Date(
      Date.UTC(2026, 10, 1) - Math.floor(random() * 400) * DAY_MS,
    ),
  };
}

async function seedRepositories(standIn: GitHubStandIn, count: number) {
  const repositories = Array.from({ length: count }, (_, i) =>
    seededRepository(i),
  );
  await inParallel(repositories, 4, async repository => {
    await standIn.createRepo(BENCH_ORG, repository.name, {
      files: repository.files,
      author: {
        name: 'Bench Engineer',
        email: 'bench@paved.invalid',
        date: repository.committedAt,
      },
    });
    if (repository.protection) {
      await standIn.protectBranch(
        BENCH_ORG,
        repository.name,
        'main',
        repository.protection,
      );
    }
  });
  return repositories.map(r => `${BENCH_ORG}/${r.name}`);
}

async function main() {
  const token = randomBytes(20).toString('hex');
  const dataDir = mkdtempSync(join(tmpdir(), 'paved-bench-github-'));
  const standIn = await startGitHubStandIn({
    tokens: [token],
    dataDir,
    org: BENCH_ORG,
    // The bench's two cycles and the naive one ask far more than GitHub's 5,000 an hour.
    rateLimit: 1_000_000,
  });
  const send = (message: GitHubMessage) => process.send!(message);
  process.on('message', async (message: GitHubParentMessage) => {
    switch (message.type) {
      case 'seed':
        send({
          type: 'seeded',
          repositories: await seedRepositories(standIn, message.repositories),
        });
        return;
      case 'resetCounts': {
        const counts = standIn.requests();
        standIn.resetRequestCounts();
        send({ type: 'counts', counts });
        return;
      }
      case 'counts':
        send({ type: 'counts', counts: standIn.requests() });
        return;
      case 'stop':
        await standIn.stop();
        rmSync(dataDir, { recursive: true, force: true });
        process.exit(0);
        return;
      default:
        return;
    }
  });
  send({ type: 'ready', apiUrl: standIn.apiUrl, token });
}

if (require.main === module) {
  main().catch(error => {
    process.stderr.write(`bench GitHub failed: ${error.stack ?? error}\n`);
    process.exit(1);
  });
}
