import {
  Content,
  ContentHeader,
  LinkButton,
  Progress,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { crossplaneApiRef } from '../../api';
import { useRequestsRefreshKey } from '../../hooks/useRequestsRefreshKey';
import { approvalsRouteRef } from '../../routes';
import { ClusterStateNotice } from '../ClusterStateNotice';
import { CrossplaneErrorPanel } from '../CrossplaneErrorPanel';
import { RequestsTable } from '../RequestsTable';
import { OfferingCard } from './OfferingCard';

// The signal names an entity, not the teams owning it, so any change may concern "my" requests.
const anyRequest = () => true;

function Offerings() {
  const api = useApi(crossplaneApiRef);
  const { value, error } = useAsync(() => api.getOfferings(), [api]);
  if (error) {
    return <CrossplaneErrorPanel error={error} />;
  }
  if (!value) {
    return <Progress />;
  }
  return (
    <Grid container spacing={3}>
      {value.clusters.map(cluster =>
        cluster.status === 'ready' ? null : (
          <Grid item xs={12} key={cluster.name}>
            <ClusterStateNotice cluster={cluster} />
          </Grid>
        ),
      )}
      {value.offerings.length === 0 && (
        <Grid item xs={12}>
          <Typography>
            No infrastructure is offered yet: the platform team offers a
            Crossplane XRD by labelling it paved.dev/offered=true.
          </Typography>
        </Grid>
      )}
      {value.offerings.map(offering => (
        <Grid item xs={12} md={6} lg={4} key={offering.name}>
          <OfferingCard offering={offering} />
        </Grid>
      ))}
    </Grid>
  );
}

function TeamRequests(props: { refreshKey: number }) {
  const api = useApi(crossplaneApiRef);
  const { value, error } = useAsync(
    () => api.listRequests({ mine: true }),
    [api, props.refreshKey],
  );
  if (error) {
    return <CrossplaneErrorPanel error={error} />;
  }
  if (!value) {
    return <Progress />;
  }
  return (
    <RequestsTable
      title="Your team's requests"
      requests={value.requests}
      emptyText="Your teams have not requested any infrastructure yet."
    />
  );
}

/** "Approvals (n)" for approvers; nothing for others, or when the inbox cannot be read. */
function ApprovalsLink(props: { refreshKey: number }) {
  const api = useApi(crossplaneApiRef);
  const approvalsRoute = useRouteRef(approvalsRouteRef);
  const { value } = useAsync(() => api.getApprovals(), [api, props.refreshKey]);
  if (!value?.mayApprove || !approvalsRoute) {
    return null;
  }
  return (
    <LinkButton to={approvalsRoute()} variant="outlined" color="primary">
      Approvals ({value.requests.length})
    </LinkButton>
  );
}

/**
 * The Infrastructure page's start: a card per offering, notices for clusters that cannot be
 * read, the signed-in user's teams' requests, and the approvals inbox for approvers.
 */
export function OfferingsOverview() {
  const refreshKey = useRequestsRefreshKey(anyRequest);
  return (
    <Content>
      <ContentHeader title="Request infrastructure">
        <ApprovalsLink refreshKey={refreshKey} />
      </ContentHeader>
      <Grid container spacing={3} direction="column">
        <Grid item>
          <Offerings />
        </Grid>
        <Grid item>
          <TeamRequests refreshKey={refreshKey} />
        </Grid>
      </Grid>
    </Content>
  );
}
