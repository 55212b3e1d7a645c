import {
  Content,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { Typography } from '@material-ui/core';
import { AuditEvent, AuditEventFilter } from '@paved/plugin-audit-log-common';
import { DateTime } from 'luxon';
import { useCallback, useState } from 'react';
import { auditLogApiRef } from '../../api';
import { AuditLogFilters } from './AuditLogFilters';

/** Failed with a permission denial: what admins look for first, so it gets its own word. */
function outcomeOf(event: AuditEvent): string {
  if (event.status === 'failed' && event.error?.name === 'NotAllowedError') {
    return 'Denied';
  }
  return event.status.charAt(0).toUpperCase() + event.status.slice(1);
}

const columns: TableColumn<AuditEvent>[] = [
  {
    title: 'Time',
    field: 'time',
    width: '11rem',
    render: event =>
      DateTime.fromISO(event.time).toLocal().toFormat('yyyy-LL-dd HH:mm:ss'),
  },
  {
    title: 'Actor',
    field: 'actor.actorId',
    render: event => (
      <>
        <Typography variant="body2">{event.actor.actorId ?? '—'}</Typography>
        {event.actor.ip && (
          <Typography variant="caption" color="textSecondary">
            {event.actor.ip}
          </Typography>
        )}
      </>
    ),
  },
  { title: 'Plugin', field: 'plugin' },
  { title: 'Action', field: 'eventId' },
  { title: 'Entity', field: 'target', render: event => event.target ?? '—' },
  { title: 'Outcome', render: event => outcomeOf(event) },
  { title: 'Severity', field: 'severity' },
  {
    title: 'Details',
    render: event => (
      <>
        {event.error && (
          <Typography variant="body2">
            {event.error.name}: {event.error.message}
          </Typography>
        )}
        {event.request && (
          <Typography variant="caption" color="textSecondary">
            {event.request.method} {event.request.url}
          </Typography>
        )}
      </>
    ),
  },
];

function download(blob: Blob, fileName: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}

/** The Audit log page: filters, the events one server-side page at a time, CSV export. */
export function AuditLogPage() {
  const api = useApi(auditLogApiRef);
  const [filter, setFilter] = useState<AuditEventFilter>({});
  const [error, setError] = useState<Error>();
  const [exporting, setExporting] = useState(false);

  const apply = useCallback((next: AuditEventFilter) => {
    setError(undefined);
    setFilter(next);
  }, []);

  const exportCsv = useCallback(
    async (current: AuditEventFilter) => {
      setExporting(true);
      try {
        download(await api.exportEvents(current), 'audit-log.csv');
      } catch (e) {
        setError(e as Error);
      } finally {
        setExporting(false);
      }
    },
    [api],
  );

  return (
    <Content>
      <AuditLogFilters
        onApply={apply}
        onExport={exportCsv}
        exporting={exporting}
      />
      {error && <ResponseErrorPanel error={error} />}
      <Table<AuditEvent>
        // A new filter starts again at the first page.
        key={JSON.stringify(filter)}
        title="Events"
        columns={columns}
        options={{
          paging: true,
          pageSize: 25,
          pageSizeOptions: [25, 50, 100],
          search: false,
          sorting: false,
          padding: 'dense',
        }}
        data={async query => {
          try {
            const page = await api.listEvents({
              ...filter,
              limit: query.pageSize,
              offset: query.page * query.pageSize,
            });
            return {
              data: page.items,
              page: query.page,
              totalCount: page.totalCount,
            };
          } catch (e) {
            setError(e as Error);
            return { data: [], page: 0, totalCount: 0 };
          }
        }}
        emptyContent={
          <Typography style={{ padding: 16 }}>
            No audit events match these filters.
          </Typography>
        }
      />
    </Content>
  );
}
