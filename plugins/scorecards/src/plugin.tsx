import { Entity } from '@backstage/catalog-model';
import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import AssessmentIcon from '@material-ui/icons/Assessment';
import { scorecardsApiRef, ScorecardsClient } from './api';
import { rootRouteRef } from './routes';

/** Whether the entity is scored, and so whether it has the card and the tab: components. */
export function isScored(entity: Entity): boolean {
  return entity.kind.toLocaleLowerCase('en-US') === 'component';
}

/** The {@link ScorecardsClient}, talking to the `scorecards` backend with the user's token. */
export const scorecardsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: scorecardsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new ScorecardsClient({ discoveryApi, fetchApi }),
    }),
});

/** Overview card `entity-card:scorecards/scorecard`: the level and what the next one needs. */
export const scorecardsEntityCard = EntityCardBlueprint.make({
  name: 'scorecard',
  params: {
    filter: isScored,
    loader: () =>
      import('./components/ScorecardCard').then(m => <m.ScorecardCard />),
  },
});

/** Tab `entity-content:scorecards/scorecard` at `scorecard`: every check, re-run, history. */
export const scorecardsEntityContent = EntityContentBlueprint.make({
  name: 'scorecard',
  params: {
    path: 'scorecard',
    title: 'Scorecard',
    filter: isScored,
    loader: () =>
      import('./components/ScorecardContent').then(m => <m.ScorecardContent />),
  },
});

/**
 * Page `page:scorecards` at `/scorecards`, titled "Scorecards" (also its nav item): the
 * organisation's levels, teams, trends and campaigns.
 */
export const scorecardsPage = PageBlueprint.make({
  params: {
    path: '/scorecards',
    title: 'Scorecards',
    icon: <AssessmentIcon />,
    routeRef: rootRouteRef,
    loader: () =>
      import('./components/ScorecardsPage').then(m => <m.ScorecardsPage />),
  },
});

/** Scorecards of catalog components, the organisation's overview and its campaigns. */
export const scorecardsPlugin = createFrontendPlugin({
  pluginId: 'scorecards',
  title: 'Scorecards',
  icon: <AssessmentIcon />,
  info: { packageJson: () => import('../package.json') },
  routes: { root: rootRouteRef },
  extensions: [
    scorecardsApi,
    scorecardsEntityCard,
    scorecardsEntityContent,
    scorecardsPage,
  ],
});
