/*
 * The database a bench's backend runs on: a fresh database on the tests' PostgreSQL
 * (PAVED_TEST_POSTGRES_URL, else a private server from scripts/lib/test-postgres.cjs), dropped at
 * the end, or in-memory SQLite.
 */
import { join } from 'node:path';
import { Client } from 'pg';

export type DatabaseKind = 'postgres' | 'sqlite';

/** The backend's database: a fresh one on the tests' PostgreSQL, or in-memory SQLite. */
export async function benchDatabase(kind: DatabaseKind) {
  if (kind === 'sqlite') {
    return {
      config: { client: 'better-sqlite3', connection: ':memory:' },
      drop: async () => {},
    };
  }
  // PAVED_TEST_POSTGRES_URL when set, else a private PostgreSQL from node_modules.
  const { provideTestPostgres } = require(join(
    __dirname,
    '../scripts/lib/test-postgres.cjs',
  )) as {
    provideTestPostgres(): Promise<{ url: string; stop(): Promise<void> }>;
  };
  const server = await provideTestPostgres();
  const name = `paved_bench_${process.pid}_${Date.now()}`;
  const admin = new Client({ connectionString: server.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(server.url);
  return {
    config: {
      client: 'pg',
      pluginDivisionMode: 'schema',
      connection: {
        host: url.hostname,
        port: Number(url.port || 5432),
        user: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
        database: name,
      },
    },
    async drop() {
      const dropper = new Client({ connectionString: server.url });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
      await server.stop();
    },
  };
}
