import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import { InfoCard } from '@backstage/core-components';
import { RollUp, RollUpsResponse } from '@paved/plugin-scorecards-common';
import { EntityLink } from '../EntityLink';
import { shortRef } from '../shortRef';
import { realLevels } from '../levels';

function share(rollUp: RollUp, levels: string[]): number {
  if (rollUp.total === 0) {
    return 0;
  }
  const count = levels.reduce(
    (sum, level) => sum + (rollUp.levels[level] ?? 0),
    0,
  );
  return count / rollUp.total;
}

function percent(value: number): string {
  return `${Math.round(value * 100)}%`;
}

/**
 * Teams ranked by the share of their services at the top level, then by the share above the
 * first level: who leads, and who has furthest to go.
 */
export function TeamLeaderboard(props: { rollUps: RollUpsResponse }) {
  const levels = realLevels(props.rollUps.levelOrder);
  const top = levels.slice(-1);
  // Services past the entry level: the second level and every one above it.
  const aboveFirst = levels.slice(1);
  const rows = props.rollUps.rollUps
    .map(rollUp => ({
      rollUp,
      atTop: share(rollUp, top),
      pastFirst: share(rollUp, aboveFirst),
    }))
    .sort(
      (a, b) =>
        b.atTop - a.atTop ||
        b.pastFirst - a.pastFirst ||
        shortRef(a.rollUp.entityRef).localeCompare(
          shortRef(b.rollUp.entityRef),
        ),
    );
  return (
    <InfoCard title="Team leaderboard" noPadding>
      <Table size="small" aria-label="Team leaderboard">
        <TableHead>
          <TableRow>
            <TableCell>Rank</TableCell>
            <TableCell>Team</TableCell>
            <TableCell align="right">Services</TableCell>
            {top[0] && <TableCell align="right">At {top[0]}</TableCell>}
            {aboveFirst.length > 1 && (
              <TableCell align="right">Above {levels[0]}</TableCell>
            )}
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map(({ rollUp, atTop, pastFirst }, index) => (
            <TableRow key={rollUp.entityRef}>
              <TableCell>{index + 1}</TableCell>
              <TableCell>
                <EntityLink entityRef={rollUp.entityRef} />
              </TableCell>
              <TableCell align="right">{rollUp.total}</TableCell>
              {top[0] && <TableCell align="right">{percent(atTop)}</TableCell>}
              {aboveFirst.length > 1 && (
                <TableCell align="right">{percent(pastFirst)}</TableCell>
              )}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </InfoCard>
  );
}
