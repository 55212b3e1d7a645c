/*
 * Seeding promotes each Application through its repo's revisions and must know when Argo CD
 * has deployed one before asking for the next, and when the last one runs healthy. One watch
 * per cluster tells it, however many Applications are waited for, instead of each polling.
 */
import { KubeConfig, Watch } from '@kubernetes/client-node';

interface ApplicationStatus {
  sync?: { status?: string; revision?: string };
  health?: { status?: string };
  history?: { revision?: string }[];
  operationState?: {
    phase?: string;
    message?: string;
    syncResult?: { revision?: string };
  };
}

interface Waiter {
  name: string;
  /** What is waited for, for the timeout's message. */
  goal: string;
  /** True when reached; throws when it never will be. */
  reached(status: ApplicationStatus | undefined): boolean;
  resolve(): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class ApplicationSyncs {
  private readonly latest = new Map<string, ApplicationStatus>();
  private readonly waiters = new Set<Waiter>();
  private abort?: AbortController;
  private closed = false;

  private constructor(
    private readonly clusterName: string,
    private readonly timeoutMs: number,
  ) {}

  /** Watches the Applications of one namespace of the cluster `kubeConfig` points at. */
  static async open(
    kubeConfig: KubeConfig,
    clusterName: string,
    namespace: string,
    timeoutMs: number,
  ): Promise<ApplicationSyncs> {
    const syncs = new ApplicationSyncs(clusterName, timeoutMs);
    syncs.abort = await new Watch(kubeConfig).watch(
      `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/applications`,
      {},
      (phase, object) => syncs.onEvent(phase, object),
      error => syncs.onEnd(error),
    );
    return syncs;
  }

  /** Resolves once the Application's newest history entry is `revision`; rejects when its sync fails or takes too long. */
  deployed(name: string, revision: string): Promise<void> {
    return this.until(name, `deploy ${revision}`, status => {
      const history = status?.history ?? [];
      if (history[history.length - 1]?.revision === revision) {
        return true;
      }
      const operation = status?.operationState;
      if (
        operation?.phase === 'Failed' &&
        operation.syncResult?.revision === revision
      ) {
        throw new Error(
          `${this.clusterName}: Application ${name} failed to deploy ${revision}: ${operation.message}`,
        );
      }
      return false;
    });
  }

  /** Resolves once the Application is Synced and Healthy. */
  healthy(name: string): Promise<void> {
    return this.until(
      name,
      'become Synced and Healthy',
      status =>
        status?.sync?.status === 'Synced' &&
        status.health?.status === 'Healthy',
    );
  }

  private until(
    name: string,
    goal: string,
    reached: Waiter['reached'],
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        name,
        goal,
        reached,
        resolve,
        reject,
        timer: setTimeout(
          () =>
            this.settle(
              waiter,
              new Error(
                `${this.clusterName}: Application ${name} did not ${goal} within ${this.timeoutMs} ms`,
              ),
            ),
          this.timeoutMs,
        ),
      };
      this.waiters.add(waiter);
      this.check(waiter);
    });
  }

  close(): void {
    this.closed = true;
    this.abort?.abort();
    for (const waiter of this.waiters) {
      this.settle(waiter, new Error(`${this.clusterName}: watch closed`));
    }
  }

  private onEvent(phase: string, object: any) {
    const name = object?.metadata?.name;
    if (!name) {
      return;
    }
    if (phase === 'DELETED') {
      this.latest.delete(name);
    } else {
      this.latest.set(name, object.status ?? {});
    }
    for (const waiter of this.waiters) {
      if (waiter.name === name) {
        this.check(waiter);
      }
    }
  }

  private onEnd(error: unknown) {
    if (this.closed) {
      return;
    }
    for (const waiter of this.waiters) {
      this.settle(
        waiter,
        new Error(
          `${this.clusterName}: the watch of Applications ended${
            error ? `: ${error}` : ''
          }`,
        ),
      );
    }
  }

  private check(waiter: Waiter) {
    try {
      if (waiter.reached(this.latest.get(waiter.name))) {
        this.settle(waiter);
      }
    } catch (error) {
      this.settle(waiter, error as Error);
    }
  }

  private settle(waiter: Waiter, error?: Error) {
    if (!this.waiters.delete(waiter)) {
      return;
    }
    clearTimeout(waiter.timer);
    if (error) {
      waiter.reject(error);
    } else {
      waiter.resolve();
    }
  }
}
