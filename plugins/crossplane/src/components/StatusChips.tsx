import Chip from '@material-ui/core/Chip';
import { makeStyles } from '@material-ui/core/styles';
import { RequestStatus } from '@paved/plugin-crossplane-common';

/** What a chip's colour says: usable, on the way, waiting for a person, or gone wrong. */
export type Tone = 'ok' | 'progress' | 'warning' | 'error';

const useStyles = makeStyles(theme => ({
  ok: {
    backgroundColor: theme.palette.success.main,
    color: theme.palette.success.contrastText,
  },
  progress: {
    backgroundColor: theme.palette.info.main,
    color: theme.palette.info.contrastText,
  },
  warning: {
    backgroundColor: theme.palette.warning.main,
    color: theme.palette.warning.contrastText,
  },
  error: {
    backgroundColor: theme.palette.error.main,
    color: theme.palette.error.contrastText,
  },
}));

/** How each status reads to people. */
const requestStatusLabels: Record<RequestStatus, string> = {
  'awaiting-approval': 'Awaiting approval',
  rejected: 'Rejected',
  queued: 'Queued',
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
  created: 'progress',
  synced: 'progress',
  ready: 'ok',
  'credentials-available': 'ok',
  failed: 'error',
};

/** A small chip coloured by its {@link Tone}, named `aspect: label` for assistive technology. */
export function ToneChip(props: { aspect: string; label: string; tone: Tone }) {
  const classes = useStyles();
  return (
    <Chip
      size="small"
      label={props.label}
      className={classes[props.tone]}
      aria-label={`${props.aspect}: ${props.label}`}
      data-tone={props.tone}
    />
  );
}

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
