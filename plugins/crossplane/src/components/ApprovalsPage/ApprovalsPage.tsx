import {
  Content,
  ContentHeader,
  Link,
  Progress,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { Alert } from '@material-ui/lab';
import { InfrastructureRequest } from '@paved/plugin-crossplane-common';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { crossplaneApiRef } from '../../api';
import { useRequestsRefreshKey } from '../../hooks/useRequestsRefreshKey';
import { rootRouteRef } from '../../routes';
import { ApprovalActions } from '../ApprovalActions';
import { CrossplaneErrorPanel } from '../CrossplaneErrorPanel';
import { RelativeTime } from '@paved/paved-react';
import { RequestLink } from '../RequestsTable';

// Any change may add a request to the inbox or take one out of it.
const anyRequest = () => true;

function formatValue(value: unknown): string {
  return typeof value === 'object' && value !== null
    ? JSON.stringify(value)
    : String(value);
}

/** `storageGB: 20, version: 16`: the top-level parameters, enough to judge at a glance. */
function parametersSummary(parameters: Record<string, unknown>): string {
  const entries = Object.entries(parameters);
  if (entries.length === 0) {
    return 'defaults';
  }
  return entries
    .map(([key, value]) => `${key}: ${formatValue(value)}`)
    .join(', ');
}

function columns(
  mayApprove: boolean,
  onDecided: () => void,
): TableColumn<InfrastructureRequest>[] {
  const base: TableColumn<InfrastructureRequest>[] = [
    {
      title: 'Resource',
      render: request => <RequestLink request={request} />,
    },
    {
      title: 'Requested by',
      render: request => <EntityRefLink entityRef={request.requestedBy} />,
    },
    {
      title: 'Entity',
      render: request => <EntityRefLink entityRef={request.entityRef} />,
    },
    { title: 'Offering', field: 'offeringTitle' },
    { title: 'Environment', field: 'environment' },
    {
      title: 'Parameters',
      render: request => (
        <Typography variant="body2" style={{ wordBreak: 'break-word' }}>
          {parametersSummary(request.parameters)}
        </Typography>
      ),
    },
    {
      title: 'Age',
      render: request => <RelativeTime iso={request.createdAt} />,
    },
  ];
  if (!mayApprove) {
    return base;
  }
  return [
    ...base,
    {
      title: 'Decision',
      render: request => (
        <ApprovalActions request={request} onDecided={onDecided} />
      ),
    },
  ];
}

// One element for every render: Backstage's Table rebuilds its body, remounting every row (and
// closing an open Reject dialog), whenever `emptyContent` is a new element.
const noRequests = (
  <Typography style={{ padding: 16 }}>
    No requests are waiting for approval.
  </Typography>
);

/**
 * The approvers' inbox (`/approvals`): requests awaiting approval, each with Approve and Reject
 * (with a comment) and a link to its page. People who may not approve see the list and why.
 */
export function ApprovalsPage() {
  const api = useApi(crossplaneApiRef);
  const rootRoute = useRouteRef(rootRouteRef);
  const signalKey = useRequestsRefreshKey(anyRequest);
  const [decisions, setDecisions] = useState(0);
  const { value, error } = useAsync(
    () => api.getApprovals(),
    [api, signalKey, decisions],
  );

  let body;
  if (error) {
    body = <CrossplaneErrorPanel error={error} />;
  } else if (!value) {
    body = <Progress />;
  } else {
    body = (
      <>
        {!value.mayApprove && (
          <Box mb={2}>
            <Alert severity="info">
              You may not approve or reject requests: approvers are those the
              permission policy grants crossplane.request.approve.
            </Alert>
          </Box>
        )}
        <Table<InfrastructureRequest>
          title="Awaiting approval"
          columns={columns(value.mayApprove, () =>
            setDecisions(count => count + 1),
          )}
          data={value.requests}
          options={{
            paging: value.requests.length > 20,
            pageSize: 20,
            search: false,
            sorting: false,
            padding: 'dense',
          }}
          emptyContent={noRequests}
        />
      </>
    );
  }

  return (
    <Content>
      <ContentHeader title="Approvals" />
      {rootRoute && (
        <Box mb={2}>
          <Link to={rootRoute()}>All offerings and requests</Link>
        </Box>
      )}
      {body}
    </Content>
  );
}
