import Tooltip from '@material-ui/core/Tooltip';
import { DateTime } from 'luxon';

/** "3 minutes ago", with the exact local time on hover; "never" without a time. */
export function RelativeTime(props: { iso?: string }) {
  if (!props.iso) {
    return <span>never</span>;
  }
  const time = DateTime.fromISO(props.iso);
  if (!time.isValid) {
    return <span>{props.iso}</span>;
  }
  return (
    <Tooltip title={time.toLocaleString(DateTime.DATETIME_MED_WITH_SECONDS)}>
      <time dateTime={props.iso}>{time.toRelative()}</time>
    </Tooltip>
  );
}
