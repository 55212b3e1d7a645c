import { useRouteRef } from '@backstage/core-plugin-api';
import {
  entityRouteParams,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { useCallback } from 'react';

/** The path of an entity's Scorecard tab, from its ref: `/catalog/default/component/cart/scorecard`. */
export function useScorecardTabLink(): (entityRef: string) => string {
  const entityRoute = useRouteRef(entityRouteRef);
  return useCallback(
    (entityRef: string) =>
      `${entityRoute(entityRouteParams(entityRef))}/scorecard`,
    [entityRoute],
  );
}
