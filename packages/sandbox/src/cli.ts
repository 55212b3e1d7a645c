/*
 * `yarn sandbox`: starts the sandbox (see sandbox.ts) on fixed loopback ports and writes its
 * kubeconfig and app-config overlay into the checkout's git-ignored .sandbox/ folder.
 * Runs until interrupted.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { startSandbox } from './sandbox';

/** The checkout this runs in: the nearest folder up from here holding backstage.json. */
function findRepoRoot(from: string): string {
  let dir = resolve(from);
  while (!existsSync(join(dir, 'backstage.json'))) {
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(
        `no backstage.json above ${from}: run the sandbox inside the Paved repo`,
      );
    }
    dir = parent;
  }
  return dir;
}

async function main() {
  const repoRoot = findRepoRoot(process.cwd());
  const sandbox = await startSandbox({
    repoRoot,
    stateDir: join(repoRoot, '.sandbox'),
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

main().catch(error => {
  process.stderr.write(`sandbox failed to start: ${error.stack ?? error}\n`);
  process.exit(1);
});
