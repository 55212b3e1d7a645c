/*
 * GitHub's error bodies. Clients (Octokit, Backstage) show `message` and
 * some match on it, so the wording follows GitHub's.
 */

export const REST_DOCS = 'https://docs.github.com/rest';

export interface ValidationError {
  resource: string;
  code: string;
  field?: string;
  message?: string;
}

/** An error answer; the server turns it into a response. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: {
      errors?: ValidationError[];
      documentationUrl?: string;
    } = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(documentationUrl: string): Record<string, unknown> {
    return {
      message: this.message,
      ...(this.extra.errors ? { errors: this.extra.errors } : {}),
      documentation_url: this.extra.documentationUrl ?? documentationUrl,
      status: String(this.status),
    };
  }
}

export function notFound(message = 'Not Found'): ApiError {
  return new ApiError(404, message);
}

export function validationFailed(...errors: ValidationError[]): ApiError {
  return new ApiError(422, 'Validation Failed', { errors });
}
