/*
 * A permission policy and catalog behaving like Paved's for request tests: teams request for
 * what they own, approvers approve, everyone reads.
 */
import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  RESOURCE_TYPE_CROSSPLANE_REQUEST,
  crossplaneRequestApprovePermission,
  crossplaneRequestConditions,
  crossplaneRequestCreatePermission,
} from '@paved/plugin-crossplane-common';

/** A component of the catalog owned by `owner`, with the relation the plugin reads. */
export function component(
  name: string,
  owner: string,
  annotations?: Record<string, string>,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      ...(annotations ? { annotations } : {}),
    },
    spec: { type: 'service', lifecycle: 'production', owner },
    relations: [{ type: 'ownedBy', targetRef: owner }],
  };
}

/**
 * The permissions service of a policy like Paved's: `crossplane.request.create` conditional on
 * owning the entity (the user or one of `teams[user]`), `crossplane.request.approve` for
 * `approvers`, everything else allowed.
 */
export function pavedLikePermissions(options: {
  teams: Record<string, string[]>;
  approvers: string[];
}) {
  return mockServices.permissions.mock({
    async authorize(requests) {
      return requests.map(() => ({ result: AuthorizeResult.ALLOW }));
    },
    async authorizeConditional(requests, { credentials }) {
      const user = (credentials.principal as { userEntityRef: string })
        .userEntityRef;
      return requests.map(({ permission }) => {
        if (permission.name === crossplaneRequestCreatePermission.name) {
          return {
            result: AuthorizeResult.CONDITIONAL,
            pluginId: 'crossplane',
            resourceType: RESOURCE_TYPE_CROSSPLANE_REQUEST,
            conditions: crossplaneRequestConditions.isRequestOwner({
              claims: [user, ...(options.teams[user] ?? [])],
            }),
          };
        }
        if (permission.name === crossplaneRequestApprovePermission.name) {
          return {
            result: options.approvers.includes(user)
              ? AuthorizeResult.ALLOW
              : AuthorizeResult.DENY,
          };
        }
        return { result: AuthorizeResult.ALLOW };
      });
    },
  }).factory;
}
