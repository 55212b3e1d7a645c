import { InfoCard, Link, Progress } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import {
  CampaignBlockingCheck,
  CampaignProgress,
  CampaignTeam,
  EntityFilter,
} from '@paved/plugin-scorecards-common';
import { useNavigate, useParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { scorecardsApiRef } from '../../api';
import { useScorecardTabLink } from '../../hooks/useScorecardTabLink';
import { campaignsRouteRef } from '../../routes';
import { EntityLink } from '../EntityLink';
import { shortRef } from '../shortRef';
import { LevelBadge } from '../LevelBadge';
import { RemediationText } from '../RemediationText';
import { ScorecardsErrorPanel } from '../ScorecardsErrorPanel';
import { CampaignProgressBar } from './CampaignProgressBar';
import { deadlineText } from './deadline';
import { DeleteCampaignButton } from './DeleteCampaignButton';

function scopeText(scope: EntityFilter): string {
  const parts = [
    scope.lifecycle?.length && `lifecycle ${scope.lifecycle.join(', ')}`,
    scope.owner?.length && `owned by ${scope.owner.map(shortRef).join(', ')}`,
    scope.system?.length && `in ${scope.system.map(shortRef).join(', ')}`,
  ].filter(Boolean);
  return parts.length ? parts.join('; ') : 'every scored service';
}

function TeamsBehind(props: { teams: CampaignTeam[] }) {
  const tabLink = useScorecardTabLink();
  const behind = props.teams.filter(team => team.behind.length > 0);
  return (
    <InfoCard title="Teams behind" noPadding>
      {behind.length === 0 ? (
        <Box p={2}>Every team has reached the target.</Box>
      ) : (
        <Table size="small" aria-label="Teams behind">
          <TableHead>
            <TableRow>
              <TableCell>Team</TableCell>
              <TableCell>Reached</TableCell>
              <TableCell>Below target</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {behind.map(team => (
              <TableRow key={team.ownerRef}>
                <TableCell>
                  <EntityLink entityRef={team.ownerRef} />
                </TableCell>
                <TableCell>
                  {team.reached} of {team.total}
                </TableCell>
                <TableCell>
                  <List dense disablePadding>
                    {team.behind.map(entity => (
                      <ListItem key={entity.entityRef} disableGutters>
                        <Link to={tabLink(entity.entityRef)}>
                          {shortRef(entity.entityRef)}
                        </Link>
                        &nbsp;
                        <LevelBadge level={entity.level} />
                      </ListItem>
                    ))}
                  </List>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </InfoCard>
  );
}

function BlockingChecks(props: { checks: CampaignBlockingCheck[] }) {
  return (
    <InfoCard title="Blocking checks">
      {props.checks.length === 0 ? (
        'No check is holding anyone back.'
      ) : (
        <List dense aria-label="Blocking checks">
          {props.checks.map(check => (
            <ListItem key={check.id} disableGutters>
              <ListItemText
                primary={`${check.title} (${check.level}) — ${
                  check.entities === 1
                    ? '1 service'
                    : `${check.entities} services`
                }`}
                secondary={<RemediationText remediation={check.remediation} />}
                secondaryTypographyProps={{
                  component: 'div',
                  style: { whiteSpace: 'normal', overflowWrap: 'anywhere' },
                }}
              />
            </ListItem>
          ))}
        </List>
      )}
    </InfoCard>
  );
}

function CampaignDetail(props: { campaign: CampaignProgress }) {
  const { campaign } = props;
  const navigate = useNavigate();
  const campaignsRoute = useRouteRef(campaignsRouteRef);
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <Box display="flex" alignItems="center" style={{ gap: 8 }}>
          <Typography variant="h5" component="h2">
            {campaign.title}
          </Typography>
          <LevelBadge level={campaign.targetLevel} />
          <Box flexGrow={1} />
          <DeleteCampaignButton
            campaign={campaign}
            onDeleted={() => navigate(campaignsRoute?.() ?? '..')}
          />
        </Box>
        {campaign.description && (
          <Typography variant="body1">{campaign.description}</Typography>
        )}
        <Typography variant="body2" color="textSecondary">
          {campaign.targetLevel} by {campaign.deadline} ·{' '}
          {deadlineText(campaign.deadline)} · Scope: {scopeText(campaign.scope)}
        </Typography>
        <Box mt={2}>
          <CampaignProgressBar
            title={campaign.title}
            reached={campaign.reached}
            total={campaign.total}
            targetLevel={campaign.targetLevel}
          />
        </Box>
      </Grid>
      <Grid item xs={12} md={7}>
        <TeamsBehind teams={campaign.teams} />
      </Grid>
      <Grid item xs={12} md={5}>
        <BlockingChecks checks={campaign.blockingChecks} />
      </Grid>
    </Grid>
  );
}

/** One campaign: its progress, the teams behind with their services, the checks blocking them. */
export function CampaignPage() {
  const { id = '' } = useParams();
  const api = useApi(scorecardsApiRef);
  const { value, error } = useAsync(() => api.getCampaign(id), [api, id]);
  if (error) {
    return <ScorecardsErrorPanel error={error} />;
  }
  if (!value) {
    return <Progress />;
  }
  return <CampaignDetail campaign={value} />;
}
