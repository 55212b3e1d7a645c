import {
  Content,
  ContentHeader,
  Link,
  Progress,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import { Alert } from '@material-ui/lab';
import { InfrastructureRequest } from '@paved/plugin-crossplane-common';
import { ReactNode, useEffect, useState } from 'react';
import { useParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { crossplaneApiRef } from '../../api';
import { useRequestsRefreshKey } from '../../hooks/useRequestsRefreshKey';
import { rootRouteRef } from '../../routes';
import { ApprovalActions } from '../ApprovalActions';
import { CrossplaneErrorPanel } from '../CrossplaneErrorPanel';
import { RequestStatusChip } from '../StatusChips';
import { RequestTimeline } from './RequestTimeline';
import { ResourcePanel } from './ResourcePanel';
import { operationLabels } from '../operationLabels';

function Field(props: { label: string; children: ReactNode }) {
  return (
    <Grid item xs={12} sm={6} md={4}>
      <Typography variant="caption" color="textSecondary" component="div">
        {props.label}
      </Typography>
      <Typography variant="body2" component="div">
        {props.children}
      </Typography>
    </Grid>
  );
}

function RequestSummary(props: { request: InfrastructureRequest }) {
  const { request } = props;
  const { resource } = request;
  return (
    <Paper variant="outlined">
      <Box p={2}>
        <Grid container spacing={2}>
          <Field label="Status">
            <RequestStatusChip status={request.status} />
          </Field>
          <Field label="Request">{operationLabels[request.operation]}</Field>
          <Field label="Offering">{request.offeringTitle}</Field>
          <Field label="Environment">{request.environment}</Field>
          <Field label="Entity">
            <EntityRefLink entityRef={request.entityRef} />
          </Field>
          <Field label="Requested by">
            <EntityRefLink entityRef={request.requestedBy} />
          </Field>
          <Field label="Where">
            {resource.cluster}
            {resource.namespace && ` · namespace ${resource.namespace}`}
          </Field>
        </Grid>
        {request.message && (
          <Box mt={2}>
            <Alert
              severity={
                request.status === 'failed' || request.status === 'rejected'
                  ? 'error'
                  : 'info'
              }
            >
              {request.message}
            </Alert>
          </Box>
        )}
      </Box>
    </Paper>
  );
}

function ApprovalDecision(props: { request: InfrastructureRequest }) {
  const { approval } = props.request;
  if (!approval) {
    return null;
  }
  return (
    <Alert severity={approval.decision === 'approved' ? 'success' : 'error'}>
      {approval.decision === 'approved' ? 'Approved' : 'Rejected'} by{' '}
      <EntityRefLink entityRef={approval.by} />
      {approval.comment ? `: “${approval.comment}”` : '.'}
    </Alert>
  );
}

/** Approve and Reject, for approvers, while the request awaits approval. */
function PendingApproval(props: {
  request: InfrastructureRequest;
  refreshKey: number;
  onDecided: (request: InfrastructureRequest) => void;
}) {
  const api = useApi(crossplaneApiRef);
  const { value } = useAsync(() => api.getApprovals(), [api, props.refreshKey]);
  if (!value?.mayApprove) {
    return (
      <Alert severity="info">
        Waiting for an approver: nothing is created until someone allowed to
        approve requests for this environment does.
      </Alert>
    );
  }
  return (
    <Paper variant="outlined">
      <Box p={2}>
        <Typography variant="subtitle1" component="h3" gutterBottom>
          This request awaits your approval
        </Typography>
        <ApprovalActions request={props.request} onDecided={props.onDecided} />
      </Box>
    </Paper>
  );
}

function RequestBody(props: { id: string }) {
  const { id } = props;
  const api = useApi(crossplaneApiRef);
  const refreshKey = useRequestsRefreshKey(signal => signal.id === id);
  const [decided, setDecided] = useState<InfrastructureRequest>();
  const requestState = useAsync(
    () => api.getRequest(id),
    [api, id, refreshKey],
  );
  const resourceState = useAsync(
    () => api.getRequestResource(id),
    [api, id, refreshKey],
  );
  // A decision answers with the updated request; show it until the next fetch replaces it.
  useEffect(() => setDecided(undefined), [requestState.value]);
  const request = decided ?? requestState.value;

  if (requestState.error && !request) {
    return <CrossplaneErrorPanel error={requestState.error} />;
  }
  if (!request) {
    return <Progress />;
  }
  return (
    <>
      <ContentHeader
        title={`${
          request.operation === 'create'
            ? ''
            : `${operationLabels[request.operation]}: `
        }${request.resource.kind} ${request.resource.name}`}
        description={`${request.offeringTitle} in ${request.environment}`}
      />
      <Grid container spacing={3}>
        <Grid item xs={12}>
          <RequestSummary request={request} />
        </Grid>
        {request.approval && (
          <Grid item xs={12}>
            <ApprovalDecision request={request} />
          </Grid>
        )}
        {request.status === 'awaiting-approval' && (
          <Grid item xs={12}>
            <PendingApproval
              request={request}
              refreshKey={refreshKey}
              onDecided={setDecided}
            />
          </Grid>
        )}
        <Grid item xs={12} md={5}>
          <Paper variant="outlined">
            <Box p={2}>
              <Typography variant="h6" component="h2">
                Timeline
              </Typography>
              <RequestTimeline request={request} />
            </Box>
          </Paper>
        </Grid>
        <Grid item xs={12} md={7}>
          <ResourcePanel
            detail={resourceState.value}
            error={resourceState.error}
          />
        </Grid>
      </Grid>
    </>
  );
}

/**
 * One request (`/requests/:id`): what was asked for whom, its timeline, the approval, and the
 * resource live from its cluster. Signals for this request refresh it without a reload.
 */
export function RequestPage() {
  const { id = '' } = useParams();
  const rootRoute = useRouteRef(rootRouteRef);
  return (
    <Content>
      {rootRoute && (
        <Box mb={2}>
          <Link to={rootRoute()}>All offerings and requests</Link>
        </Box>
      )}
      <RequestBody id={id} />
    </Content>
  );
}
