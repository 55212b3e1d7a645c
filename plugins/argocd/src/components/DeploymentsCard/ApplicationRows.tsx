import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { Link } from '@backstage/core-components';
import { ApplicationSummary } from '@paved/plugin-argocd-common';
import { HealthStatusChip, SyncStatusChip } from '../StatusChips';
import { RevisionLink } from '../RevisionLink';
import { RelativeTime } from '@paved/paved-react';

export const APPLICATION_COLUMNS = [
  'Environment',
  'Application',
  'Sync',
  'Health',
  'Revision',
  'Last synced',
];

const useStyles = makeStyles({
  // The problem row belongs to the application above it, so no line between them.
  attached: { '& > td': { borderBottom: 'none' } },
});

/** One Application on one instance, and what needs attention when it is not well. */
export function ApplicationRows(props: { application: ApplicationSummary }) {
  const { application } = props;
  const classes = useStyles();
  return (
    <>
      <TableRow
        className={application.problem ? classes.attached : undefined}
        data-testid={`argocd-app-${application.instance}-${application.name}`}
      >
        <TableCell>{application.instanceTitle}</TableCell>
        <TableCell>
          {application.argocdUrl ? (
            <Link to={application.argocdUrl}>{application.name}</Link>
          ) : (
            application.name
          )}
        </TableCell>
        <TableCell>
          <SyncStatusChip status={application.sync.status} />
        </TableCell>
        <TableCell>
          <HealthStatusChip status={application.health.status} />
        </TableCell>
        <TableCell>
          <RevisionLink
            revision={application.sync.revision}
            url={application.revisionUrl}
          />
        </TableCell>
        <TableCell>
          <RelativeTime iso={application.lastSyncedAt} />
        </TableCell>
      </TableRow>
      {application.problem && (
        <TableRow
          data-testid={`argocd-problem-${application.instance}-${application.name}`}
        >
          <TableCell colSpan={APPLICATION_COLUMNS.length}>
            <Typography variant="body2" color="error">
              {application.problem}
            </Typography>
          </TableCell>
        </TableRow>
      )}
    </>
  );
}
