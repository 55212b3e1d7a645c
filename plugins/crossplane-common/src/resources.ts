import { ResourceCondition } from './requests';

/** A live composite resource or claim of an offered kind that belongs to a catalog entity. */
export interface LiveResource {
  cluster: string;
  /** The environment (`crossplane.environments`) whose cluster it is on; absent when none is. */
  environment?: string;
  apiVersion: string;
  kind: string;
  /** Absent for cluster-scoped composite resources. */
  namespace?: string;
  name: string;
  /** The offering's XRD name, e.g. `postgresqlinstances.platform.paved.dev`. */
  offering: string;
  offeringTitle: string;
  /** Crossplane's conditions, Synced and Ready among them. */
  conditions: ResourceCondition[];
  /** Its `spec` without Crossplane's own fields: what the request form fills in. */
  parameters: Record<string, unknown>;
  /** The last request Paved made for it (label `paved.dev/request-id`), absent when Paved did not. */
  requestId?: string;
  /** Being deleted: the cluster set its deletion timestamp. */
  deleting: boolean;
  /** Whether the caller may change or delete it through a request (`crossplane.request.create`). */
  mayChange: boolean;
}

/** How reading live resources from one cluster goes. */
export interface LiveResourceClusterState {
  name: string;
  /** The environment whose cluster it is, when one is. */
  environment?: string;
  status: 'loading' | 'ready' | 'error';
  /** Why its resources cannot be read; those last seen are still listed. */
  error?: string;
}

/** Answer of `GET /resources?entityRef=`: the entity's live resources on every cluster. */
export interface EntityResourcesResponse {
  resources: LiveResource[];
  clusters: LiveResourceClusterState[];
}
