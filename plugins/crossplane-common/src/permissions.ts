import {
  PermissionCondition,
  createPermission,
} from '@backstage/plugin-permission-common';

/**
 * Resource type of a request for infrastructure made through Paved, named by its id. Permissions
 * on it are decided on the request (a new one as it would be), so a policy can look at the team
 * it is for with {@link crossplaneRequestConditions}.
 */
export const RESOURCE_TYPE_CROSSPLANE_REQUEST = 'crossplane-request';

/** Seeing what infrastructure is offered and the request form of each offering. */
export const crossplaneOfferingReadPermission = createPermission({
  name: 'crossplane.offering.read',
  attributes: { action: 'read' },
});

/** Seeing requests for infrastructure and their timelines, which name no secret values. */
export const crossplaneRequestReadPermission = createPermission({
  name: 'crossplane.request.read',
  attributes: { action: 'read' },
});

/** Requesting infrastructure for a catalog entity, decided on the request as it would be. */
export const crossplaneRequestCreatePermission = createPermission({
  name: 'crossplane.request.create',
  attributes: { action: 'create' },
  resourceType: RESOURCE_TYPE_CROSSPLANE_REQUEST,
});

/**
 * Approving or rejecting a request waiting for approval. Nobody approves their own request,
 * whatever the policy says.
 */
export const crossplaneRequestApprovePermission = createPermission({
  name: 'crossplane.request.approve',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CROSSPLANE_REQUEST,
});

/** Every permission the Crossplane plugin checks. */
export const crossplanePermissions = [
  crossplaneOfferingReadPermission,
  crossplaneRequestReadPermission,
  crossplaneRequestCreatePermission,
  crossplaneRequestApprovePermission,
];

/** Parameters of the `IS_REQUEST_OWNER` rule. */
export type IsRequestOwnerParams = {
  /** The caller's ownership refs, e.g. `user.info.ownershipEntityRefs` (`group:default/team-a`). */
  claims: string[];
};

/** Name of the rule that is true for requests made for an entity one of `claims` owns. */
export const IS_REQUEST_OWNER_RULE = 'IS_REQUEST_OWNER';

/**
 * Conditions on {@link RESOURCE_TYPE_CROSSPLANE_REQUEST} for permission policies, usable without
 * a dependency on the backend.
 */
export const crossplaneRequestConditions = {
  /** True when the team owning the request's catalog entity is among `claims`. */
  isRequestOwner(
    params: IsRequestOwnerParams,
  ): PermissionCondition<
    typeof RESOURCE_TYPE_CROSSPLANE_REQUEST,
    IsRequestOwnerParams
  > {
    return {
      rule: IS_REQUEST_OWNER_RULE,
      resourceType: RESOURCE_TYPE_CROSSPLANE_REQUEST,
      params,
    };
  },
};
