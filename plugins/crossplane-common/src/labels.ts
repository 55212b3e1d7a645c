/**
 * Label a platform team puts on a CompositeResourceDefinition to offer it to teams in Paved's
 * request form; only the value `"true"` offers it.
 */
export const OFFERED_LABEL = 'paved.dev/offered';

/** Annotation on an XRD giving the offering's title, e.g. "PostgreSQL database". */
export const OFFERING_TITLE_ANNOTATION = 'paved.dev/title';

/** Annotation on an XRD giving the offering's description; the schema's description otherwise. */
export const OFFERING_DESCRIPTION_ANNOTATION = 'paved.dev/description';

/**
 * Annotation on an XRD giving the catalog `spec.type` of its resources, e.g. `database`, `cache`
 * or `bucket`; the kind in lower case otherwise.
 */
export const OFFERING_RESOURCE_TYPE_ANNOTATION = 'paved.dev/resource-type';

/** Label on every resource Paved creates, holding the id of the request that made it. */
export const REQUEST_ID_LABEL = 'paved.dev/request-id';

/** Annotation on every resource Paved creates: the catalog entity it was requested for. */
export const REQUESTED_FOR_ANNOTATION = 'paved.dev/requested-for';

/**
 * Annotations on the catalog `Resource` entity of a requested resource: the request that made
 * it, and the environment and cluster it lives in.
 */
export const RESOURCE_REQUEST_ID_ANNOTATION = 'paved.dev/request-id';
/** See {@link RESOURCE_REQUEST_ID_ANNOTATION}. */
export const RESOURCE_ENVIRONMENT_ANNOTATION = 'paved.dev/environment';
/** See {@link RESOURCE_REQUEST_ID_ANNOTATION}. */
export const RESOURCE_CLUSTER_ANNOTATION = 'paved.dev/cluster';
