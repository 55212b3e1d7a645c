import { EmptyState, InfoCard, Progress } from '@backstage/core-components';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { RelativeTime } from '@paved/paved-react';
import { useEntityScorecard } from '../../hooks/useEntityScorecard';
import { useScorecardTabLink } from '../../hooks/useScorecardTabLink';
import { LevelBadge } from '../LevelBadge';
import { levelOrderOf } from '../levelOrder';
import { ScorecardsErrorPanel } from '../ScorecardsErrorPanel';
import { StaleWarning } from '../StaleWarning';
import { NextLevel } from './NextLevel';

function CardBody() {
  const { scorecard, error, notScored } = useEntityScorecard();
  if (error) {
    return <ScorecardsErrorPanel error={error} />;
  }
  if (notScored) {
    return (
      <EmptyState
        missing="data"
        title="Not scored yet"
        description="Components are scored every few minutes; this one has no scorecard yet."
      />
    );
  }
  if (!scorecard) {
    return <Progress />;
  }
  return (
    <>
      <Box display="flex" alignItems="center" mb={1} style={{ gap: 8 }}>
        <LevelBadge
          level={scorecard.level}
          levelOrder={levelOrderOf(scorecard)}
          size="medium"
        />
        <Typography variant="body2" color="textSecondary">
          scored <RelativeTime iso={scorecard.evaluatedAt} />
        </Typography>
      </Box>
      {scorecard.stale && <StaleWarning />}
      <NextLevel scorecard={scorecard} />
    </>
  );
}

/** Overview card: the entity's level, what the next level needs, and a link to every check. */
export function ScorecardCard() {
  const { entity } = useEntity();
  const tabLink = useScorecardTabLink();
  return (
    <InfoCard
      title="Scorecard"
      deepLink={{
        title: 'All checks',
        link: tabLink(stringifyEntityRef(entity)),
      }}
    >
      <CardBody />
    </InfoCard>
  );
}
