import {
  getCompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { EntityScorecard } from '@paved/plugin-scorecards-common';
import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { scorecardsApiRef, statusOf } from '../api';

/**
 * The current entity's scorecard. `notScored` is true when the backend has none yet (404);
 * `replace` shows a newer scorecard, such as the answer of a re-run, without fetching again.
 */
export function useEntityScorecard() {
  const { entity } = useEntity();
  const api = useApi(scorecardsApiRef);
  const entityRef = stringifyEntityRef(entity);
  const [replaced, setReplaced] = useState<EntityScorecard>();

  const state = useAsync(
    () => api.getEntityScorecard(getCompoundEntityRef(entity)),
    // The entity object may be recreated on every catalog refresh; its ref is what matters.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, entityRef],
  );
  useEffect(() => setReplaced(undefined), [entityRef]);

  const notScored = statusOf(state.error) === 404;
  return {
    entity,
    scorecard: replaced ?? state.value,
    loading: state.loading,
    error: notScored ? undefined : state.error,
    notScored: notScored && !replaced,
    replace: setReplaced,
  };
}
