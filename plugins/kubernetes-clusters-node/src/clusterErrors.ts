import { ApiException } from '@kubernetes/client-node';
import { KubernetesCluster } from './KubernetesClusters';

const TLS_ERROR = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/;
const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_SOCKET',
]);

/** The kind of resource a failed list or watch was about. @public */
export interface WatchedKind {
  group: string;
  plural: string;
  /** Named in the 404 message when given. */
  version?: string;
  /** What a 404 suggests, e.g. "is Argo CD installed there?". */
  notServedHint?: string;
}

/**
 * A message for a person reading a cluster's state after a list or watch of `kind` failed,
 * naming the cluster and what to check (credentials, RBAC, CA, the operator being installed).
 *
 * @public
 */
export function describeClusterError(
  error: unknown,
  cluster: Pick<KubernetesCluster, 'name' | 'url'>,
  kind: WatchedKind,
): string {
  const e = error as {
    code?: unknown;
    statusCode?: unknown;
    message?: string;
    status?: { code?: number; message?: string };
  };
  let httpStatus = e.status?.code;
  if (typeof e.code === 'number') {
    httpStatus = e.code;
  } else if (typeof e.statusCode === 'number') {
    httpStatus = e.statusCode;
  }
  const resource = `${kind.plural}.${kind.group}`;
  if (httpStatus === 401) {
    return `credentials rejected by cluster ${cluster.name} (401)`;
  }
  if (httpStatus === 403) {
    return `credentials of cluster ${cluster.name} may not list and watch ${resource} (403)`;
  }
  if (httpStatus === 404) {
    return `cluster ${cluster.name} does not serve ${resource}${
      kind.version ? `/${kind.version}` : ''
    } (404)${kind.notServedHint ? `: ${kind.notServedHint}` : ''}`;
  }
  if (typeof httpStatus === 'number') {
    // ApiException's message is "HTTP-Code: …\nMessage: …\nBody: …"; the Message line says it.
    const detail =
      e.status?.message ??
      e.message?.match(/^Message: (.*)$/m)?.[1] ??
      e.message ??
      '';
    return `cluster ${cluster.name} answered ${httpStatus}: ${detail}`;
  }
  const code = typeof e.code === 'string' ? e.code : undefined;
  const reason = e.message?.replace(/^request to \S+ failed, reason: /, '');
  if (code && TLS_ERROR.test(code)) {
    return `TLS verification of cluster ${cluster.name} at ${cluster.url} failed (${code}: ${reason}); check its caData or caFile`;
  }
  if (code && NETWORK_ERRORS.has(code)) {
    return `cluster ${cluster.name} unreachable at ${cluster.url}: ${reason}`;
  }
  return `cluster ${cluster.name} at ${cluster.url}: ${
    reason ?? String(error)
  }`;
}

/**
 * The message of a failed Kubernetes call: the `message` of the Status object the API server
 * answered with, else the error's own text (without node-fetch's "request to … failed" prefix).
 *
 * @public
 */
export function kubernetesErrorMessage(error: unknown): string {
  if (error instanceof ApiException) {
    try {
      const body =
        typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
      if (body && typeof body.message === 'string') return body.message;
    } catch {
      // Not a Status object: fall back to the exception's text.
    }
  }
  const e = error as { message?: string };
  return (e.message ?? String(error)).replace(
    /^request to \S+ failed, reason: /,
    '',
  );
}
