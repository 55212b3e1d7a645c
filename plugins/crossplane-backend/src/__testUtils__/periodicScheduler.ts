import {
  SchedulerService,
  SchedulerServiceTaskFunction,
  SchedulerServiceTaskScheduleDefinition,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';

function millisecondsOf(
  frequency: SchedulerServiceTaskScheduleDefinition['frequency'],
): number {
  if ('cron' in frequency || 'trigger' in frequency) {
    throw new Error('periodicScheduler runs tasks at a fixed interval only');
  }
  if ('toMillis' in frequency) return frequency.toMillis();
  const { milliseconds = 0, seconds = 0, minutes = 0, hours = 0 } = frequency;
  return milliseconds + 1000 * (seconds + 60 * (minutes + 60 * hours));
}

/**
 * A scheduler that runs each task at its own frequency, as one replica of a real backend would.
 * `mockServices.scheduler` runs a task only when a test triggers it, which would hide whether
 * the plugin's own schedule does the work.
 */
export function periodicSchedulerFactory() {
  return createServiceFactory({
    service: coreServices.scheduler,
    deps: { lifecycle: coreServices.lifecycle },
    async factory({ lifecycle }): Promise<SchedulerService> {
      const tasks = new Map<string, SchedulerServiceTaskFunction>();
      const timers = new Set<NodeJS.Timeout>();
      const running = new Set<Promise<void>>();
      const abort = new AbortController();

      async function run(id: string) {
        const fn = tasks.get(id);
        if (!fn) throw new NotFoundError(`No task ${id}`);
        const done = Promise.resolve(fn(abort.signal)).then(() => {});
        running.add(done);
        try {
          await done;
        } finally {
          running.delete(done);
        }
      }

      // Runs never overlap: the next is timed from the end of the previous one.
      function every(id: string, intervalMs: number, firstMs: number) {
        const timer = setTimeout(async () => {
          timers.delete(timer);
          await run(id).catch(() => {});
          if (!abort.signal.aborted) every(id, intervalMs, intervalMs);
        }, firstMs);
        timers.add(timer);
      }

      lifecycle.addShutdownHook(async () => {
        abort.abort();
        timers.forEach(clearTimeout);
        await Promise.allSettled(running);
      });

      const scheduler: SchedulerService = {
        async scheduleTask(task) {
          tasks.set(task.id, task.fn);
          const interval = millisecondsOf(task.frequency);
          const first = task.initialDelay
            ? millisecondsOf(task.initialDelay)
            : 0;
          every(task.id, interval, first);
        },
        createScheduledTaskRunner(schedule) {
          return {
            run: task => scheduler.scheduleTask({ ...task, ...schedule }),
          };
        },
        triggerTask: run,
        async cancelTask() {},
        async getScheduledTasks() {
          return [...tasks.keys()].map(id => ({
            id,
            scope: 'local' as const,
            settings: { version: 1 },
          }));
        },
      };
      return scheduler;
    },
  });
}
