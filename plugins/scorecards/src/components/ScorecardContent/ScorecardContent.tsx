import { getCompoundEntityRef } from '@backstage/catalog-model';
import { Content, EmptyState, Progress } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { RelativeTime } from '@paved/paved-react';
import { EntityScorecard } from '@paved/plugin-scorecards-common';
import { useEntityScorecard } from '../../hooks/useEntityScorecard';
import { LevelBadge } from '../LevelBadge';
import { levelOrderOf } from '../levelOrder';
import { ScorecardsErrorPanel } from '../ScorecardsErrorPanel';
import { StaleWarning } from '../StaleWarning';
import { EntityHistoryChart } from './EntityHistoryChart';
import { LevelChecks } from './LevelChecks';
import { RerunButton } from './RerunButton';

function ChecksByLevel(props: {
  scorecard: EntityScorecard;
  levelOrder: string[];
}) {
  const { scorecard, levelOrder } = props;
  const reachedUpTo = scorecard.level
    ? levelOrder.indexOf(scorecard.level)
    : -1;
  return (
    <>
      {levelOrder.map((level, index) => (
        <Box mb={2} key={level}>
          <LevelChecks
            level={level}
            levelOrder={levelOrder}
            reached={index <= reachedUpTo}
            checks={scorecard.checks.filter(check => check.level === level)}
          />
        </Box>
      ))}
    </>
  );
}

/** Tab: every check grouped by level, with facts and fixes, a re-run, and the level's history. */
export function ScorecardContent() {
  const { entity, scorecard, error, notScored, replace } = useEntityScorecard();
  const rerun = (
    <RerunButton entity={getCompoundEntityRef(entity)} onScored={replace} />
  );
  if (error) {
    return <ScorecardsErrorPanel error={error} />;
  }
  if (notScored) {
    return (
      <Content>
        <EmptyState
          missing="data"
          title="Not scored yet"
          description="Components are scored every few minutes. Owners can score this one now."
          action={rerun}
        />
      </Content>
    );
  }
  if (!scorecard) {
    return <Progress />;
  }
  const levelOrder = levelOrderOf(scorecard);
  return (
    <Content>
      <Grid container spacing={3}>
        <Grid item xs={12}>
          <Box display="flex" alignItems="center" style={{ gap: 12 }}>
            <LevelBadge
              level={scorecard.level}
              levelOrder={levelOrder}
              size="medium"
            />
            <Typography variant="body2" color="textSecondary">
              scored <RelativeTime iso={scorecard.evaluatedAt} />
            </Typography>
            <Box flexGrow={1} />
            {rerun}
          </Box>
        </Grid>
        {scorecard.stale && (
          <Grid item xs={12}>
            <StaleWarning />
          </Grid>
        )}
        <Grid item xs={12}>
          <ChecksByLevel scorecard={scorecard} levelOrder={levelOrder} />
        </Grid>
        <Grid item xs={12}>
          <EntityHistoryChart
            levelOrder={levelOrder}
            evaluatedAt={scorecard.evaluatedAt}
          />
        </Grid>
      </Grid>
    </Content>
  );
}
