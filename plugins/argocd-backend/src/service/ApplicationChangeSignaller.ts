import { LoggerService } from '@backstage/backend-plugin-api';
import { SignalsService } from '@backstage/plugin-signals-node';
import {
  ARGOCD_SIGNAL_CHANNEL,
  ApplicationsChangedSignal,
} from '@paved/plugin-argocd-common';
import { CachedApplication } from './ArgoApplicationCache';

/** Default for `argocd.signalIntervalMs`. */
export const DEFAULT_SIGNAL_INTERVAL_MS = 500;

/**
 * Collects changed Applications and broadcasts them on {@link ARGOCD_SIGNAL_CHANNEL} at most once
 * per interval, so a controller rewriting many Applications does not flood browsers. The signal
 * only tells pages to fetch again; it carries identities, not status.
 */
export class ApplicationChangeSignaller {
  private readonly pending = new Map<
    string,
    ApplicationsChangedSignal['changed'][number]
  >();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly signals: SignalsService,
    private readonly logger: LoggerService,
    private readonly intervalMs: number,
  ) {}

  add(changed: CachedApplication[]) {
    for (const app of changed) {
      this.pending.set(`${app.instance.name}/${app.namespace}/${app.name}`, {
        instance: app.instance.name,
        namespace: app.namespace,
        name: app.name,
        project: app.project,
        labels: app.labels,
      });
    }
    if (!this.timer && this.pending.size > 0) {
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
    const changed = [...this.pending.values()];
    this.pending.clear();
    if (changed.length === 0) {
      return;
    }
    this.signals
      .publish({
        recipients: { type: 'broadcast' },
        channel: ARGOCD_SIGNAL_CHANNEL,
        message: { changed },
      })
      .catch(error =>
        this.logger.warn(
          `Could not publish ${changed.length} changed Argo CD Applications on ${ARGOCD_SIGNAL_CHANNEL}`,
          error,
        ),
      );
  }
}
