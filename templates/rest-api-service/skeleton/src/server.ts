import { setTimeout as sleep } from 'node:timers/promises';
import { buildApp, type Readiness } from './app.ts';

const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '0.0.0.0';
// Time for Kubernetes to take the pod out of its Service after readiness fails, before the
// listener closes. The Deployment sets it; locally there is nothing to wait for.
const shutdownDelayMs = Number(process.env.SHUTDOWN_DELAY_MS ?? 0);

const readiness: Readiness = { shuttingDown: false };
const app = await buildApp({
  logger: { level: process.env.LOG_LEVEL ?? 'info' },
  readiness,
});

async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (readiness.shuttingDown) return;
  readiness.shuttingDown = true;
  app.log.info({ signal, shutdownDelayMs }, 'shutting down');
  // If closing hangs, exit with a log line before Kubernetes kills the pod without one.
  setTimeout(() => {
    app.log.error('shutdown timed out');
    process.exit(1);
  }, shutdownDelayMs + 10_000).unref();
  await sleep(shutdownDelayMs);
  await app.close();
  app.log.info('stopped');
}

process.once('SIGTERM', signal => void shutdown(signal));
process.once('SIGINT', signal => void shutdown(signal));

await app.listen({ port, host });
