import { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import { ApplicationSummary } from '@paved/plugin-argocd-common';
import useAsync from 'react-use/esm/useAsync';
import { ApplicationRef, ArgoCdApi, argoCdApiRef } from '../api';

/**
 * Asks the backend about one Application of the entity, again whenever `refreshKey` changes.
 * `request` picks the call, e.g. `(api, ref, app) => api.getApplicationHistory(ref, app)`.
 */
export function useApplicationRequest<T>(
  entityRef: CompoundEntityRef,
  application: ApplicationSummary,
  refreshKey: number,
  request: (
    api: ArgoCdApi,
    entityRef: CompoundEntityRef,
    application: ApplicationRef,
  ) => Promise<T>,
) {
  const argoCdApi = useApi(argoCdApiRef);
  return useAsync(
    () =>
      request(argoCdApi, entityRef, {
        instance: application.instance,
        namespace: application.namespace,
        name: application.name,
      }),
    // Objects are recreated on every refetch; their identifying fields are what matter.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [
      argoCdApi,
      entityRef.kind,
      entityRef.namespace,
      entityRef.name,
      application.instance,
      application.namespace,
      application.name,
      refreshKey,
    ],
  );
}
