import { ReactNode } from 'react';
import { Progress } from '@backstage/core-components';
import { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import { ApplicationSummary } from '@paved/plugin-argocd-common';
import useAsync from 'react-use/esm/useAsync';
import { ApplicationRef, ArgoCdApi, argoCdApiRef } from '../../api';
import { ArgoCdErrorPanel } from '../ArgoCdErrorPanel';

/** One Application of the entity, and when to ask about it again. */
export interface ApplicationViewProps {
  entityRef: CompoundEntityRef;
  application: ApplicationSummary;
  /** Changes whenever the Application may have changed (signals, polling). */
  refreshKey: number;
}

/**
 * Asks the backend about one Application, again whenever `refreshKey` changes, and renders the
 * answer: progress while it loads, the server's message when it fails.
 */
export function ApplicationAnswer<T>(
  props: ApplicationViewProps & {
    request: (
      api: ArgoCdApi,
      entityRef: CompoundEntityRef,
      application: ApplicationRef,
    ) => Promise<T>;
    children: (answer: T) => ReactNode;
  },
) {
  const { entityRef, application, refreshKey, request } = props;
  const argoCdApi = useApi(argoCdApiRef);
  const { value, error } = useAsync(
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
  if (error) {
    return <ArgoCdErrorPanel error={error} />;
  }
  if (value === undefined) {
    return <Progress />;
  }
  return <>{props.children(value)}</>;
}
