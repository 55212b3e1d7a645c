import { Link, Progress } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import {
  CampaignSummary,
  scorecardsCampaignCreatePermission,
} from '@paved/plugin-scorecards-common';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { scorecardsApiRef } from '../../api';
import { campaignRouteRef } from '../../routes';
import { LevelBadge } from '../LevelBadge';
import { realLevels } from '../levels';
import { filterOptions } from '../ScorecardsPage/EntityFilters';
import { ScorecardsErrorPanel } from '../ScorecardsErrorPanel';
import { CampaignProgressBar } from './CampaignProgressBar';
import { deadlineText } from './deadline';
import { DeleteCampaignButton } from './DeleteCampaignButton';
import { NewCampaignDialog } from './NewCampaignDialog';

function CampaignItem(props: {
  campaign: CampaignSummary;
  onDeleted: () => void;
}) {
  const { campaign } = props;
  const campaignRoute = useRouteRef(campaignRouteRef);
  return (
    <Paper
      variant="outlined"
      component="li"
      aria-label={campaign.title}
      style={{ listStyle: 'none', padding: 16, marginBottom: 16 }}
    >
      <Box display="flex" alignItems="center" style={{ gap: 8 }}>
        <Typography variant="h6" component="h3">
          {campaignRoute ? (
            <Link to={campaignRoute({ id: campaign.id })}>
              {campaign.title}
            </Link>
          ) : (
            campaign.title
          )}
        </Typography>
        <LevelBadge level={campaign.targetLevel} />
        <Box flexGrow={1} />
        <DeleteCampaignButton campaign={campaign} onDeleted={props.onDeleted} />
      </Box>
      <Typography variant="body2" color="textSecondary">
        By {campaign.deadline} · {deadlineText(campaign.deadline)}
      </Typography>
      <CampaignProgressBar
        title={campaign.title}
        reached={campaign.reached}
        total={campaign.total}
        targetLevel={campaign.targetLevel}
      />
    </Paper>
  );
}

/** The campaigns with their progress; admins start and end them here. */
export function CampaignsList() {
  const api = useApi(scorecardsApiRef);
  const [reloads, setReloads] = useState(0);
  const [creating, setCreating] = useState(false);
  const { allowed: mayCreate } = usePermission({
    permission: scorecardsCampaignCreatePermission,
  });
  const campaigns = useAsync(() => api.listCampaigns(), [api, reloads]);
  // The form's levels and scope options, read only for those who may use it.
  const entities = useAsync(
    async () => (mayCreate ? api.getEntities({}) : undefined),
    [api, mayCreate],
  );
  const reload = () => setReloads(n => n + 1);

  if (campaigns.error) {
    return <ScorecardsErrorPanel error={campaigns.error} />;
  }
  if (!campaigns.value) {
    return <Progress />;
  }
  return (
    <Grid container spacing={2}>
      {mayCreate && entities.value && (
        <Grid item xs={12}>
          <Button
            variant="contained"
            color="primary"
            onClick={() => setCreating(true)}
          >
            New campaign
          </Button>
          {/* Mounted only while open, so each new campaign starts from an empty form. */}
          {creating && (
            <NewCampaignDialog
              open
              levels={realLevels(entities.value.levelOrder)}
              scopeOptions={filterOptions(entities.value.entities)}
              onClose={() => setCreating(false)}
              onCreated={() => {
                setCreating(false);
                reload();
              }}
            />
          )}
        </Grid>
      )}
      <Grid item xs={12}>
        {campaigns.value.length === 0 ? (
          <Typography>
            No campaigns yet: platform admins set targets such as "every
            production service Silver by March".
          </Typography>
        ) : (
          <ul aria-label="Campaigns" style={{ padding: 0, margin: 0 }}>
            {campaigns.value.map(campaign => (
              <CampaignItem
                key={campaign.id}
                campaign={campaign}
                onDeleted={reload}
              />
            ))}
          </ul>
        )}
      </Grid>
    </Grid>
  );
}
