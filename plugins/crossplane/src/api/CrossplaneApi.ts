import { createApiRef } from '@backstage/frontend-plugin-api';
import {
  ApprovalsResponse,
  EntityResourcesResponse,
  InfrastructureRequest,
  InfrastructureRequestInput,
  OfferingForm,
  OfferingsResponse,
  RequestList,
  RequestResourceDetail,
  RequestStatus,
} from '@paved/plugin-crossplane-common';

/** Which requests `listRequests` returns; the filters combine. */
export interface RequestQuery {
  /** Only requests for this catalog entity, e.g. `component:default/payments-service`. */
  entityRef?: string;
  /** Only requests for entities the signed-in user's teams own. */
  mine?: boolean;
  /** Only requests in one of these statuses. */
  status?: RequestStatus[];
}

/**
 * Requests infrastructure through the `crossplane` backend, on behalf of the signed-in user.
 * Failed calls reject with a `ResponseError` carrying the server's message; a refused request
 * names its fields in `body.error.fields`, read them with `fieldErrorsOf`.
 */
export interface CrossplaneApi {
  /** The offered kinds of infrastructure, and how reading each cluster is going. */
  getOfferings(): Promise<OfferingsResponse>;
  /** One offering's request form per environment, narrowed by that environment's guardrails. */
  getOfferingForm(offering: string): Promise<OfferingForm>;
  /** Makes a request; sending the same `clientRequestId` again returns the first one. */
  createRequest(
    input: InfrastructureRequestInput,
  ): Promise<InfrastructureRequest>;
  /** Requests matching the query, newest first. */
  listRequests(query: RequestQuery): Promise<RequestList>;
  /** One request with its timeline. */
  getRequest(id: string): Promise<InfrastructureRequest>;
  /** The request's resource as the cluster has it now; `error` when it cannot be read. */
  getRequestResource(id: string): Promise<RequestResourceDetail>;
  /** The entity's live resources on every cluster, and how reading each cluster goes. */
  getEntityResources(entityRef: string): Promise<EntityResourcesResponse>;
  /** Requests awaiting approval, and whether the caller may approve them. */
  getApprovals(): Promise<ApprovalsResponse>;
  /** Approves a request awaiting approval. */
  approveRequest(id: string, comment?: string): Promise<InfrastructureRequest>;
  /** Rejects a request awaiting approval; the comment tells the requester why. */
  rejectRequest(id: string, comment: string): Promise<InfrastructureRequest>;
}

/** The {@link CrossplaneApi} of the Crossplane plugin. */
export const crossplaneApiRef = createApiRef<CrossplaneApi>().with({
  id: 'plugin.crossplane.api',
  pluginId: 'crossplane',
});
