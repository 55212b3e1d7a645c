import { useState } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { InfoCard } from '@backstage/core-components';
import { ApplicationAnswer, ApplicationViewProps } from './ApplicationAnswer';
import { HealthStatusChip, SyncStatusChip } from '../StatusChips';
import { ApplicationDetailsDialog } from './ApplicationDetailsDialog';
import { DeploymentHistory } from './DeploymentHistory';

/** One Application's status, deployment history and a way into its Kubernetes details. */
export function ApplicationHistoryCard(props: ApplicationViewProps) {
  const { application } = props;
  const [detailsOpen, setDetailsOpen] = useState(false);
  return (
    <InfoCard
      title={application.name}
      subheader={`${application.namespace} · project ${application.project}`}
      action={
        <Box display="flex" alignItems="center" style={{ gap: 8 }} pt={1}>
          <SyncStatusChip status={application.sync.status} />
          <HealthStatusChip status={application.health.status} />
          <Button
            size="small"
            variant="outlined"
            onClick={() => setDetailsOpen(true)}
            aria-label={`Details of ${application.name} on ${application.instanceTitle}`}
          >
            Details
          </Button>
        </Box>
      }
    >
      {application.problem && (
        <Box mb={2}>
          <Typography variant="body2" color="error">
            {application.problem}
          </Typography>
        </Box>
      )}
      <ApplicationAnswer
        {...props}
        request={(api, ref, app) => api.getApplicationHistory(ref, app)}
      >
        {answer => <DeploymentHistory history={answer.history} />}
      </ApplicationAnswer>
      <ApplicationDetailsDialog
        open={detailsOpen}
        onClose={() => setDetailsOpen(false)}
        {...props}
      />
    </InfoCard>
  );
}
