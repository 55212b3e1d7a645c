import { CompoundEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import {
  ApplicationDetailResponse,
  ApplicationHistoryResponse,
  EntityApplicationsResponse,
} from '@paved/plugin-argocd-common';
import { ApplicationRef, ArgoCdApi } from './ArgoCdApi';

/** {@link ArgoCdApi} over HTTP; `fetchApi` carries the user's token. */
export class ArgoCdClient implements ArgoCdApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  getEntityApplications(
    entityRef: CompoundEntityRef,
  ): Promise<EntityApplicationsResponse> {
    return this.get(entityPath(entityRef, ['applications']));
  }

  getApplicationDetail(
    entityRef: CompoundEntityRef,
    application: ApplicationRef,
  ): Promise<ApplicationDetailResponse> {
    return this.get(entityPath(entityRef, applicationSegments(application)));
  }

  getApplicationHistory(
    entityRef: CompoundEntityRef,
    application: ApplicationRef,
  ): Promise<ApplicationHistoryResponse> {
    return this.get(
      entityPath(entityRef, [...applicationSegments(application), 'history']),
    );
  }

  private async get<T>(path: string): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('argocd');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}

function applicationSegments(application: ApplicationRef): string[] {
  return [
    'applications',
    application.instance,
    application.namespace,
    application.name,
  ];
}

// Kinds are case-insensitive in the catalog; lower case matches the catalog's own entity URLs.
function entityPath(entityRef: CompoundEntityRef, rest: string[]): string {
  const segments = [
    'entity',
    entityRef.kind.toLocaleLowerCase('en-US'),
    entityRef.namespace,
    entityRef.name,
    ...rest,
  ];
  return `/${segments.map(encodeURIComponent).join('/')}`;
}
