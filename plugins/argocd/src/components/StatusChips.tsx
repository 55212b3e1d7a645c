import Chip from '@material-ui/core/Chip';
import { makeStyles } from '@material-ui/core/styles';

type Tone = 'ok' | 'progress' | 'warning' | 'error' | 'neutral';

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
  neutral: {
    backgroundColor: theme.palette.grey[500],
    color: theme.palette.getContrastText(theme.palette.grey[500]),
  },
}));

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

function StatusChip(props: { aspect: string; status: string; tone: Tone }) {
  const classes = useStyles();
  return (
    <Chip
      size="small"
      label={props.status}
      className={classes[props.tone]}
      aria-label={`${props.aspect}: ${props.status}`}
      data-tone={props.tone}
    />
  );
}

/** Argo CD's sync status: Synced green, OutOfSync amber, anything else grey. */
export function SyncStatusChip(props: { status?: string }) {
  const status = props.status || 'Unknown';
  return (
    <StatusChip
      aspect="Sync"
      status={status}
      tone={syncTones[status] ?? 'neutral'}
    />
  );
}

/** Argo CD's health status: Healthy green, Progressing blue, Degraded red, Missing amber, others grey. */
export function HealthStatusChip(props: { status?: string }) {
  const status = props.status || 'Unknown';
  return (
    <StatusChip
      aspect="Health"
      status={status}
      tone={healthTones[status] ?? 'neutral'}
    />
  );
}
