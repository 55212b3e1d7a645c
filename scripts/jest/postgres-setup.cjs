// Jest global setup for every package (root package.json `jest.globalSetup`, which the Backstage
// CLI forwards to each package's project; Jest runs it once per run): gives store tests a
// PostgreSQL so `yarn test` runs their PostgreSQL cases, not SQLite alone. The server is
// PAVED_TEST_POSTGRES_URL's when set (scripts/paved test sets it to its own private server),
// otherwise a private one started here. See scripts/lib/test-postgres.cjs.
'use strict';

const {
  privateMajor,
  provideTestPostgres,
  testDatabasesVariable,
} = require('../lib/test-postgres.cjs');

const variablePattern =
  /^BACKSTAGE_TEST_DATABASE_POSTGRES(\d+)_CONNECTION_STRING$/;

const say = message => process.stderr.write(`\n[paved] ${message}\n`);

const shout = message =>
  process.stderr.write(
    `\n${'!'.repeat(78)}\n[paved] ${message}\n${'!'.repeat(78)}\n\n`,
  );

/** The TestDatabases ids whose PostgreSQL cases will run, for the line printed at start. */
function postgresIdsInUse() {
  return Object.keys(process.env)
    .map(name => variablePattern.exec(name)?.[1])
    .filter(Boolean)
    .map(major => `POSTGRES_${major}`);
}

module.exports = async function setupTestPostgres() {
  // Docker cannot run on Paved's machines; without this, CI=true makes TestDatabases try a
  // container for every PostgreSQL or MySQL id that has no connection string.
  process.env.BACKSTAGE_TEST_DISABLE_DOCKER ??= '1';

  const preset = testDatabasesVariable(privateMajor);
  if (process.env[preset] && !process.env.PAVED_TEST_POSTGRES_URL) {
    say(
      `PostgreSQL cases of store tests run for ${postgresIdsInUse().join(
        ', ',
      )} (set by you: ${preset}); other PostgreSQL ids are skipped`,
    );
    return;
  }

  try {
    const server = await provideTestPostgres();
    globalThis.pavedTestPostgres = server;
    process.env.PAVED_TEST_POSTGRES_URL = server.url;
    process.env[testDatabasesVariable(server.major)] = server.url;
    say(
      `PostgreSQL cases of store tests run for ${postgresIdsInUse().join(
        ', ',
      )}; POSTGRES_${server.major} on ${
        server.private
          ? `a private PostgreSQL at ${new URL(server.url).host}`
          : 'PAVED_TEST_POSTGRES_URL'
      }; other PostgreSQL ids are skipped`,
    );
  } catch (error) {
    const message = `PostgreSQL cases of store tests will NOT run, only SQLite: ${error.message}`;
    // CI must not pass with half the store tests silently gone.
    if (process.env.CI) throw new Error(message);
    shout(message);
  }
};
