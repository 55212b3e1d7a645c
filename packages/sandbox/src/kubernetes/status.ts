/*
 * Status objects with the reasons, codes and message wording of a real
 * kube-apiserver, so clients that branch on `reason`/`code` or show the
 * message behave as they would against a cluster.
 */

/** One entry of `details.causes` in an Invalid status. */
export interface StatusCause {
  reason: string;
  message: string;
  field: string;
}

interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
}

/** A `kind: Status` body as the apiserver sends it. */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** Identifies a resource in messages: `applications.argoproj.io`, or `namespaces` for the core group. */
export interface GroupResource {
  group: string;
  resource: string;
}

/** Thrown anywhere in request handling; the server turns it into a Status response. */
export class StatusError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details?: StatusDetails;

  constructor(
    code: number,
    reason: string,
    message: string,
    details?: StatusDetails,
  ) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  toStatus(): Status {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

function qualified({ group, resource }: GroupResource): string {
  return group ? `${resource}.${group}` : resource;
}

function resourceDetails(gr: GroupResource, name: string): StatusDetails {
  return {
    name,
    ...(gr.group ? { group: gr.group } : {}),
    kind: gr.resource,
  };
}

export function notFound(gr: GroupResource, name: string): StatusError {
  return new StatusError(
    404,
    'NotFound',
    `${qualified(gr)} "${name}" not found`,
    resourceDetails(gr, name),
  );
}

/** The answer for a path that names no known resource. */
export function pathNotFound(): StatusError {
  return new StatusError(
    404,
    'NotFound',
    'the server could not find the requested resource',
    {},
  );
}

export function alreadyExists(gr: GroupResource, name: string): StatusError {
  return new StatusError(
    409,
    'AlreadyExists',
    `${qualified(gr)} "${name}" already exists`,
    resourceDetails(gr, name),
  );
}

export function conflict(
  gr: GroupResource,
  name: string,
  why = 'the object has been modified; please apply your changes to the latest version and try again',
): StatusError {
  return new StatusError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`,
    resourceDetails(gr, name),
  );
}

/** One field error, worded like k8s.io/apimachinery's field.Error. */
export interface FieldError {
  reason: string;
  field: string;
  /** The part after the field path, e.g. `Required value`. */
  detail: string;
}

export function invalid(
  kind: string,
  group: string,
  name: string,
  errors: FieldError[],
): StatusError {
  const full = errors.map(e => `${e.field}: ${e.detail}`);
  const summary = full.length === 1 ? full[0] : `[${full.join(', ')}]`;
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  return new StatusError(
    422,
    'Invalid',
    `${qualifiedKind} "${name}" is invalid: ${summary}`,
    {
      name,
      ...(group ? { group } : {}),
      kind,
      causes: errors.map(e => ({
        reason: e.reason,
        message: e.detail,
        field: e.field,
      })),
    },
  );
}

export function badRequest(message: string): StatusError {
  return new StatusError(400, 'BadRequest', message);
}

export function methodNotAllowed(): StatusError {
  return new StatusError(
    405,
    'MethodNotAllowed',
    'the server does not allow this method on the requested resource',
    {},
  );
}

export function unsupportedMediaType(accepted: string[]): StatusError {
  return new StatusError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(
      ', ',
    )}`,
  );
}

export function unauthorized(): StatusError {
  return new StatusError(401, 'Unauthorized', 'Unauthorized');
}

export function forbidden(
  gr: GroupResource,
  name: string,
  why: string,
): StatusError {
  const target = name ? `${qualified(gr)} "${name}"` : qualified(gr);
  return new StatusError(
    403,
    'Forbidden',
    `${target} is forbidden: ${why}`,
    resourceDetails(gr, name),
  );
}

/** What a watch from a compacted resourceVersion gets, inside an ERROR event. */
export function expired(requested: number, oldest: number): StatusError {
  return new StatusError(
    410,
    'Expired',
    `too old resource version: ${requested} (${oldest})`,
  );
}

export function internalError(message: string): StatusError {
  return new StatusError(
    500,
    'InternalError',
    `Internal error occurred: ${message}`,
    { causes: [{ reason: '', message, field: '' }] },
  );
}

/** The body of a successful delete of a resource that does not return the object. */
export function deletedStatus(
  gr: GroupResource,
  name: string,
  uid: string,
): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { ...resourceDetails(gr, name), uid },
    code: 200,
  };
}
