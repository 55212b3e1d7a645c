/**
 * The pending delayed steps of a simulated controller (a claim turning Ready, a sync finishing),
 * so stopping the controller cancels every one of them.
 */
export class DelayedActions {
  private readonly timers = new Set<NodeJS.Timeout>();

  /** Runs `action` after `delayMs` unless {@link DelayedActions.cancelAll} comes first. */
  later(delayMs: number, action: () => unknown) {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, delayMs);
    this.timers.add(timer);
  }

  cancelAll() {
    this.timers.forEach(timer => clearTimeout(timer));
    this.timers.clear();
  }
}
