import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import Grid from '@material-ui/core/Grid';
import { EntityFilter } from '@paved/plugin-scorecards-common';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { scorecardsApiRef } from '../../api';
import { ScorecardsErrorPanel } from '../ScorecardsErrorPanel';
import { EntityFilters, filterOptions } from './EntityFilters';
import { LevelTotals } from './LevelTotals';
import { LevelTrendChart } from './LevelTrendChart';
import { ServicesTable } from './ServicesTable';
import { TeamLeaderboard } from './TeamLeaderboard';
import { withTodayFromScores } from './withTodayFromScores';

/** How many days the trend chart shows. */
export const ORG_HISTORY_DAYS = 90;

function FilteredOverview(props: { filter: EntityFilter }) {
  const api = useApi(scorecardsApiRef);
  const key = JSON.stringify(props.filter);
  const { value, error } = useAsync(async () => {
    const [entities, owners, history] = await Promise.all([
      api.getEntities(props.filter),
      api.getRollUps('owners', props.filter),
      api.getOrgHistory(ORG_HISTORY_DAYS, props.filter),
    ]);
    return { entities, owners, history };
    // The filter is a new object on every change; its content is what matters.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, key]);
  if (error) {
    return <ScorecardsErrorPanel error={error} />;
  }
  if (!value) {
    return <Progress />;
  }
  const { levelOrder, entities } = value.entities;
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <LevelTotals entities={entities} levelOrder={levelOrder} />
      </Grid>
      <Grid item xs={12} lg={7}>
        <LevelTrendChart
          title={`Services per level, last ${ORG_HISTORY_DAYS} days`}
          days={withTodayFromScores(value.history.days, entities, levelOrder)}
          levelOrder={levelOrder}
        />
      </Grid>
      <Grid item xs={12} lg={5}>
        <TeamLeaderboard rollUps={value.owners} />
      </Grid>
      <Grid item xs={12}>
        <ServicesTable entities={entities} levelOrder={levelOrder} />
      </Grid>
    </Grid>
  );
}

/**
 * The organisation at a glance: services per level, their trend, the teams' leaderboard and
 * every scored service, narrowed by owner, system and lifecycle.
 */
export function OrgOverview() {
  const api = useApi(scorecardsApiRef);
  // Every scored entity once, for filter options that never vanish as filters narrow.
  const all = useAsync(() => api.getEntities({}), [api]);
  const [filter, setFilter] = useState<EntityFilter>({});
  if (all.error) {
    return <ScorecardsErrorPanel error={all.error} />;
  }
  if (!all.value) {
    return <Progress />;
  }
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <EntityFilters
          options={filterOptions(all.value.entities)}
          filter={filter}
          onChange={setFilter}
        />
      </Grid>
      <Grid item xs={12}>
        <FilteredOverview filter={filter} />
      </Grid>
    </Grid>
  );
}
