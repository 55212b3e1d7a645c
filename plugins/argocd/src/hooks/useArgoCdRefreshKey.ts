import { useEffect, useMemo, useRef, useState } from 'react';
import { Entity } from '@backstage/catalog-model';
import { useSignal } from '@backstage/plugin-signals-react';
import {
  ApplicationSelection,
  ApplicationsChangedSignal,
  ARGOCD_SIGNAL_CHANNEL,
  parseApplicationSelection,
} from '@paved/plugin-argocd-common';

/** Signals arriving within this long of the first one cause a single refetch. */
export const ARGOCD_SIGNAL_COALESCE_MS = 300;
/** How often the backend's cache is asked again when signals are not available. */
export const ARGOCD_POLL_INTERVAL_MS = 15_000;
/**
 * With signals, a slow poll still runs: a message published while the socket was reconnecting
 * is lost, and asking the backend's cache costs no Kubernetes call.
 */
export const ARGOCD_SAFETY_POLL_INTERVAL_MS = 60_000;

function readSelection(entity: Entity): ApplicationSelection | undefined {
  try {
    return parseApplicationSelection(entity);
  } catch {
    // A malformed annotation is reported by the backend's answer; nothing to match here.
    return undefined;
  }
}

/**
 * Whether a signal may concern the entity: it names only the instances where something
 * changed, so any change on an instance the entity searches counts.
 */
function concernsSelection(
  signal: unknown,
  selection: ApplicationSelection,
): boolean {
  const instances = (signal as Partial<ApplicationsChangedSignal> | null)
    ?.instances;
  if (!Array.isArray(instances)) {
    return false;
  }
  return selection.instances
    ? instances.some(instance => selection.instances!.includes(instance))
    : instances.length > 0;
}

/**
 * A number that grows whenever the entity's Argo CD data may have changed: when the backend
 * signals a change on an instance the entity searches, and on a poll: every
 * {@link ARGOCD_POLL_INTERVAL_MS} without signals, {@link ARGOCD_SAFETY_POLL_INTERVAL_MS} with. Use it as a dependency of the fetch.
 */
export function useArgoCdRefreshKey(entity: Entity): number {
  const { lastSignal, isSignalsAvailable } = useSignal(ARGOCD_SIGNAL_CHANNEL);
  const [refreshKey, setRefreshKey] = useState(0);
  const selection = useMemo(() => readSelection(entity), [entity]);

  // Every replica announces the changes its own watch saw, so one change can arrive as several
  // signals: those close together make one refetch.
  const pending = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => {
    if (
      lastSignal &&
      selection &&
      !pending.current &&
      concernsSelection(lastSignal, selection)
    ) {
      pending.current = setTimeout(() => {
        pending.current = undefined;
        setRefreshKey(key => key + 1);
      }, ARGOCD_SIGNAL_COALESCE_MS);
    }
  }, [lastSignal, selection]);
  useEffect(() => () => clearTimeout(pending.current), []);

  useEffect(() => {
    const timer = setInterval(
      () => setRefreshKey(key => key + 1),
      isSignalsAvailable
        ? ARGOCD_SAFETY_POLL_INTERVAL_MS
        : ARGOCD_POLL_INTERVAL_MS,
    );
    return () => clearInterval(timer);
  }, [isSignalsAvailable]);

  return refreshKey;
}
