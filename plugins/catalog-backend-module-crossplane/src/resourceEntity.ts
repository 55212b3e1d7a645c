import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
} from '@backstage/catalog-model';
import {
  InfrastructureRequest,
  REQUEST_ID_LABEL,
  RESOURCE_CLUSTER_ANNOTATION,
  RESOURCE_ENVIRONMENT_ANNOTATION,
  RESOURCE_REQUEST_ID_ANNOTATION,
} from '@paved/plugin-crossplane-common';
import { createHash } from 'node:crypto';

/** Entity names are at most 63 characters (Kubernetes object name rules). */
const MAX_NAME_LENGTH = 63;
const HASH_LENGTH = 6;

// Read by Backstage's Kubernetes plugin to find an entity's objects (a label selector, and the
// namespace to look in); spelled out here rather than adding its common package for two strings.
const KUBERNETES_LABEL_SELECTOR_ANNOTATION =
  'backstage.io/kubernetes-label-selector';
const KUBERNETES_NAMESPACE_ANNOTATION = 'backstage.io/kubernetes-namespace';

/**
 * The `Resource` entity name of a requested resource: `<name>-<environment>-<hash>`, e.g.
 * `orders-db-dev-3f9a1c`. The hash of the resource's cluster, namespace, kind and name keeps two
 * teams' (or two kinds') resources of the same name apart, and keeps clear of hand-written
 * Resources such as `payments-db`; the readable part is cut to fit 63 characters.
 */
export function resourceEntityName(request: InfrastructureRequest): string {
  const { cluster, apiVersion, kind, namespace, name } = request.resource;
  const group = apiVersion.split('/')[0];
  const hash = createHash('sha256')
    .update([cluster, namespace ?? '', group, kind, name].join('/'))
    .digest('hex')
    .slice(0, HASH_LENGTH);
  const readable = `${name}-${request.environment}`
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .slice(0, MAX_NAME_LENGTH - HASH_LENGTH - 1)
    .replace(/[^A-Za-z0-9]+$/, '');
  return `${readable}-${hash}`;
}

/** Where the request's page is in the portal (the crossplane frontend's request route). */
function requestPageUrl(appBaseUrl: string, requestId: string): string {
  return `${appBaseUrl.replace(
    /\/+$/,
    '',
  )}/infrastructure/requests/${encodeURIComponent(requestId)}`;
}

/**
 * The catalog `Resource` for a request whose resource exists: typed like its offering, owned by
 * the requesting team, a dependency of the entity it was requested for, linked to its request.
 *
 * @param resourceType - the offering's `resourceType`, when known; the kind in lower case otherwise.
 */
export function resourceEntity(
  request: InfrastructureRequest,
  options: { appBaseUrl: string; resourceType?: string },
): Entity {
  const { resource } = request;
  const page = requestPageUrl(options.appBaseUrl, request.id);
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: resourceEntityName(request),
      namespace: 'default',
      title: `${resource.name} (${request.environment})`,
      description: `${request.offeringTitle} in ${request.environment}, requested through Paved for ${request.entityRef}.`,
      annotations: {
        [ANNOTATION_LOCATION]: `url:${page}`,
        [ANNOTATION_ORIGIN_LOCATION]: `url:${page}`,
        [RESOURCE_REQUEST_ID_ANNOTATION]: request.id,
        [RESOURCE_ENVIRONMENT_ANNOTATION]: request.environment,
        [RESOURCE_CLUSTER_ANNOTATION]: resource.cluster,
        // Paved labels every resource it creates with its request id, so the Kubernetes tab
        // finds this one (and only this one) on the cluster.
        [KUBERNETES_LABEL_SELECTOR_ANNOTATION]: `${REQUEST_ID_LABEL}=${request.id}`,
        ...(resource.namespace
          ? { [KUBERNETES_NAMESPACE_ANNOTATION]: resource.namespace }
          : {}),
      },
      links: [{ url: page, title: 'Request' }],
    },
    spec: {
      type: options.resourceType ?? resource.kind.toLowerCase(),
      owner: request.ownerRef,
      dependencyOf: [request.entityRef],
    },
  };
}
