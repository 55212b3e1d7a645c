import { Tone, ToneChip } from '@paved/paved-react';

const syncTones: Record<string, Tone> = {
  Synced: 'ok',
  OutOfSync: 'warning',
};

const healthTones: Record<string, Tone> = {
  Healthy: 'ok',
  Progressing: 'progress',
  Degraded: 'error',
  Missing: 'warning',
  Suspended: 'neutral',
};

/** Argo CD's sync status: Synced green, OutOfSync amber, anything else grey. */
export function SyncStatusChip(props: { status?: string }) {
  const status = props.status || 'Unknown';
  return (
    <ToneChip
      aspect="Sync"
      label={status}
      tone={syncTones[status] ?? 'neutral'}
    />
  );
}

/** Argo CD's health status: Healthy green, Progressing blue, Degraded red, Missing amber, others grey. */
export function HealthStatusChip(props: { status?: string }) {
  const status = props.status || 'Unknown';
  return (
    <ToneChip
      aspect="Health"
      label={status}
      tone={healthTones[status] ?? 'neutral'}
    />
  );
}
