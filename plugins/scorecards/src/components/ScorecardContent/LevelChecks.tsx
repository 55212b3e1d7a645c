import Box from '@material-ui/core/Box';
import Paper from '@material-ui/core/Paper';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { CheckResult } from '@paved/plugin-scorecards-common';
import { FactValues } from '../FactValues';
import { levelColour } from '../levels';
import { RemediationText } from '../RemediationText';
import { ToneChip } from '@paved/paved-react';
import { CheckOutcome } from './CheckOutcome';

function CheckRow(props: { check: CheckResult }) {
  const { check } = props;
  return (
    <TableRow aria-label={check.title}>
      <TableCell>
        <Typography variant="body2">{check.title}</Typography>
        <Typography variant="caption" color="textSecondary">
          {check.description}
        </Typography>
      </TableCell>
      <TableCell>
        <CheckOutcome outcome={check.outcome} />{' '}
        {check.stale && (
          <ToneChip aspect="Facts" label="Stale" tone="warning" />
        )}
      </TableCell>
      <TableCell>
        <FactValues facts={check.facts} />
      </TableCell>
      <TableCell>
        {check.outcome === 'pass' ? null : (
          <RemediationText remediation={check.remediation} />
        )}
      </TableCell>
    </TableRow>
  );
}

/** One level's checks under a header saying whether the entity has reached the level. */
export function LevelChecks(props: {
  level: string;
  levelOrder: string[];
  reached: boolean;
  checks: CheckResult[];
}) {
  const { level, reached } = props;
  const headingId = `scorecard-level-${level}`;
  return (
    <Paper variant="outlined" component="section" aria-labelledby={headingId}>
      <Box p={2} display="flex" alignItems="center" style={{ gap: 8 }}>
        <span
          aria-hidden
          style={{
            width: 14,
            height: 14,
            borderRadius: '50%',
            backgroundColor: levelColour(level, props.levelOrder),
          }}
        />
        <Typography variant="h6" component="h3" id={headingId}>
          {level} — {reached ? 'reached' : 'not reached'}
        </Typography>
      </Box>
      <Table size="small" aria-label={`${level} checks`}>
        <TableHead>
          <TableRow>
            <TableCell style={{ width: '30%' }}>Check</TableCell>
            <TableCell>Outcome</TableCell>
            <TableCell style={{ minWidth: 240 }}>Facts</TableCell>
            <TableCell>How to fix</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {props.checks.map(check => (
            <CheckRow key={check.id} check={check} />
          ))}
        </TableBody>
      </Table>
    </Paper>
  );
}
