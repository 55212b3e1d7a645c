/*
 * `yarn sandbox`: starts the sandbox (see sandbox.ts) on fixed loopback ports and writes its
 * kubeconfig and app-config overlay into the checkout's git-ignored .sandbox/ folder.
 * Runs until interrupted.
 */
import { join } from 'node:path';
import { findRepoRoot, startSandbox } from './sandbox';

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
