import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Resource type of a request for infrastructure made through Paved. The request permissions
 * (create, approve) will be resource permissions on it; none is defined yet.
 */
export const RESOURCE_TYPE_CROSSPLANE_REQUEST = 'crossplane-request';

/** Seeing what infrastructure is offered and the request form of each offering. */
export const crossplaneOfferingReadPermission = createPermission({
  name: 'crossplane.offering.read',
  attributes: { action: 'read' },
});

/** Every permission the Crossplane plugin checks. */
export const crossplanePermissions = [crossplaneOfferingReadPermission];
