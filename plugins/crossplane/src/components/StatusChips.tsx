import { Tone, ToneChip } from '@paved/paved-react';
import {
  RequestStatus,
  ResourceCondition,
} from '@paved/plugin-crossplane-common';

/** How each status reads to people. */
const requestStatusLabels: Record<RequestStatus, string> = {
  'awaiting-approval': 'Awaiting approval',
  rejected: 'Rejected',
  queued: 'Queued',
  'pr-opened': 'Pull request opened',
  merged: 'Merged',
  created: 'Created',
  updating: 'Updating',
  synced: 'Synced',
  ready: 'Ready',
  'credentials-available': 'Credentials available',
  deleting: 'Deleting',
  deleted: 'Deleted',
  failed: 'Failed',
};

const tones: Record<RequestStatus, Tone> = {
  'awaiting-approval': 'warning',
  rejected: 'error',
  queued: 'progress',
  'pr-opened': 'progress',
  merged: 'progress',
  created: 'progress',
  updating: 'progress',
  synced: 'progress',
  ready: 'ok',
  'credentials-available': 'ok',
  deleting: 'progress',
  deleted: 'ok',
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

// Ready is False while Crossplane is still creating, waiting or deleting: progress, not failure.
function conditionTone(condition: ResourceCondition): Tone {
  if (condition.status === 'True') {
    return 'ok';
  }
  return condition.status === 'False' &&
    !['Creating', 'Waiting', 'Deleting'].includes(condition.reason ?? '')
    ? 'error'
    : 'progress';
}

/** One Crossplane condition (Synced, Ready, …): green when True, blue while creating, red otherwise. */
export function ConditionChip(props: { condition: ResourceCondition }) {
  const { condition } = props;
  return (
    <ToneChip
      aspect={condition.type}
      label={condition.status}
      tone={conditionTone(condition)}
    />
  );
}
