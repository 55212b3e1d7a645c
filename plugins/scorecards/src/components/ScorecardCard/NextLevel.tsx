import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { EntityScorecard } from '@paved/plugin-scorecards-common';
import { RemediationText } from '../RemediationText';

function checksMissing(count: number): string {
  return count === 1 ? '1 check missing' : `${count} checks missing`;
}

/** "Next: Silver — 2 checks missing" and what to do about each, or that the top is reached. */
export function NextLevel(props: { scorecard: EntityScorecard }) {
  const { nextLevel } = props.scorecard;
  if (!nextLevel) {
    return (
      <Typography variant="subtitle1">
        Top level reached: nothing missing.
      </Typography>
    );
  }
  return (
    <>
      <Typography variant="subtitle1" component="h3">
        Next: {nextLevel.level} — {checksMissing(nextLevel.missing.length)}
      </Typography>
      <List dense aria-label={`Missing for ${nextLevel.level}`}>
        {nextLevel.missing.map(check => (
          <ListItem key={check.id} disableGutters>
            <ListItemText
              primary={
                check.outcome === 'unknown'
                  ? `${check.title} (not known yet)`
                  : check.title
              }
              secondary={<RemediationText remediation={check.remediation} />}
              secondaryTypographyProps={{ component: 'div' }}
            />
          </ListItem>
        ))}
      </List>
    </>
  );
}
