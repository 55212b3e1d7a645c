import { useEffect, useRef, useState } from 'react';
import { useSignal } from '@backstage/plugin-signals-react';
import {
  REQUEST_SIGNAL_CHANNEL,
  RequestSignal,
} from '@paved/plugin-crossplane-common';

/** How often views ask again where the signals API is not installed. */
export const REQUESTS_POLL_INTERVAL_MS = 15_000;

function isRequestSignal(message: unknown): message is RequestSignal {
  const signal = message as Partial<RequestSignal> | null;
  return (
    typeof signal?.id === 'string' && typeof signal?.entityRef === 'string'
  );
}

/**
 * A number that grows whenever a request the view shows may have changed: on every signal for
 * which `concerns` is true, or every {@link REQUESTS_POLL_INTERVAL_MS} without signals. Use it
 * as a dependency of the fetch.
 */
export function useRequestsRefreshKey(
  concerns: (signal: RequestSignal) => boolean,
): number {
  const { lastSignal, isSignalsAvailable } = useSignal(REQUEST_SIGNAL_CHANNEL);
  const [refreshKey, setRefreshKey] = useState(0);
  // The latest predicate without making each render's new closure a reason to refetch.
  const concernsRef = useRef(concerns);
  concernsRef.current = concerns;

  useEffect(() => {
    if (isRequestSignal(lastSignal) && concernsRef.current(lastSignal)) {
      setRefreshKey(key => key + 1);
    }
  }, [lastSignal]);

  useEffect(() => {
    if (isSignalsAvailable) {
      return undefined;
    }
    const timer = setInterval(
      () => setRefreshKey(key => key + 1),
      REQUESTS_POLL_INTERVAL_MS,
    );
    return () => clearInterval(timer);
  }, [isSignalsAvailable]);

  return refreshKey;
}
