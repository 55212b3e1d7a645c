import { Link, Table, TableColumn } from '@backstage/core-components';
import { ToneChip } from '@paved/paved-react';
import { RelativeTime } from '@paved/paved-react';
import { EntitySummary, NO_LEVEL } from '@paved/plugin-scorecards-common';
import { useScorecardTabLink } from '../../hooks/useScorecardTabLink';
import { EntityLink } from '../EntityLink';
import { LevelBadge } from '../LevelBadge';
import { shortRef } from '../shortRef';

/**
 * The scored services, highest level first: title linking to the service's Scorecard tab,
 * owner, system, lifecycle, level, checks passed and failed, and when it was scored.
 */
export function ServicesTable(props: {
  entities: EntitySummary[];
  levelOrder: string[];
}) {
  const { levelOrder } = props;
  const tabLink = useScorecardTabLink();
  const rank = (entity: EntitySummary) =>
    levelOrder.indexOf(entity.level ?? NO_LEVEL);
  const rows = [...props.entities].sort(
    (a, b) => rank(b) - rank(a) || a.title.localeCompare(b.title),
  );
  const columns: TableColumn<EntitySummary>[] = [
    {
      title: 'Service',
      field: 'title',
      render: entity => (
        <Link to={tabLink(entity.entityRef)}>{entity.title}</Link>
      ),
    },
    {
      title: 'Owner',
      customSort: (a, b) =>
        shortRef(a.ownerRef).localeCompare(shortRef(b.ownerRef)),
      render: entity => <EntityLink entityRef={entity.ownerRef} />,
    },
    {
      title: 'System',
      customSort: (a, b) =>
        shortRef(a.systemRef).localeCompare(shortRef(b.systemRef)),
      render: entity => <EntityLink entityRef={entity.systemRef} />,
    },
    { title: 'Lifecycle', field: 'lifecycle' },
    {
      title: 'Level',
      customSort: (a, b) => rank(a) - rank(b),
      render: entity => (
        <LevelBadge level={entity.level} levelOrder={levelOrder} />
      ),
    },
    {
      title: 'Passed / failed',
      customSort: (a, b) => a.passed - b.passed,
      render: entity => (
        <span aria-label={`${entity.passed} passed, ${entity.failed} failed`}>
          {entity.passed} / {entity.failed}
        </span>
      ),
    },
    {
      title: 'Scored',
      field: 'evaluatedAt',
      render: entity => (
        <>
          <RelativeTime iso={entity.evaluatedAt} />{' '}
          {entity.stale && (
            <ToneChip aspect="Facts" label="Stale" tone="warning" />
          )}
        </>
      ),
    },
  ];
  return (
    <Table<EntitySummary>
      title={`Services (${rows.length})`}
      columns={columns}
      data={rows}
      options={{
        paging: rows.length > 20,
        pageSize: 20,
        search: true,
        padding: 'dense',
      }}
    />
  );
}
