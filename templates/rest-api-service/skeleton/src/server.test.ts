import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { test } from 'node:test';

interface LogLine {
  level: number;
  msg: string;
}

test(
  'on SIGTERM the server turns unready, keeps serving through the delay, then exits 0',
  { timeout: 20_000 },
  async () => {
    const server = spawn(process.execPath, ['src/server.ts'], {
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        SHUTDOWN_DELAY_MS: '2000',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = once(server, 'exit');
    const logs: LogLine[] = [];
    const listening = new Promise<string>((resolve, reject) => {
      server.once('exit', () =>
        reject(new Error('server exited before listening')),
      );
      createInterface({ input: server.stdout }).on('line', line => {
        const entry = JSON.parse(line) as LogLine;
        logs.push(entry);
        const address = /Server listening at (\S+)/.exec(entry.msg)?.[1];
        if (address) resolve(address);
      });
    });

    try {
      const baseUrl = await listening;
      assert.equal((await fetch(`${baseUrl}/readyz`)).status, 200);

      server.kill('SIGTERM');
      await waitFor(
        async () => (await fetch(`${baseUrl}/readyz`)).status === 503,
      );
      // Still answering during the delay, so requests already routed here succeed.
      assert.equal((await fetch(`${baseUrl}/v1/hello`)).status, 200);

      const [code] = (await exited) as [number | null];
      assert.equal(code, 0);
      assert.ok(logs.some(entry => entry.msg === 'shutting down'));
      assert.ok(logs.some(entry => entry.msg === 'stopped'));
    } finally {
      server.kill('SIGKILL');
    }
  },
);

/** Polls well within SHUTDOWN_DELAY_MS, so a slow machine does not reach the listener closing. */
async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 1500;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise(resolve => setTimeout(resolve, 20));
  }
  throw new Error('condition not met within 1.5 s');
}
