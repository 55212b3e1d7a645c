import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  FieldError,
  InfrastructureRequest,
  InfrastructureRequestInput,
  RequestResourceDetail,
} from '@paved/plugin-crossplane-common';

/** The message of Backstage's JSON error body, its `fields` spelled out, or the status line. */
async function refusalOf(
  res: Response,
): Promise<{ message: string; fields: FieldError[] }> {
  const text = await res.text();
  try {
    const error = JSON.parse(text)?.error;
    const fields: FieldError[] = Array.isArray(error?.fields)
      ? error.fields.filter(
          (f: any) =>
            typeof f?.path === 'string' && typeof f?.message === 'string',
        )
      : [];
    if (typeof error?.message === 'string' && error.message) {
      return { message: error.message, fields };
    }
  } catch {
    // Not Backstage's error body.
  }
  return {
    message: `${res.status} ${res.statusText}${
      text ? `: ${text.slice(0, 300)}` : ''
    }`,
    fields: [],
  };
}

/**
 * Turns a refusal of Paved's Crossplane backend into the `@backstage/errors` type of its status,
 * so the task log shows what to fix: each refused field on its own, by its path in the request.
 */
async function errorFor(res: Response, what: string): Promise<Error> {
  const { message, fields } = await refusalOf(res);
  const detail =
    fields.length > 0
      ? fields.map(f => `${f.path} ${f.message}`).join('; ')
      : message;
  const text = `${what}: ${detail}`;
  switch (res.status) {
    case 400:
      return new InputError(text);
    case 403:
      return new NotAllowedError(text);
    case 404:
      return new NotFoundError(text);
    case 409:
      return new ConflictError(text);
    default:
      return new Error(text);
  }
}

/**
 * Paved's Crossplane backend (`/api/crossplane`), called on behalf of the person running the
 * template: every call carries a token for them, so the backend's permission policy and its
 * audit record name that person, never the scaffolder.
 */
export class CrossplaneRequestClient {
  constructor(
    private readonly options: {
      auth: AuthService;
      discovery: DiscoveryService;
      credentials: BackstageCredentials;
    },
  ) {}

  /** `POST /requests`: a new request, or the one made before with the same client request id. */
  async submit(
    input: InfrastructureRequestInput,
  ): Promise<InfrastructureRequest> {
    const res = await this.call('/requests', {
      method: 'POST',
      body: JSON.stringify(input),
    });
    if (!res.ok) {
      throw await errorFor(
        res,
        `The request for ${input.name} on ${input.environment} was refused`,
      );
    }
    return (await res.json()) as InfrastructureRequest;
  }

  /** `GET /requests/:id`: the request as it is now. */
  async get(id: string): Promise<InfrastructureRequest> {
    const res = await this.call(`/requests/${encodeURIComponent(id)}`);
    if (!res.ok) throw await errorFor(res, `Could not read request ${id}`);
    return (await res.json()) as InfrastructureRequest;
  }

  /** `GET /requests/:id/resource`: the live resource, with its connection Secret's name. */
  async resource(id: string): Promise<RequestResourceDetail> {
    const res = await this.call(`/requests/${encodeURIComponent(id)}/resource`);
    if (!res.ok) {
      throw await errorFor(res, `Could not read the resource of request ${id}`);
    }
    return (await res.json()) as RequestResourceDetail;
  }

  private async call(path: string, init: RequestInit = {}) {
    const { auth, discovery, credentials } = this.options;
    // A fresh token per call: a wait for Ready can outlast one.
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: credentials,
      targetPluginId: 'crossplane',
    });
    const baseUrl = await discovery.getBaseUrl('crossplane');
    return fetch(`${baseUrl}${path}`, {
      ...init,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(init.body ? { 'Content-Type': 'application/json' } : {}),
      },
    });
  }
}
