import Tooltip from '@material-ui/core/Tooltip';
import { DateTime } from 'luxon';

/** "3 minutes ago", with the exact local time on hover. */
export function RelativeTime(props: { iso?: string }) {
  if (!props.iso) {
    return <span>never</span>;
  }
  const time = DateTime.fromISO(props.iso);
  if (!time.isValid) {
    return <span>{props.iso}</span>;
  }
  const absolute = time.toLocaleString(DateTime.DATETIME_MED_WITH_SECONDS);
  return (
    <Tooltip title={absolute}>
      <time dateTime={props.iso}>{time.toRelative()}</time>
    </Tooltip>
  );
}

/** "42 s", "3 min 5 s" or "1 h 2 min": how long a sync took. */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = total % 60;
  if (hours > 0) {
    return `${hours} h ${minutes} min`;
  }
  if (minutes > 0) {
    return rest > 0 ? `${minutes} min ${rest} s` : `${minutes} min`;
  }
  return `${rest} s`;
}
