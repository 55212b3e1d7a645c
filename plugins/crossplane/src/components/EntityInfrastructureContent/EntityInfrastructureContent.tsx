import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  ErrorBoundary,
  InfoCard,
  LinkButton,
  Progress,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { crossplaneApiRef } from '../../api';
import { useRequestsRefreshKey } from '../../hooks/useRequestsRefreshKey';
import { requestFormRouteRef } from '../../routes';
import { ClusterStateNotice } from '../ClusterStateNotice';
import { CrossplaneErrorPanel } from '../CrossplaneErrorPanel';
import { RequestsTable } from '../RequestsTable';
import { LiveResources } from './LiveResources';

/** A "Request …" button per offering, opening its form with this entity chosen. */
function RequestButtons(props: { entityRef: string }) {
  const api = useApi(crossplaneApiRef);
  const requestForm = useRouteRef(requestFormRouteRef);
  const { value, error } = useAsync(() => api.getOfferings(), [api]);
  if (error) {
    return <CrossplaneErrorPanel error={error} />;
  }
  if (!value) {
    return <Progress />;
  }
  if (!requestForm) {
    return null;
  }
  const query = new URLSearchParams({ entity: props.entityRef }).toString();
  return (
    <InfoCard title="Request infrastructure">
      {value.clusters
        .filter(cluster => cluster.status !== 'ready')
        .map(cluster => (
          <Box mb={1} key={cluster.name}>
            <ClusterStateNotice cluster={cluster} />
          </Box>
        ))}
      {value.offerings.length === 0 ? (
        <Typography variant="body2">
          No infrastructure is offered yet.
        </Typography>
      ) : (
        <Box display="flex" flexWrap="wrap" style={{ gap: 8 }}>
          {value.offerings.map(offering => (
            <LinkButton
              key={offering.name}
              to={`${requestForm({ offering: offering.name })}?${query}`}
              variant="outlined"
              color="primary"
              title={offering.description}
            >
              Request {offering.title}
            </LinkButton>
          ))}
        </Box>
      )}
    </InfoCard>
  );
}

function EntityRequests(props: { entityRef: string }) {
  const { entityRef } = props;
  const api = useApi(crossplaneApiRef);
  const refreshKey = useRequestsRefreshKey(
    signal => signal.entityRef === entityRef,
  );
  const { value, error } = useAsync(
    () => api.listRequests({ entityRef }),
    [api, entityRef, refreshKey],
  );
  if (error) {
    return <CrossplaneErrorPanel error={error} />;
  }
  if (!value) {
    return <Progress />;
  }
  return (
    <RequestsTable
      title="Requested infrastructure"
      requests={value.requests}
      hideEntity
      emptyText="No infrastructure has been requested for this entity yet."
    />
  );
}

/**
 * The entity's Infrastructure tab: its live resources on every cluster, what was requested for
 * it, live as requests move on, and a way to request more of each offering with the entity
 * already chosen.
 */
export function EntityInfrastructureContent() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  return (
    <ErrorBoundary>
      <Grid container spacing={3} direction="column">
        <Grid item>
          <RequestButtons entityRef={entityRef} />
        </Grid>
        <Grid item>
          <LiveResources entityRef={entityRef} />
        </Grid>
        <Grid item>
          <EntityRequests entityRef={entityRef} />
        </Grid>
      </Grid>
    </ErrorBoundary>
  );
}
