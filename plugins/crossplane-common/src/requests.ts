import { FormSchema, FormUiSchema, Offering } from './types';

/**
 * What a request does to its resource: `create` a new one, `update` (change) the parameters of
 * a live one, or `delete` a live one.
 */
export type RequestOperation = 'create' | 'update' | 'delete';

/**
 * Where a request for infrastructure is. In order along the happy path of a create:
 * `awaiting-approval` (environments that require approval) → `queued` (approved, or no
 * approval needed; being delivered) → in environments delivered through GitOps `pr-opened`
 * (the manifest is in a pull request to the GitOps repository) → `merged` (waiting for Argo CD
 * to apply it) → `created` (the resource exists on the cluster) → `synced` → `ready` →
 * `credentials-available`. An update: … `queued` → `updating` (the cluster took the new spec)
 * → `synced` → `ready` (the new generation is Synced and Ready). A delete: … `queued` →
 * `deleting` (the cluster is deleting it) → `deleted` (it is gone). `rejected` and `failed` end
 * a request; a `failed` request whose resource recovers moves on again.
 */
export type RequestStatus =
  | 'awaiting-approval'
  | 'rejected'
  | 'queued'
  | 'pr-opened'
  | 'merged'
  | 'created'
  | 'updating'
  | 'synced'
  | 'ready'
  | 'credentials-available'
  | 'deleting'
  | 'deleted'
  | 'failed';

/**
 * The statuses to read requests in to know which resources Paved created still exist (see
 * {@link requestedResourcesThatExist}): creates that reached the cluster (a `failed` one only
 * when it got as far as `created`), and deletes under way or done.
 */
export const RESOURCE_HISTORY_STATUSES: readonly RequestStatus[] = [
  'created',
  'updating',
  'synced',
  'ready',
  'credentials-available',
  'failed',
  'deleting',
  'deleted',
];

function sameResource(a: RequestedResource, b: RequestedResource): boolean {
  return (
    a.cluster === b.cluster &&
    a.apiVersion === b.apiVersion &&
    a.kind === b.kind &&
    a.namespace === b.namespace &&
    a.name === b.name
  );
}

/**
 * The create requests whose resource exists on its cluster now: each reached `created` (one
 * that failed before that was refused by the cluster and has no resource; one that failed
 * afterwards, Crossplane reporting `Synced=False`, still has one) and no later delete of the
 * same resource is deleting or has deleted it. Changes (`update`) keep the resource their
 * create made. The catalog lists these as `Resource` entities.
 */
export function requestedResourcesThatExist(
  requests: InfrastructureRequest[],
): InfrastructureRequest[] {
  const deletions = requests.filter(
    r =>
      r.operation === 'delete' &&
      (r.status === 'deleting' || r.status === 'deleted'),
  );
  return requests.filter(
    r =>
      r.operation === 'create' &&
      RESOURCE_HISTORY_STATUSES.includes(r.status) &&
      r.events.some(event => event.status === 'created') &&
      !deletions.some(
        d => d.createdAt > r.createdAt && sameResource(d.resource, r.resource),
      ),
  );
}

/** One entry of a request's timeline: a status it reached, when, and who or what moved it. */
export interface RequestEvent {
  status: RequestStatus;
  /** ISO timestamp. */
  at: string;
  /** The user entity ref of the person who moved it, absent when the cluster did. */
  actor?: string;
  /** The approver's comment, the controller's message or the delivery error. */
  message?: string;
}

/** The connection Secret of a resource: its name and keys, never its values. */
export interface ConnectionSecret {
  namespace?: string;
  name: string;
  keys: string[];
}

/** A Kubernetes status condition as Crossplane reports it. */
export interface ResourceCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/** Where the requested resource lives on its cluster. */
export interface RequestedResource {
  cluster: string;
  apiVersion: string;
  kind: string;
  /** Absent for cluster-scoped composite resources. */
  namespace?: string;
  name: string;
}

/** A pull request to an environment's GitOps repository carrying a request's manifest. */
export interface RequestPullRequest {
  /** The repository's web URL, e.g. `https://github.com/acme/platform-gitops`. */
  repository: string;
  number: number;
  /** The pull request's web page. */
  url: string;
}

/** A request for infrastructure made through Paved. */
export interface InfrastructureRequest {
  id: string;
  operation: RequestOperation;
  /** The offering's XRD name, e.g. `postgresqlinstances.platform.paved.dev`. */
  offering: string;
  offeringTitle: string;
  environment: string;
  /** The catalog entity the infrastructure is for, e.g. `component:default/payments-service`. */
  entityRef: string;
  /** The team that owns the entity and so the resource, e.g. `group:default/team-payments`. */
  ownerRef: string;
  /** The person who asked. */
  requestedBy: string;
  resource: RequestedResource;
  /**
   * The resource's `spec`, Crossplane's own fields excluded: as submitted for a create or an
   * update, as it was on the cluster for a delete.
   */
  parameters: Record<string, unknown>;
  status: RequestStatus;
  /** For an update, the resource's `metadata.generation` its change made, once delivered. */
  generation?: number;
  /** Why the request is where it is: the controller's or the cluster's message. */
  message?: string;
  approval?: {
    decision: 'approved' | 'rejected';
    by: string;
    at: string;
    comment?: string;
  };
  /** The pull request that delivers it, in environments delivered through GitOps. */
  pullRequest?: RequestPullRequest;
  /** ISO timestamp before which delivery is not tried again, e.g. until GitHub's rate limit resets. */
  retryAt?: string;
  /** ISO timestamps. */
  createdAt: string;
  updatedAt: string;
  /** The timeline, oldest first. */
  events: RequestEvent[];
}

/** Body of `POST /requests`. */
export interface InfrastructureRequestInput {
  /** `create` when absent. */
  operation?: RequestOperation;
  offering: string;
  environment: string;
  entityRef: string;
  /**
   * The resource's name: for a create a DNS label, unique among the team's resources of this
   * offering; for an update or a delete the name of a live resource of the entity.
   */
  name: string;
  /**
   * For an update or a delete, the namespace of the live resource; the owning team's
   * namespace when absent.
   */
  namespace?: string;
  /** The resource's `spec`, as the offering's form schema describes it; not used by a delete. */
  parameters?: Record<string, unknown>;
  /** For a delete: the resource's name typed again, as confirmation. */
  confirmName?: string;
  /**
   * Chosen by the client once per form submission; sending the same id again returns the
   * request made the first time instead of making another.
   */
  clientRequestId: string;
}

/** One field the server refused, named by its JSON path from the request body (`parameters.storageGB`). */
export interface FieldError {
  path: string;
  message: string;
}

/**
 * What an environment allows for one offering, resolved for the caller: the form schema with
 * the guardrails' limits applied, whether approval is needed, and the team quota.
 */
export interface EnvironmentOffering {
  name: string;
  title: string;
  cluster: string;
  /** Whether a request waits for an approver before anything is created. */
  approvalRequired: boolean;
  /** The offering's schema narrowed by this environment's guardrails (caps, allowed values). */
  schema: FormSchema;
  uiSchema: FormUiSchema;
  /** Human-readable guardrails of this environment, e.g. "parameters.storageGB at most 100". */
  guardrails: string[];
  /** Live resources each team may have of this offering in this environment, when capped. */
  quotaPerTeam?: number;
  /** When false, why nobody may request it here (e.g. the cluster does not offer it). */
  available: boolean;
  unavailableReason?: string;
}

/** Answer of `GET /offerings/:name/form`: the offering and each environment's form. */
export interface OfferingForm {
  offering: Offering;
  environments: EnvironmentOffering[];
  /** Teams that may request this offering; absent when every team may. */
  teams?: string[];
}

/** Answer of `GET /requests`. */
export interface RequestList {
  requests: InfrastructureRequest[];
}

/** Answer of `GET /approvals`: requests awaiting approval, and whether the caller may decide them. */
export interface ApprovalsResponse {
  requests: InfrastructureRequest[];
  mayApprove: boolean;
}

/** Live detail of a request's resource, read when its page is open. */
export interface RequestResourceDetail {
  /** The resource as last seen, absent until it exists. */
  exists: boolean;
  conditions: ResourceCondition[];
  /** Resources Crossplane composed for it (`spec.crossplane.resourceRefs`, or the XR of a claim). */
  composed: Array<{
    apiVersion: string;
    kind: string;
    name: string;
    namespace?: string;
  }>;
  events: Array<{
    type: string;
    reason: string;
    message: string;
    count?: number;
    lastTimestamp?: string;
  }>;
  secret?: ConnectionSecret;
  /** Why the detail could not be read, e.g. the cluster is unreachable. */
  error?: string;
}

/** Signal channel carrying `{ id, status }` whenever a request changes. */
export const REQUEST_SIGNAL_CHANNEL = 'crossplane:requests';

/**
 * Events topic (`@backstage/plugin-events-node`) carrying a {@link RequestSignal} whenever a
 * request changes, for backend modules such as the catalog's entity provider.
 */
export const REQUEST_EVENTS_TOPIC = 'crossplane.requests';

/** Message sent on {@link REQUEST_SIGNAL_CHANNEL}; a type, so it is a JSON object for signals. */
export type RequestSignal = {
  id: string;
  status: RequestStatus;
  entityRef: string;
};
