import { DateTime } from 'luxon';

/** "12 days left", "Due today" or "3 days overdue" for a `YYYY-MM-DD` deadline, in UTC days. */
export function deadlineText(
  deadline: string,
  now: DateTime = DateTime.utc(),
): string {
  const days = Math.round(
    DateTime.fromISO(deadline, { zone: 'utc' }).diff(now.startOf('day'), 'days')
      .days,
  );
  const plural = (n: number) => (n === 1 ? '1 day' : `${n} days`);
  if (days === 0) {
    return 'Due today';
  }
  return days > 0 ? `${plural(days)} left` : `${plural(-days)} overdue`;
}
