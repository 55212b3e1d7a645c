import { Progress, Table, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { LiveResource } from '@paved/plugin-crossplane-common';
import { ReactNode } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { crossplaneApiRef } from '../../api';
import { useRequestsRefreshKey } from '../../hooks/useRequestsRefreshKey';
import { ClusterStateNotice } from '../ClusterStateNotice';
import { CrossplaneErrorPanel } from '../CrossplaneErrorPanel';
import { ConditionChip } from '../StatusChips';

/** Synced and Ready first, as Crossplane's printer columns show them, then any others. */
function conditionsInOrder(resource: LiveResource) {
  const rank = (type: string) =>
    ['Synced', 'Ready'].includes(type) ? ['Synced', 'Ready'].indexOf(type) : 2;
  return [...resource.conditions].sort(
    (a, b) => rank(a.type) - rank(b.type) || a.type.localeCompare(b.type),
  );
}

function resourceKey(resource: LiveResource) {
  return `${resource.cluster}/${resource.apiVersion}/${resource.kind}/${
    resource.namespace ?? ''
  }/${resource.name}`;
}

// One element for every render: Backstage's Table remounts every row (closing what a row
// opened) whenever `emptyContent` is a new element.
const noResources = (
  <Box p={2}>
    <Typography variant="body2">
      No live infrastructure belongs to this entity on any cluster.
    </Typography>
  </Box>
);

/**
 * The entity's live resources on every cluster, with a chip per condition; `actions` renders
 * what a person may do with each. Refreshes when a request for the entity changes.
 */
export function LiveResources(props: {
  entityRef: string;
  actions?: (resource: LiveResource) => ReactNode;
}) {
  const { entityRef, actions } = props;
  const api = useApi(crossplaneApiRef);
  const refreshKey = useRequestsRefreshKey(
    signal => signal.entityRef === entityRef,
  );
  const { value, error } = useAsync(
    () => api.getEntityResources(entityRef),
    [api, entityRef, refreshKey],
  );
  if (error) {
    return <CrossplaneErrorPanel error={error} />;
  }
  if (!value) {
    return <Progress />;
  }
  const columns: TableColumn<LiveResource & { id: string }>[] = [
    {
      title: 'Resource',
      render: resource => (
        <>
          <Typography variant="body2">{resource.name}</Typography>
          <Typography variant="caption" color="textSecondary">
            {resource.kind}
            {resource.namespace ? ` in ${resource.namespace}` : ''}
          </Typography>
        </>
      ),
    },
    { title: 'Offering', field: 'offeringTitle' },
    {
      title: 'Environment',
      render: resource =>
        resource.environment && resource.environment !== resource.cluster
          ? `${resource.environment} (${resource.cluster})`
          : resource.cluster,
    },
    {
      title: 'Conditions',
      render: resource =>
        resource.conditions.length === 0 ? (
          <Typography variant="body2" color="textSecondary">
            {resource.deleting ? 'Deleting' : 'None reported yet'}
          </Typography>
        ) : (
          <Box display="flex" flexWrap="wrap" style={{ gap: 4 }}>
            {conditionsInOrder(resource).map(condition => (
              <ConditionChip key={condition.type} condition={condition} />
            ))}
          </Box>
        ),
    },
    ...(actions
      ? [
          {
            title: 'Actions',
            render: (resource: LiveResource) => actions(resource),
          },
        ]
      : []),
  ];
  return (
    <>
      {value.clusters
        .filter(cluster => cluster.status !== 'ready')
        .map(cluster => (
          <Box mb={1} key={cluster.name}>
            <ClusterStateNotice cluster={cluster} what="resources" />
          </Box>
        ))}
      <Table
        title="Live infrastructure"
        options={{ search: false, paging: false, padding: 'dense' }}
        columns={columns}
        data={value.resources.map(resource => ({
          ...resource,
          id: resourceKey(resource),
        }))}
        emptyContent={noResources}
      />
    </>
  );
}
