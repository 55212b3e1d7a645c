// Jest global teardown: stops the private PostgreSQL postgres-setup.cjs started, saying how many
// test databases PostgreSQL cases created on it.
'use strict';

const { countCreatedDatabases } = require('../lib/test-postgres.cjs');

module.exports = async function teardownTestPostgres() {
  const server = globalThis.pavedTestPostgres;
  if (!server) return;
  delete globalThis.pavedTestPostgres;
  if (server.private) {
    process.stderr.write(
      `\n[paved] PostgreSQL ${server.major}: ${countCreatedDatabases(
        server.logFile,
      )} test databases created by store tests\n`,
    );
  }
  await server.stop();
};
