import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  EntityResourcesResponse,
  LiveResource,
  LiveResourceClusterState,
  crossplaneRequestCreatePermission,
} from '@paved/plugin-crossplane-common';
import { CrossplaneRequestConfig } from './guardrails';
import { OfferingCache } from './OfferingCache';
import { OfferingService } from './OfferingService';
import { RequestAuthorizer, authorizeRequestRead } from './requestPermissions';
import { KUBERNETES_ID_LABEL, ResourceTracker } from './ResourceTracker';

/**
 * The live infrastructure of a catalog entity on every cluster, read from the tracker's watch
 * cache: a view makes no Kubernetes call, only the catalog's (the entity) and the permission
 * framework's.
 */
export class EntityResources {
  constructor(
    private readonly options: {
      tracker: ResourceTracker;
      cache: OfferingCache;
      offerings: OfferingService;
      config: CrossplaneRequestConfig;
      catalog: CatalogService;
      permissions: PermissionsService;
      isAllowed: RequestAuthorizer;
    },
  ) {}

  async ofEntity(
    ref: string,
    credentials: BackstageCredentials,
  ): Promise<EntityResourcesResponse> {
    const { tracker, cache, offerings, config, catalog, permissions } =
      this.options;
    let entityRef: string;
    try {
      entityRef = stringifyEntityRef(
        parseEntityRef(ref, { defaultKind: 'component' }),
      );
    } catch (error) {
      throw new InputError(
        `Invalid query: entityRef ${(error as Error).message}`,
      );
    }
    // The three answers are independent; asking at once keeps a view fast.
    const [, entity, [mayCreate]] = await Promise.all([
      authorizeRequestRead(permissions, credentials),
      catalog.getEntityByRef(entityRef, { credentials }),
      permissions.authorizeConditional(
        [{ permission: crossplaneRequestCreatePermission }],
        { credentials },
      ),
    ]);
    if (!entity) {
      throw new NotFoundError(`${entityRef} is not an entity in the catalog`);
    }
    const kubernetesId = entity.metadata.annotations?.[KUBERNETES_ID_LABEL];
    const ownerRef = entity.relations?.find(
      r => r.type === 'ownedBy',
    )?.targetRef;
    const principal = credentials.principal as { userEntityRef?: string };
    const environmentOf = (cluster: string) =>
      config.environments.find(e => e.cluster === cluster)?.name;
    const offeringStates = cache.clusterStates();
    const clusterOrder = new Map(
      offeringStates.map((state, index) => [state.name, index]),
    );
    const titles = new Map<string, string>();
    const titleOf = (offering: string) => {
      if (!titles.has(offering)) {
        titles.set(offering, offerings.find(offering)?.title ?? offering);
      }
      return titles.get(offering)!;
    };

    const resources: LiveResource[] = tracker
      .ofEntity({ entityRef, kubernetesId })
      .map(resource => {
        const environment = environmentOf(resource.cluster);
        // Changing goes through a request for this entity's team, decided as it would be.
        const mayChange = Boolean(
          environment &&
            ownerRef &&
            principal.userEntityRef &&
            this.options.isAllowed(mayCreate, {
              offering: resource.offering,
              environment,
              entityRef,
              ownerRef,
              requestedBy: principal.userEntityRef,
            }),
        );
        return {
          cluster: resource.cluster,
          ...(environment ? { environment } : {}),
          apiVersion: resource.apiVersion,
          kind: resource.kind,
          ...(resource.namespace ? { namespace: resource.namespace } : {}),
          name: resource.name,
          offering: resource.offering,
          offeringTitle: titleOf(resource.offering),
          conditions: resource.conditions,
          parameters: resource.parameters,
          ...(resource.requestId ? { requestId: resource.requestId } : {}),
          deleting: resource.deleting,
          mayChange,
        };
      })
      .sort(
        (a, b) =>
          (clusterOrder.get(a.cluster) ?? 0) -
            (clusterOrder.get(b.cluster) ?? 0) ||
          a.kind.localeCompare(b.kind) ||
          (a.namespace ?? '').localeCompare(b.namespace ?? '') ||
          a.name.localeCompare(b.name),
      );

    const clusters: LiveResourceClusterState[] = tracker
      .clusterStates()
      .map(state => {
        const environment = environmentOf(state.name);
        // Without the XRDs of a cluster, nothing there is watched: say why.
        const xrds = offeringStates.find(s => s.name === state.name);
        const worst =
          xrds && xrds.status !== 'ready' && state.status !== 'error'
            ? xrds
            : state;
        return {
          name: state.name,
          ...(environment ? { environment } : {}),
          status: worst.status,
          ...(worst.error ? { error: worst.error } : {}),
        };
      });
    return { resources, clusters };
  }
}
