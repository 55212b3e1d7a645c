import { ResponseError } from '@backstage/errors';
import { FieldError } from '@paved/plugin-crossplane-common';

/**
 * The fields a refused request names (`error.fields` of the server's 400 body), empty for any
 * other failure.
 */
export function fieldErrorsOf(error: unknown): FieldError[] {
  if (!isResponseError(error)) {
    return [];
  }
  const fields = (error.body.error as { fields?: unknown }).fields;
  if (!Array.isArray(fields)) {
    return [];
  }
  return fields.filter(
    (field): field is FieldError =>
      typeof field?.path === 'string' && typeof field?.message === 'string',
  );
}

/**
 * What the server said went wrong ("you cannot approve your own request"), falling back to
 * the error's own message when no server answered.
 */
export function serverMessageOf(error: unknown): string {
  if (isResponseError(error)) {
    return error.cause?.message || error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

// By name, as ArgoCdErrorPanel does: a second copy of @backstage/errors in a bundle defeats instanceof.
function isResponseError(error: unknown): error is ResponseError {
  return error instanceof Error && error.name === 'ResponseError';
}
