import { Alert } from '@material-ui/lab';

/** Says that some facts could not be refreshed, so the result may be out of date. */
export function StaleWarning() {
  return (
    <Alert severity="warning">
      Some facts could not be refreshed; this result uses the last ones known
      and may be out of date.
    </Alert>
  );
}
