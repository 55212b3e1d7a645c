import { InfoCard, Progress } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { Alert } from '@material-ui/lab';
import {
  RequestResourceDetail,
  ResourceCondition,
} from '@paved/plugin-crossplane-common';
import { ReactNode } from 'react';
import { serverMessageOf } from '../../api';
import { RelativeTime } from '@paved/paved-react';
import { ConditionChip } from '../StatusChips';

function Conditions(props: { conditions: ResourceCondition[] }) {
  if (props.conditions.length === 0) {
    return (
      <Typography variant="body2">
        Crossplane reports no conditions yet.
      </Typography>
    );
  }
  return (
    <ul aria-label="Conditions" style={{ listStyle: 'none', padding: 0 }}>
      {props.conditions.map(condition => (
        <li key={condition.type} style={{ marginBottom: 8 }}>
          <Typography variant="body2" component="span">
            <strong>{condition.type}</strong>
          </Typography>{' '}
          <ConditionChip condition={condition} />{' '}
          {condition.reason && (
            <Typography variant="body2" component="span">
              {condition.reason}
            </Typography>
          )}
          {condition.message && (
            <Typography variant="body2" color="textSecondary">
              {condition.message}
            </Typography>
          )}
        </li>
      ))}
    </ul>
  );
}

function Section(props: { title: string; children: ReactNode }) {
  return (
    <Box component="section" aria-label={props.title} mb={2}>
      <Typography variant="subtitle1" component="h3">
        {props.title}
      </Typography>
      {props.children}
    </Box>
  );
}

function Detail(props: { detail: RequestResourceDetail }) {
  const { detail } = props;
  if (detail.error) {
    return <Alert severity="warning">{detail.error}</Alert>;
  }
  if (!detail.exists) {
    return (
      <Typography variant="body2">
        The resource does not exist on the cluster yet.
      </Typography>
    );
  }
  return (
    <>
      <Section title="Conditions">
        <Conditions conditions={detail.conditions} />
      </Section>
      <Section title="Composed resources">
        {detail.composed.length === 0 ? (
          <Typography variant="body2">None yet.</Typography>
        ) : (
          <ul>
            {detail.composed.map(resource => (
              <li
                key={`${resource.apiVersion}/${resource.kind}/${resource.name}`}
              >
                <Typography variant="body2">
                  {resource.kind}{' '}
                  {resource.namespace && `${resource.namespace}/`}
                  {resource.name}{' '}
                  <Typography
                    variant="caption"
                    color="textSecondary"
                    component="span"
                  >
                    ({resource.apiVersion})
                  </Typography>
                </Typography>
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section title="Events">
        {detail.events.length === 0 ? (
          <Typography variant="body2">No recent Kubernetes events.</Typography>
        ) : (
          <Table size="small" aria-label="Kubernetes events">
            <TableHead>
              <TableRow>
                <TableCell>Type</TableCell>
                <TableCell>Reason</TableCell>
                <TableCell>Message</TableCell>
                <TableCell>Count</TableCell>
                <TableCell>Last seen</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {detail.events.map((event, index) => (
                <TableRow key={index}>
                  <TableCell>{event.type}</TableCell>
                  <TableCell>{event.reason}</TableCell>
                  <TableCell>{event.message}</TableCell>
                  <TableCell>{event.count ?? 1}</TableCell>
                  <TableCell>
                    <RelativeTime iso={event.lastTimestamp} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Section>
      <Section title="Connection Secret">
        {detail.secret ? (
          <>
            <Typography variant="body2">
              {detail.secret.namespace
                ? `${detail.secret.namespace}/${detail.secret.name}`
                : detail.secret.name}
              , with keys: {detail.secret.keys.join(', ') || 'none yet'}.
            </Typography>
            <Typography variant="caption" color="textSecondary">
              The values are in the Secret on the cluster; they are never shown
              here.
            </Typography>
          </>
        ) : (
          <Typography variant="body2">
            Not written yet: its name and keys appear here once it exists.
          </Typography>
        )}
      </Section>
    </>
  );
}

/**
 * The request's resource as the cluster has it now. A cluster that cannot be read, or a
 * failed call, shows here only: the rest of the request's page stays usable.
 */
export function ResourcePanel(props: {
  detail?: RequestResourceDetail;
  error?: Error;
}) {
  let body;
  if (props.error) {
    body = (
      <Alert severity="warning">
        The resource cannot be read: {serverMessageOf(props.error)}
      </Alert>
    );
  } else if (!props.detail) {
    body = <Progress />;
  } else {
    body = <Detail detail={props.detail} />;
  }
  return (
    <section aria-label="Resource">
      <InfoCard title="Resource">{body}</InfoCard>
    </section>
  );
}
