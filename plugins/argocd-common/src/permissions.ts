import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';
import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Reading an entity's Argo CD applications, their history and manifests. A resource permission
 * on the catalog entity, so policies can use catalog conditions such as ownership.
 */
export const argocdApplicationReadPermission = createPermission({
  name: 'argocd.application.read',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Every permission the Argo CD plugin checks. */
export const argocdPermissions = [argocdApplicationReadPermission];
