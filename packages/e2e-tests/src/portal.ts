// Starts the built portal (packages/backend/dist, serving packages/app/dist) as a real process on
// a free port, with the repo's app-config.yaml plus a small overlay, and stops it afterwards.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { parse, parseAllDocuments, stringify } from 'yaml';

export const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');
export const backendDir = join(repoRoot, 'packages/backend');

export type DatabaseKind = 'sqlite' | 'postgres';

export interface Portal {
  baseUrl: string;
  /** Signs in through the guest provider, as the browser does, and returns the user's token. */
  signInAsGuest(): Promise<string>;
  /** GET with the user's token, failing with the server's message on a non-2xx answer. */
  getJson<T>(path: string, token: string): Promise<T>;
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

/**
 * Unpacks the deployable bundle `yarn build:all` made (packages/backend/dist/bundle.tar.gz) into
 * a fresh folder laid out as the Docker image is: the built backend, app and in-repo plugins,
 * with a node_modules that links third-party packages from the repo's install and every
 * `@paved/*` package to its built copy in the bundle. Tests so run what ships, not the sources.
 */
export function unpackBackendBundle(): string {
  const bundle = join(backendDir, 'dist/bundle.tar.gz');
  if (!existsSync(bundle)) {
    throw new Error(
      'packages/backend is not built: run `yarn build:all` first',
    );
  }
  const root = mkdtempSync(join(tmpdir(), 'paved-bundle-'));
  execFileSync('tar', ['xzf', bundle, '-C', root]);

  const modules = join(root, 'node_modules');
  mkdirSync(modules);
  const repoModules = join(repoRoot, 'node_modules');
  for (const entry of readdirSync(repoModules)) {
    if (entry !== '@paved' && entry !== '.bin') {
      symlinkSync(join(repoModules, entry), join(modules, entry));
    }
  }
  mkdirSync(join(modules, '@paved'));
  const workspaces = parse(readFileSync(join(root, 'package.json'), 'utf8'))
    .workspaces as string[];
  for (const pattern of workspaces) {
    const parent = join(root, pattern.replace(/\/\*$/, ''));
    for (const dir of existsSync(parent) ? readdirSync(parent) : []) {
      const manifest = join(parent, dir, 'package.json');
      if (!existsSync(manifest)) continue;
      const name = JSON.parse(readFileSync(manifest, 'utf8')).name as string;
      symlinkSync(join(parent, dir), join(modules, name));
    }
  }
  return root;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolvePort(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

interface TestPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * The server `scripts/paved test` provides through PAVED_TEST_POSTGRES_URL (its private
 * PostgreSQL, shared by every layer), or, when these tests run alone, a private one of their own
 * from the same script. Never the machine's PostgreSQL.
 */
async function testPostgres(): Promise<TestPostgres> {
  const url = process.env.PAVED_TEST_POSTGRES_URL;
  if (url) return { url, stop: async () => {} };
  const require = createRequire(import.meta.url);
  const { startPrivatePostgres } = require(join(
    repoRoot,
    'scripts/lib/test-postgres.cjs',
  )) as { startPrivatePostgres(): Promise<TestPostgres> };
  return startPrivatePostgres();
}

async function createPostgresDatabase() {
  const server = await testPostgres();
  const url = server.url;
  const name = `paved_it_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const parsed = new URL(url);
  return {
    connection: {
      host: parsed.hostname,
      port: Number(parsed.port || 5432),
      user: decodeURIComponent(parsed.username),
      password: decodeURIComponent(parsed.password),
      database: name,
    },
    async drop() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
      await server.stop();
    },
  };
}

export async function startPortal(options: {
  database: DatabaseKind;
  /** Extra config merged over the overlay. */
  config?: Record<string, unknown>;
  /** Config files loaded after the overlay, e.g. the sandbox's. */
  configFiles?: string[];
}): Promise<Portal> {
  const bundleRoot = unpackBackendBundle();
  const port = await freePort();
  const baseUrl = `http://localhost:${port}`;
  const workDir = mkdtempSync(join(tmpdir(), 'paved-portal-'));
  const postgres =
    options.database === 'postgres'
      ? await createPostgresDatabase()
      : undefined;

  const overlay = {
    app: { baseUrl },
    backend: {
      baseUrl,
      listen: { port },
      cors: { origin: baseUrl },
      database: postgres
        ? {
            client: 'pg',
            pluginDivisionMode: 'schema',
            connection: postgres.connection,
          }
        : { client: 'better-sqlite3', connection: ':memory:' },
    },
    auth: {
      // The built backend does not run with NODE_ENV=development.
      providers: { guest: { dangerouslyAllowOutsideDevelopment: true } },
    },
    techdocs: {
      publisher: {
        type: 'local',
        local: { publishDirectory: join(workDir, 'techdocs') },
      },
      prebuild: {
        schedule: { frequency: 'PT1H', timeout: 'PT10M', initialDelay: 'PT8S' },
      },
    },
    search: {
      collators: {
        techdocs: {
          schedule: {
            frequency: 'PT5S',
            timeout: 'PT2M',
            initialDelay: 'PT2S',
          },
        },
      },
    },
    ...options.config,
  };
  const overlayPath = join(workDir, 'app-config.test.yaml');
  writeFileSync(overlayPath, stringify(overlay));
  const logPath = join(workDir, 'backend.log');

  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(bundleRoot, 'packages/backend'),
      '--config',
      join(repoRoot, 'app-config.yaml'),
      '--config',
      overlayPath,
      ...(options.configFiles ?? []).flatMap(file => ['--config', file]),
    ],
    {
      // The catalog's file locations (../../demo/...) resolve from here, as in development.
      cwd: backendDir,
      env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const log: string[] = [];
  const keep = (chunk: Buffer) => {
    log.push(chunk.toString());
    writeFileSync(logPath, log.join(''));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: number | null = null;
  child.on('exit', code => {
    exited = code ?? -1;
  });

  const logTail = (lines = 40) =>
    log.join('').split('\n').slice(-lines).join('\n');
  const stop = async () => {
    if (exited === null) {
      const gone = new Promise(r => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([gone, new Promise(r => setTimeout(r, 10_000))]);
      if (exited === null) child.kill('SIGKILL');
    }
    await postgres?.drop();
    rmSync(workDir, { recursive: true, force: true });
    rmSync(bundleRoot, { recursive: true, force: true });
  };

  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exited !== null) {
      const tail = logTail();
      await stop();
      throw new Error(
        `backend exited with code ${exited} during start-up:\n${tail}`,
      );
    }
    try {
      const res = await fetch(`${baseUrl}/.backstage/health/v1/readiness`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      const tail = logTail();
      await stop();
      throw new Error(`backend not ready after 120 s:\n${tail}`);
    }
    await new Promise(r => setTimeout(r, 500));
  }

  return {
    baseUrl,
    logTail,
    stop,
    async signInAsGuest() {
      const res = await fetch(
        `${baseUrl}/api/auth/guest/refresh?env=development`,
        { headers: { 'X-Requested-With': 'XMLHttpRequest' } },
      );
      if (!res.ok) {
        throw new Error(
          `guest sign-in failed: ${res.status} ${await res.text()}`,
        );
      }
      const body = (await res.json()) as {
        backstageIdentity: { token: string };
      };
      return body.backstageIdentity.token;
    },
    async getJson<T>(path: string, token: string): Promise<T> {
      const res = await fetch(`${baseUrl}${path}`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      if (!res.ok) {
        throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
      }
      return (await res.json()) as T;
    },
  };
}

/** Polls until `check` returns a value other than undefined, or fails with the last reason. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs / 1000} s waiting for ${what}${
          lastError ? `: ${String(lastError)}` : ''
        }`,
      );
    }
    await new Promise(r => setTimeout(r, 1000));
  }
}

export interface CatalogFileEntity {
  kind: string;
  metadata: {
    name: string;
    title?: string;
    annotations?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
}

/**
 * Every entity the embedded default loads from files: Paved's own catalog-info.yaml and the demo
 * organisation (demo/all.yaml and the files it points at). Tests compare the running portal to it.
 */
export function readCatalogFiles(): CatalogFileEntity[] {
  const parseFile = (path: string) =>
    parseAllDocuments(readFileSync(path, 'utf8')).map(
      doc => doc.toJS() as CatalogFileEntity,
    );
  const demoDir = join(repoRoot, 'demo');
  const location = parse(readFileSync(join(demoDir, 'all.yaml'), 'utf8'));
  return [
    ...parseFile(join(repoRoot, 'catalog-info.yaml')),
    ...(location.spec.targets as string[]).flatMap(target =>
      parseFile(join(demoDir, target)),
    ),
  ];
}
