/*
 * `yarn sandbox`: starts the sandbox (see sandbox.ts) on fixed loopback ports and writes its
 * kubeconfig and app-config overlay into the checkout's git-ignored .sandbox/ folder (or
 * PAVED_SANDBOX_DIR). Runs until interrupted. Subcommands act on a running sandbox, so a demo
 * or a browser test can show a status change:
 *   yarn sandbox force-application <cluster> <namespace>/<name> [--sync S] [--health H] [--message M]
 *   yarn sandbox release-application <cluster> <namespace>/<name>
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import {
  HEALTH_STATUSES,
  SYNC_STATUSES,
  StandInConnection,
  forceApplicationState,
  releaseForcedState,
} from './kubernetes/forceState';
import { findRepoRoot, startSandbox } from './sandbox';

const repoRoot = findRepoRoot(process.cwd());
const stateDir = process.env.PAVED_SANDBOX_DIR ?? join(repoRoot, '.sandbox');

async function start() {
  const sandbox = await startSandbox({
    repoRoot,
    stateDir,
    port: Number(process.env.PAVED_SANDBOX_PORT ?? 6550),
  });
  process.stdout.write(
    [
      `sandbox ready:`,
      `  GitHub API   ${sandbox.github.apiUrl}`,
      ...sandbox.clusters.map(c => `  ${c.clusterName.padEnd(12)} ${c.url}`),
      `  kubectl      KUBECONFIG=.sandbox/kubeconfig kubectl get applications -A`,
      `  portal       --config app-config.yaml --config .sandbox/app-config.yaml`,
      '',
    ].join('\n'),
  );

  const stop = async () => {
    await sandbox.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** How to reach a cluster of the running sandbox, read from the kubeconfig it wrote. */
function connectionTo(clusterName: string): StandInConnection {
  const kubeconfig = parse(readFileSync(join(stateDir, 'kubeconfig'), 'utf8'));
  const entry = kubeconfig.clusters.find(
    (c: { name: string }) => c.name === clusterName,
  );
  if (!entry) {
    throw new Error(
      `no cluster ${clusterName} in ${stateDir}/kubeconfig; clusters: ${kubeconfig.clusters
        .map((c: { name: string }) => c.name)
        .join(', ')}`,
    );
  }
  return {
    url: entry.cluster.server,
    caPem: Buffer.from(
      entry.cluster['certificate-authority-data'],
      'base64',
    ).toString('utf8'),
    token: kubeconfig.users[0].user.token,
  };
}

function oneOf<T extends string>(
  option: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value !== undefined && !(allowed as readonly string[]).includes(value)) {
    throw new Error(`--${option} must be one of ${allowed.join(', ')}`);
  }
  return value as T | undefined;
}

function applicationArgs(positionals: string[]) {
  const [cluster, ref] = positionals;
  const [namespace, name] = ref?.split('/') ?? [];
  if (!cluster || !namespace || !name) {
    throw new Error('expected <cluster> <namespace>/<name>');
  }
  return { connection: connectionTo(cluster), namespace, name };
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  if (!command) {
    await start();
    return;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      sync: { type: 'string' },
      health: { type: 'string' },
      message: { type: 'string' },
    },
  });
  const { connection, namespace, name } = applicationArgs(positionals);
  if (command === 'force-application') {
    await forceApplicationState(connection, namespace, name, {
      sync: oneOf('sync', values.sync, SYNC_STATUSES),
      health: oneOf('health', values.health, HEALTH_STATUSES),
      message: values.message,
    });
  } else if (command === 'release-application') {
    await releaseForcedState(connection, {
      group: 'argoproj.io',
      version: 'v1alpha1',
      plural: 'applications',
      namespace,
      name,
    });
  } else {
    throw new Error(
      `unknown command ${command}; use force-application or release-application`,
    );
  }
  process.stdout.write(`${command} ${positionals.join(' ')}: done\n`);
}

main().catch(error => {
  process.stderr.write(`sandbox: ${error.stack ?? error}\n`);
  process.exit(1);
});
