import { Tone, ToneChip } from '@paved/paved-react';
import { RequestStatus } from '@paved/plugin-crossplane-common';

/** How each status reads to people. */
const requestStatusLabels: Record<RequestStatus, string> = {
  'awaiting-approval': 'Awaiting approval',
  rejected: 'Rejected',
  queued: 'Queued',
  'pr-opened': 'Pull request opened',
  merged: 'Merged',
  created: 'Created',
  synced: 'Synced',
  ready: 'Ready',
  'credentials-available': 'Credentials available',
  failed: 'Failed',
};

const tones: Record<RequestStatus, Tone> = {
  'awaiting-approval': 'warning',
  rejected: 'error',
  queued: 'progress',
  'pr-opened': 'progress',
  merged: 'progress',
  created: 'progress',
  synced: 'progress',
  ready: 'ok',
  'credentials-available': 'ok',
  failed: 'error',
};

/** A request's status: green when usable, blue on the way, amber waiting for a person, red ended. */
export function RequestStatusChip(props: { status: RequestStatus }) {
  return (
    <ToneChip
      aspect="Status"
      label={requestStatusLabels[props.status] ?? props.status}
      tone={tones[props.status] ?? 'progress'}
    />
  );
}
