import {
  getCompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { EntityHistoryPoint } from '@paved/plugin-scorecards-common';
import {
  CartesianGrid,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import useAsync from 'react-use/esm/useAsync';
import { scorecardsApiRef } from '../../api';
import { levelLabel } from '../levels';
import { ScorecardsErrorPanel } from '../ScorecardsErrorPanel';
import { VisuallyHidden } from '../VisuallyHidden';

/** How many days of history the tab shows. */
export const ENTITY_HISTORY_DAYS = 90;

function HistoryTable(props: { days: EntityHistoryPoint[] }) {
  return (
    <table aria-label="Level by day">
      <thead>
        <tr>
          <th>Day</th>
          <th>Level</th>
          <th>Passed</th>
          <th>Failed</th>
          <th>Unknown</th>
        </tr>
      </thead>
      <tbody>
        {props.days.map(day => (
          <tr key={day.day}>
            <td>{day.day}</td>
            <td>{levelLabel(day.level)}</td>
            <td>{day.passed}</td>
            <td>{day.failed}</td>
            <td>{day.unknown}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * The entity's level over the last {@link ENTITY_HISTORY_DAYS} days as a step line, with the
 * same data in a table that screen readers (and browser tests) read.
 */
export function EntityHistoryChart(props: {
  levelOrder: string[];
  /** Changes when the entity is scored again, so today's point follows the re-run. */
  evaluatedAt: string;
}) {
  const { entity } = useEntity();
  const api = useApi(scorecardsApiRef);
  const entityRef = stringifyEntityRef(entity);
  const { value, error } = useAsync(
    () =>
      api.getEntityHistory(getCompoundEntityRef(entity), ENTITY_HISTORY_DAYS),
    // The entity object may be recreated on every catalog refresh; its ref is what matters.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, entityRef, props.evaluatedAt],
  );
  if (error) {
    return <ScorecardsErrorPanel error={error} />;
  }
  if (!value) {
    return <Progress />;
  }
  // Levels met in history but no longer configured still get a rung above the known ones.
  const rungs = ['none', ...props.levelOrder];
  for (const day of value.days) {
    if (day.level && !rungs.includes(day.level)) {
      rungs.push(day.level);
    }
  }
  const points = value.days.map(day => ({
    day: day.day,
    rung: rungs.indexOf(day.level ?? 'none'),
  }));
  const rungLabel = (rung: number) => levelLabel(rungs[rung] ?? null);

  return (
    <InfoCard title={`Level over the last ${ENTITY_HISTORY_DAYS} days`}>
      {value.days.length === 0 ? (
        'No history yet.'
      ) : (
        <div aria-hidden>
          <ResponsiveContainer width="100%" height={220}>
            <LineChart data={points}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="day" />
              <YAxis
                domain={[0, rungs.length - 1]}
                ticks={rungs.map((_, index) => index)}
                tickFormatter={rungLabel}
                width={80}
              />
              <Tooltip formatter={value_ => rungLabel(Number(value_))} />
              <Line
                type="stepAfter"
                dataKey="rung"
                name="Level"
                stroke="#1f5493"
                dot={false}
                isAnimationActive={false}
              />
            </LineChart>
          </ResponsiveContainer>
        </div>
      )}
      <VisuallyHidden>
        <HistoryTable days={value.days} />
      </VisuallyHidden>
    </InfoCard>
  );
}
