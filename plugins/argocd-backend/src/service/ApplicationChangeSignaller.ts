import { LoggerService } from '@backstage/backend-plugin-api';
import { SignalsService } from '@backstage/plugin-signals-node';
import {
  ARGOCD_SIGNAL_CHANNEL,
  ApplicationsChangedSignal,
} from '@paved/plugin-argocd-common';

/** Default for `argocd.signalIntervalMs`. */
export const DEFAULT_SIGNAL_INTERVAL_MS = 500;

/**
 * Collects the instances whose Applications or AppProjects changed and broadcasts them on
 * {@link ARGOCD_SIGNAL_CHANNEL} at most once per interval, so a controller rewriting many
 * Applications does not flood browsers. A broadcast reaches every browser, so it names no
 * Application: pages fetch again and get only what their user may read.
 */
export class ApplicationChangeSignaller {
  private readonly pending = new Set<string>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly signals: SignalsService,
    private readonly logger: LoggerService,
    private readonly intervalMs: number,
  ) {}

  add(instance: string) {
    this.pending.add(instance);
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.intervalMs);
    }
  }

  /** Drops what has not been sent; called at shutdown. */
  stop() {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }

  private flush() {
    this.timer = undefined;
    const message: ApplicationsChangedSignal = {
      instances: [...this.pending].sort(),
    };
    this.pending.clear();
    if (message.instances.length === 0) {
      return;
    }
    this.signals
      .publish({
        recipients: { type: 'broadcast' },
        channel: ARGOCD_SIGNAL_CHANNEL,
        message: { ...message },
      })
      .catch(error =>
        this.logger.warn('Could not publish Argo CD change signal', {
          channel: ARGOCD_SIGNAL_CHANNEL,
          instances: message.instances.join(','),
          error: String(error),
        }),
      );
  }
}
