import { useApi } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  getCompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import useAsync from 'react-use/esm/useAsync';
import { argoCdApiRef } from '../api';
import { useArgoCdRefreshKey } from './useArgoCdRefreshKey';

/**
 * The current entity's Argo CD Applications, fetched again whenever they may have changed.
 * While a refetch runs, the previous answer stays in `value` so the view does not flicker.
 */
export function useEntityApplications() {
  const { entity } = useEntity();
  const argoCdApi = useApi(argoCdApiRef);
  const refreshKey = useArgoCdRefreshKey(entity);
  const entityRef = stringifyEntityRef(entity);

  const state = useAsync(
    () => argoCdApi.getEntityApplications(getCompoundEntityRef(entity)),
    // The entity object may be recreated on every catalog refresh; its ref is what matters.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [argoCdApi, entityRef, refreshKey],
  );
  return { ...state, entity, refreshKey };
}
