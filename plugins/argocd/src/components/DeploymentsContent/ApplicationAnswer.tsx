import { ReactNode } from 'react';
import { Progress } from '@backstage/core-components';
import { CompoundEntityRef } from '@backstage/catalog-model';
import { ApplicationSummary } from '@paved/plugin-argocd-common';
import { ApplicationRef, ArgoCdApi } from '../../api';
import { useApplicationRequest } from '../../hooks/useApplicationRequest';
import { ArgoCdErrorPanel } from '../ArgoCdErrorPanel';

/**
 * Asks the backend about one Application and renders the answer, with progress while it loads
 * and the server's message when it fails.
 */
export function ApplicationAnswer<T>(props: {
  entityRef: CompoundEntityRef;
  application: ApplicationSummary;
  refreshKey: number;
  request: (
    api: ArgoCdApi,
    entityRef: CompoundEntityRef,
    application: ApplicationRef,
  ) => Promise<T>;
  children: (answer: T) => ReactNode;
}) {
  const { value, error } = useApplicationRequest(
    props.entityRef,
    props.application,
    props.refreshKey,
    props.request,
  );
  if (error) {
    return <ArgoCdErrorPanel error={error} />;
  }
  if (value === undefined) {
    return <Progress />;
  }
  return <>{props.children(value)}</>;
}
