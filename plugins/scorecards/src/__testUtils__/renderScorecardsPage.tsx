import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { SWRConfig } from 'swr';
import { scorecardsApiRef } from '../api';
import { ScorecardsPage } from '../components/ScorecardsPage';
import { rootRouteRef } from '../routes';
import { FakeScorecardsApi } from '../testing/fakes';

/**
 * Renders the Scorecards page at `path` (e.g. `/scorecards/campaigns`) with a fake backend, for
 * a platform admin (`admin: true`) or anyone else.
 */
export async function renderScorecardsPage(
  path: string,
  options: { api: FakeScorecardsApi; admin?: boolean },
) {
  const permissionsAsked: string[] = [];
  // usePermission keeps answers in SWR's global cache: a fresh cache per render, so one test's
  // admin is not another test's visitor.
  const rendered = renderInTestApp(
    <SWRConfig value={{ provider: () => new Map() }}>
      <ScorecardsPage />
    </SWRConfig>,
    {
      mountPath: '/scorecards',
      initialRouteEntries: [path],
      mountedRoutes: {
        '/scorecards': rootRouteRef,
        '/catalog/:namespace/:kind/:name': entityRouteRef,
      },
      apis: [
        [scorecardsApiRef, options.api],
        mockApis.permission({
          authorize: request => {
            permissionsAsked.push(request.permission.name);
            return options.admin ? AuthorizeResult.ALLOW : AuthorizeResult.DENY;
          },
        }),
      ],
    },
  );
  return { rendered, permissionsAsked };
}
