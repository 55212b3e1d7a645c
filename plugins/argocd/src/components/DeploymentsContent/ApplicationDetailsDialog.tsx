import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { Alert } from '@material-ui/lab';
import {
  CodeSnippet,
  Link,
  Table,
  TableColumn,
} from '@backstage/core-components';
import {
  ApplicationCondition,
  ApplicationDetailResponse,
  ManagedResource,
  REDACTED_VALUE,
} from '@paved/plugin-argocd-common';
import { stringify } from 'yaml';
import { ApplicationAnswer, ApplicationViewProps } from './ApplicationAnswer';
import { RelativeTime } from '@paved/paved-react';
import { HealthStatusChip, SyncStatusChip } from '../StatusChips';

const resourceColumns: TableColumn<ManagedResource>[] = [
  {
    title: 'Kind',
    render: r => (r.group ? `${r.kind} (${r.group})` : r.kind),
  },
  { title: 'Namespace', field: 'namespace', emptyValue: '—' },
  { title: 'Name', field: 'name' },
  {
    title: 'Sync',
    render: r => <SyncStatusChip status={r.status} />,
  },
  {
    title: 'Health',
    render: r =>
      r.health?.status ? (
        <>
          <HealthStatusChip status={r.health.status} />
          {r.health.message && (
            <Typography variant="body2" color="textSecondary">
              {r.health.message}
            </Typography>
          )}
        </>
      ) : (
        '—'
      ),
  },
];

function ManagedResourcesTable(props: { resources: ManagedResource[] }) {
  return (
    <Table<ManagedResource>
      title="Managed resources"
      columns={resourceColumns}
      data={props.resources}
      options={{ paging: false, search: false, padding: 'dense' }}
      emptyContent={
        <Box p={2}>
          <Typography variant="body2">
            Argo CD reports no managed resources.
          </Typography>
        </Box>
      }
    />
  );
}

function ConditionsList(props: { conditions: ApplicationCondition[] }) {
  if (props.conditions.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No conditions.
      </Typography>
    );
  }
  return (
    <List dense>
      {props.conditions.map((condition, index) => (
        <ListItem key={`${condition.type}-${index}`}>
          <ListItemText
            primary={condition.type}
            secondary={
              <>
                {condition.message}
                {condition.lastTransitionTime && (
                  <>
                    {' · '}
                    <RelativeTime iso={condition.lastTransitionTime} />
                  </>
                )}
              </>
            }
          />
        </ListItem>
      ))}
    </List>
  );
}

function ApplicationDetails(props: { detail: ApplicationDetailResponse }) {
  const { detail } = props;
  return (
    <>
      <ManagedResourcesTable resources={detail.resources} />
      <Box mt={3}>
        <Typography variant="h6">Conditions</Typography>
        <ConditionsList conditions={detail.application.conditions} />
      </Box>
      <Box mt={3}>
        <Typography variant="h6">Manifest</Typography>
        {detail.redacted && (
          <Box mb={1}>
            <Alert severity="info">
              Helm values and parameters, kustomize patches and plugin
              environments show as {REDACTED_VALUE}: they often hold
              credentials, so only owners of this Application's Argo CD project
              can read them here.
            </Alert>
          </Box>
        )}
        <CodeSnippet
          language="yaml"
          text={stringify(detail.manifest)}
          showCopyCodeButton
        />
      </Box>
    </>
  );
}

/**
 * The Kubernetes view of one Application: the resources it manages with their sync and
 * health, its conditions, and its manifest as the cluster holds it (redacted, with a note,
 * when the user may not read it whole).
 */
export function ApplicationDetailsDialog(
  props: ApplicationViewProps & { open: boolean; onClose: () => void },
) {
  const { open, onClose, ...view } = props;
  const { application } = view;
  return (
    <Dialog
      open={open}
      onClose={onClose}
      maxWidth="lg"
      fullWidth
      aria-labelledby="argocd-application-details-title"
    >
      <DialogTitle id="argocd-application-details-title">
        {application.name} on {application.instanceTitle}
      </DialogTitle>
      <DialogContent dividers>
        {open && (
          <ApplicationAnswer
            {...view}
            request={(api, ref, app) => api.getApplicationDetail(ref, app)}
          >
            {detail => <ApplicationDetails detail={detail} />}
          </ApplicationAnswer>
        )}
      </DialogContent>
      <DialogActions>
        {application.argocdUrl && (
          <Link to={application.argocdUrl}>Open in Argo CD</Link>
        )}
        <Button onClick={onClose} color="primary">
          Close
        </Button>
      </DialogActions>
    </Dialog>
  );
}
