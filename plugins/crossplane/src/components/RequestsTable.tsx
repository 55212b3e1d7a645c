import { Link, Table, TableColumn } from '@backstage/core-components';
import { useRouteRef } from '@backstage/frontend-plugin-api';
import { useMemo } from 'react';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Typography from '@material-ui/core/Typography';
import { InfrastructureRequest } from '@paved/plugin-crossplane-common';
import { requestRouteRef } from '../routes';
import { RelativeTime } from '@paved/paved-react';
import { RequestStatusChip } from './StatusChips';
import { operationLabels } from './operationLabels';

/** The resource's name, linking to the request's page where that page is installed. */
export function RequestLink(props: { request: InfrastructureRequest }) {
  const { request } = props;
  const requestRoute = useRouteRef(requestRouteRef);
  const name = request.resource.name;
  return requestRoute ? (
    <Link to={requestRoute({ id: request.id })}>{name}</Link>
  ) : (
    <>{name}</>
  );
}

/**
 * Requests as a table, newest first as the server sends them: resource (linking to the request
 * page), what the request does to it, offering, environment, entity, status and when it last
 * changed.
 */
export function RequestsTable(props: {
  title: string;
  requests: InfrastructureRequest[];
  /** Leave out the entity column where every row is for the same entity. */
  hideEntity?: boolean;
  emptyText: string;
}) {
  const columns: TableColumn<InfrastructureRequest>[] = [
    {
      title: 'Resource',
      render: request => <RequestLink request={request} />,
    },
    {
      title: 'Request',
      render: request => operationLabels[request.operation],
    },
    { title: 'Offering', field: 'offeringTitle' },
    { title: 'Environment', field: 'environment' },
    ...(props.hideEntity
      ? []
      : [
          {
            title: 'Entity',
            render: (request: InfrastructureRequest) => (
              <EntityRefLink entityRef={request.entityRef} />
            ),
          },
        ]),
    {
      title: 'Status',
      render: request => <RequestStatusChip status={request.status} />,
    },
    {
      title: 'Updated',
      render: request => <RelativeTime iso={request.updatedAt} />,
    },
  ];
  // A new element each render would make Backstage's Table remount every row.
  const emptyContent = useMemo(
    () => <Typography style={{ padding: 16 }}>{props.emptyText}</Typography>,
    [props.emptyText],
  );
  return (
    <Table<InfrastructureRequest>
      title={props.title}
      columns={columns}
      data={props.requests}
      options={{
        paging: props.requests.length > 20,
        pageSize: 20,
        search: false,
        sorting: false,
        padding: 'dense',
      }}
      emptyContent={emptyContent}
    />
  );
}
