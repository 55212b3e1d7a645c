import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  ErrorBoundary,
  InfoCard,
  Link,
  LinkButton,
  Progress,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { Alert } from '@material-ui/lab';
import {
  InfrastructureRequest,
  LiveResource,
} from '@paved/plugin-crossplane-common';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { crossplaneApiRef } from '../../api';
import { useRequestsRefreshKey } from '../../hooks/useRequestsRefreshKey';
import { requestFormRouteRef, requestRouteRef } from '../../routes';
import { ClusterStateNotice } from '../ClusterStateNotice';
import { CrossplaneErrorPanel } from '../CrossplaneErrorPanel';
import { RequestsTable } from '../RequestsTable';
import { DeleteResourceDialog } from './DeleteResourceDialog';
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

/**
 * The entity's live resources with Change (the request form, prefilled) and Delete (a
 * confirmation dialog) on those the person may change and an environment offers.
 */
function EntityLiveResources(props: { entityRef: string }) {
  const { entityRef } = props;
  const requestForm = useRouteRef(requestFormRouteRef);
  const requestRoute = useRouteRef(requestRouteRef);
  // Kept here, not in a table row: the table may remount its rows when it refreshes.
  const [deleting, setDeleting] = useState<LiveResource>();
  const [requested, setRequested] = useState<InfrastructureRequest>();

  const actions = (resource: LiveResource) => {
    if (!resource.mayChange || !resource.environment || resource.deleting) {
      return null;
    }
    const query = new URLSearchParams({
      entity: entityRef,
      environment: resource.environment,
      change: resource.name,
      ...(resource.namespace ? { namespace: resource.namespace } : {}),
    }).toString();
    return (
      <Box display="flex" style={{ gap: 8 }}>
        {requestForm && (
          <LinkButton
            to={`${requestForm({ offering: resource.offering })}?${query}`}
            size="small"
            variant="outlined"
            color="primary"
            aria-label={`Change ${resource.name}`}
          >
            Change
          </LinkButton>
        )}
        <Button
          size="small"
          variant="outlined"
          onClick={() => setDeleting(resource)}
          aria-label={`Delete ${resource.name}`}
        >
          Delete
        </Button>
      </Box>
    );
  };

  return (
    <>
      {requested && (
        <Box mb={1}>
          <Alert severity="info" onClose={() => setRequested(undefined)}>
            Deletion of {requested.resource.name} requested
            {requested.status === 'awaiting-approval'
              ? '; it waits for an approver'
              : ''}
            .{' '}
            {requestRoute && (
              <Link to={requestRoute({ id: requested.id })}>
                Follow the request
              </Link>
            )}
          </Alert>
        </Box>
      )}
      <LiveResources entityRef={entityRef} actions={actions} />
      {deleting && (
        <DeleteResourceDialog
          entityRef={entityRef}
          resource={deleting}
          onClose={() => setDeleting(undefined)}
          onRequested={request => {
            setDeleting(undefined);
            setRequested(request);
          }}
        />
      )}
    </>
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
          <EntityLiveResources entityRef={entityRef} />
        </Grid>
        <Grid item>
          <EntityRequests entityRef={entityRef} />
        </Grid>
      </Grid>
    </ErrorBoundary>
  );
}
