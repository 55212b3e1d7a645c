// Runs `yarn sandbox` (packages/sandbox/src/cli.ts) as a real process on free ports with its own
// state folder, so the built portal can be pointed at live stand-in clusters and GitHub.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually, repoRoot } from './portal.ts';

const sandboxDir = join(repoRoot, 'packages/sandbox');
const nodeTransform = createRequire(join(sandboxDir, 'package.json')).resolve(
  '@backstage/cli-node/config/nodeTransform.cjs',
);

export interface RunningSandbox {
  /** The app-config overlay the sandbox wrote: GitHub integration and clusters. */
  configFile: string;
  /** The kubeconfig the sandbox wrote, a context per cluster (`sandbox-dev`, `sandbox-prod`). */
  kubeconfigFile: string;
  /** Runs a `yarn sandbox <args>` subcommand (e.g. `force-application …`) against this sandbox. */
  run(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

function cliEnv(stateDir: string) {
  return {
    ...process.env,
    PAVED_SANDBOX_DIR: stateDir,
    PAVED_SANDBOX_PORT: '0',
  };
}

export async function startSandbox(): Promise<RunningSandbox> {
  const stateDir = mkdtempSync(join(tmpdir(), 'paved-sandbox-'));
  const child: ChildProcess = spawn(
    process.execPath,
    ['--require', nodeTransform, 'src/cli.ts'],
    {
      cwd: sandboxDir,
      env: cliEnv(stateDir),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', chunk => (output += chunk));
  child.stderr?.on('data', chunk => (output += chunk));
  let exited = false;
  child.on('exit', () => (exited = true));

  const stop = async () => {
    if (!exited) {
      const gone = new Promise(r => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([gone, new Promise(r => setTimeout(r, 10_000))]);
    }
    rmSync(stateDir, { recursive: true, force: true });
  };

  const configFile = join(stateDir, 'app-config.yaml');
  try {
    await eventually(
      'the sandbox to write its app-config overlay',
      async () => {
        if (exited) throw new Error(`sandbox exited:\n${output}`);
        return existsSync(configFile) ? true : undefined;
      },
      120_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    configFile,
    kubeconfigFile: join(stateDir, 'kubeconfig'),
    stop,
    async run(...args: string[]) {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--require', nodeTransform, 'src/cli.ts', ...args],
        { cwd: sandboxDir, env: cliEnv(stateDir) },
      );
      return stdout;
    },
  };
}
