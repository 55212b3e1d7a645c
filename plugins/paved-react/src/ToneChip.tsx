import Chip from '@material-ui/core/Chip';
import { makeStyles } from '@material-ui/core/styles';

/**
 * What a status chip's colour says: usable (`ok`), on the way (`progress`), needs a person
 * (`warning`), gone wrong (`error`), or nothing to say (`neutral`).
 */
export type Tone = 'ok' | 'progress' | 'warning' | 'error' | 'neutral';

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

/**
 * A small chip coloured by its {@link Tone} and named `aspect: label` for assistive technology,
 * e.g. "Health: Degraded", so colour is never the only signal.
 */
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
