import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  createPermissionResourceRef,
  createPermissionRule,
} from '@backstage/plugin-permission-node';
import {
  InfrastructureRequest,
  crossplaneRequestReadPermission,
  IS_REQUEST_OWNER_RULE,
  IsRequestOwnerParams,
  RESOURCE_TYPE_CROSSPLANE_REQUEST,
} from '@paved/plugin-crossplane-common';
import { z } from 'zod';

/** What permission rules see of a request: a new one as it would be, or a stored one. */
export type RequestPermissionResource = Pick<
  InfrastructureRequest,
  'offering' | 'environment' | 'entityRef' | 'ownerRef' | 'requestedBy'
>;

/** Decides a permission decision, possibly conditional, on one request. */
export type RequestAuthorizer = (
  decision: PolicyDecision,
  request: RequestPermissionResource,
) => boolean;

/**
 * The permission resource of a request. Requests are decided one at a time in memory, so the
 * query form of a condition is the condition itself.
 */
export const crossplaneRequestResourceRef = createPermissionResourceRef<
  RequestPermissionResource,
  IsRequestOwnerParams
>().with({
  pluginId: 'crossplane',
  resourceType: RESOURCE_TYPE_CROSSPLANE_REQUEST,
});

/** `IS_REQUEST_OWNER`: the team owning the request's entity is among the caller's claims. */
export const isRequestOwnerRule = createPermissionRule({
  name: IS_REQUEST_OWNER_RULE,
  description:
    "Allow when the team that owns the request's catalog entity is one of the caller's groups",
  resourceRef: crossplaneRequestResourceRef,
  paramsSchema: z.object({
    claims: z
      .array(z.string())
      .describe(
        "The caller's ownership refs, e.g. group:default/team-payments",
      ),
  }),
  apply(request, { claims }) {
    const owner = request.ownerRef.toLocaleLowerCase('en-US');
    return claims.some(claim => claim.toLocaleLowerCase('en-US') === owner);
  },
  toQuery(params) {
    return params;
  },
});

/** Throws NotAllowedError unless the caller may see requests and the resources they made. */
export async function authorizeRequestRead(
  permissions: PermissionsService,
  credentials: BackstageCredentials,
): Promise<void> {
  const [decision] = await permissions.authorize(
    [{ permission: crossplaneRequestReadPermission }],
    { credentials },
  );
  if (decision.result !== AuthorizeResult.ALLOW) {
    throw new NotAllowedError('You may not see requests for infrastructure');
  }
}
