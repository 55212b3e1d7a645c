import { InfoCard } from '@backstage/core-components';
import { OrgHistoryPoint } from '@paved/plugin-scorecards-common';
import {
  Area,
  AreaChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { levelColour, levelLabel } from '../levels';
import { VisuallyHidden } from '../VisuallyHidden';

function TrendTable(props: { days: OrgHistoryPoint[]; levels: string[] }) {
  return (
    <table aria-label="Services per level by day">
      <thead>
        <tr>
          <th>Day</th>
          {props.levels.map(level => (
            <th key={level}>{levelLabel(level)}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.days.map(day => (
          <tr key={day.day}>
            <td>{day.day}</td>
            {props.levels.map(level => (
              <td key={level}>{day.levels[level] ?? 0}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * Services per level each day, stacked from no level at the bottom to the top level, with the
 * same numbers in a table for screen readers and browser tests.
 */
export function LevelTrendChart(props: {
  days: OrgHistoryPoint[];
  /** `none` first, then the levels lowest first. */
  levelOrder: string[];
  title: string;
}) {
  const { days, levelOrder } = props;
  const points = days.map(day => ({
    day: day.day,
    ...Object.fromEntries(
      levelOrder.map(level => [level, day.levels[level] ?? 0]),
    ),
  }));
  return (
    <InfoCard title={props.title}>
      {days.length === 0 ? (
        'No history yet.'
      ) : (
        <div aria-hidden>
          <ResponsiveContainer width="100%" height={260}>
            <AreaChart data={points}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="day" />
              <YAxis allowDecimals={false} />
              <Tooltip />
              {/* In level order, as the areas stack, rather than alphabetically. */}
              <Legend
                itemSorter={item => levelOrder.indexOf(String(item.dataKey))}
              />
              {levelOrder.map(level => (
                <Area
                  key={level}
                  type="monotone"
                  dataKey={level}
                  name={levelLabel(level)}
                  stackId="levels"
                  stroke={levelColour(level, levelOrder)}
                  fill={levelColour(level, levelOrder)}
                  isAnimationActive={false}
                />
              ))}
            </AreaChart>
          </ResponsiveContainer>
        </div>
      )}
      <VisuallyHidden>
        <TrendTable days={days} levels={levelOrder} />
      </VisuallyHidden>
    </InfoCard>
  );
}
