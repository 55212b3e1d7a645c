import { ResponseError } from '@backstage/errors';

// By name, as the Argo CD and Crossplane plugins do: a second copy of @backstage/errors in a
// bundle defeats instanceof.
function isResponseError(error: unknown): error is ResponseError {
  return error instanceof Error && error.name === 'ResponseError';
}

/** The HTTP status of a failed call, undefined when no server answered. */
export function statusOf(error: unknown): number | undefined {
  return isResponseError(error) ? error.statusCode : undefined;
}

/**
 * What the server said went wrong ("Only the owners of component:default/cart may re-run it"),
 * falling back to the error's own message when no server answered.
 */
export function serverMessageOf(error: unknown): string {
  if (isResponseError(error)) {
    return error.cause?.message || error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
