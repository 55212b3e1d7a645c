import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import { ErrorBoundary, InfoCard, Progress } from '@backstage/core-components';
import { Entity } from '@backstage/catalog-model';
import { EntityApplicationsResponse } from '@paved/plugin-argocd-common';
import { useEntityApplications } from '../../hooks/useEntityApplications';
import { ArgoCdErrorPanel } from '../ArgoCdErrorPanel';
import {
  Environment,
  groupByEnvironment,
  showsNoApplications,
} from '../environments';
import { InstanceStateNotice } from '../InstanceStateNotices';
import { NoApplicationsState } from '../NoApplicationsState';
import { APPLICATION_COLUMNS, ApplicationRows } from './ApplicationRows';

function EnvironmentRows(props: { environment: Environment }) {
  const { instance, applications } = props.environment;
  return (
    <>
      {instance.status !== 'ready' && (
        <TableRow>
          <TableCell colSpan={APPLICATION_COLUMNS.length}>
            <InstanceStateNotice instance={instance} />
          </TableCell>
        </TableRow>
      )}
      {applications.map(application => (
        <ApplicationRows
          key={`${application.namespace}/${application.name}`}
          application={application}
        />
      ))}
    </>
  );
}

function ApplicationsTable(props: {
  entity: Entity;
  response: EntityApplicationsResponse;
}) {
  return (
    <>
      <Table size="small" aria-label="Argo CD applications">
        <TableHead>
          <TableRow>
            {APPLICATION_COLUMNS.map(column => (
              <TableCell key={column}>{column}</TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {groupByEnvironment(props.response).map(environment => (
            <EnvironmentRows
              key={environment.instance.instance}
              environment={environment}
            />
          ))}
        </TableBody>
      </Table>
      {showsNoApplications(props.response) && (
        <NoApplicationsState
          entity={props.entity}
          instances={props.response.instances}
        />
      )}
    </>
  );
}

function DeploymentsCardBody() {
  const { value, error, entity } = useEntityApplications();
  if (error) {
    return <ArgoCdErrorPanel error={error} />;
  }
  if (!value) {
    return <Progress />;
  }
  return <ApplicationsTable entity={entity} response={value} />;
}

/**
 * The entity overview card: every Argo CD Application of the entity on every instance, with
 * sync and health, the deployed revision and when it was synced. Updates live.
 */
export function DeploymentsCard() {
  return (
    <ErrorBoundary>
      <InfoCard title="Deployments" subheader="Argo CD">
        <DeploymentsCardBody />
      </InfoCard>
    </ErrorBoundary>
  );
}
