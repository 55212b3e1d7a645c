import { CompoundEntityRef } from '@backstage/catalog-model';
import { createApiRef } from '@backstage/frontend-plugin-api';
import {
  ApplicationDetailResponse,
  ApplicationHistoryResponse,
  EntityApplicationsResponse,
} from '@paved/plugin-argocd-common';

/** Identifies one Argo CD Application on one configured instance. */
export interface ApplicationRef {
  instance: string;
  namespace: string;
  name: string;
}

/**
 * Reads an entity's Argo CD Applications from the `argocd` backend, on behalf of the signed-in
 * user. Failed requests reject with a `ResponseError` that carries the server's message.
 */
export interface ArgoCdApi {
  /** Every Application the entity's annotations select, and how each instance answered. */
  getEntityApplications(
    entityRef: CompoundEntityRef,
  ): Promise<EntityApplicationsResponse>;
  /** One Application with its managed resources and manifest. */
  getApplicationDetail(
    entityRef: CompoundEntityRef,
    application: ApplicationRef,
  ): Promise<ApplicationDetailResponse>;
  /** One Application's deployment history, newest first, with commit details. */
  getApplicationHistory(
    entityRef: CompoundEntityRef,
    application: ApplicationRef,
  ): Promise<ApplicationHistoryResponse>;
}

/** The {@link ArgoCdApi} of the Argo CD plugin. */
export const argoCdApiRef = createApiRef<ArgoCdApi>().with({
  id: 'plugin.argocd.service',
  pluginId: 'argocd',
});
