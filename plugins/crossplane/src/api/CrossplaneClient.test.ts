import { ResponseError } from '@backstage/errors';
import { CrossplaneClient } from './CrossplaneClient';
import { fieldErrorsOf, serverMessageOf } from './responseErrors';

const discoveryApi = {
  getBaseUrl: async (pluginId: string) => `http://backstage/api/${pluginId}`,
};

function json(body: unknown, status = 200, statusText = 'OK') {
  return new Response(JSON.stringify(body), {
    status,
    statusText,
    headers: { 'content-type': 'application/json' },
  });
}

function clientAnswering(response: () => Response) {
  const requested: Array<{ url: string; init?: RequestInit }> = [];
  const client = new CrossplaneClient({
    discoveryApi,
    fetchApi: {
      fetch: async (input: any, init?: RequestInit) => {
        requested.push({ url: String(input), init });
        return response();
      },
    },
  });
  return { client, requested };
}

describe('CrossplaneClient', () => {
  it('asks for requests with the filters as query parameters', async () => {
    const { client, requested } = clientAnswering(() => json({ requests: [] }));

    await client.listRequests({
      entityRef: 'component:default/payments',
      mine: true,
      status: ['awaiting-approval', 'queued'],
    });
    await client.getOfferingForm('buckets.platform.paved.dev/x');

    expect(requested.map(r => r.url)).toEqual([
      'http://backstage/api/crossplane/requests?entityRef=component%3Adefault%2Fpayments&mine=true&status=awaiting-approval%2Cqueued',
      'http://backstage/api/crossplane/offerings/buckets.platform.paved.dev%2Fx/form',
    ]);
  });

  it('posts a request as JSON', async () => {
    const { client, requested } = clientAnswering(() =>
      json({ id: 'r1' }, 201, 'Created'),
    );
    const input = {
      offering: 'postgresqlinstances.platform.paved.dev',
      environment: 'dev',
      entityRef: 'component:default/payments',
      name: 'payments-db',
      parameters: { storageGB: 20 },
      clientRequestId: 'c1',
    };

    const created = await client.createRequest(input);

    expect(created).toEqual({ id: 'r1' });
    expect(requested[0].url).toBe('http://backstage/api/crossplane/requests');
    expect(requested[0].init?.method).toBe('POST');
    expect(new Headers(requested[0].init?.headers).get('content-type')).toBe(
      'application/json',
    );
    expect(JSON.parse(String(requested[0].init?.body))).toEqual(input);
  });

  it('rejects a refused request with the fields the server named', async () => {
    const { client } = clientAnswering(() =>
      json(
        {
          error: {
            name: 'InputError',
            message: 'The request does not fit the production guardrails',
            fields: [
              { path: 'parameters.storageGB', message: 'at most 100' },
              { path: 'name', message: 'already taken' },
            ],
          },
          response: { statusCode: 400 },
        },
        400,
        'Bad Request',
      ),
    );

    const failure = await client
      .createRequest({
        offering: 'o',
        environment: 'production',
        entityRef: 'component:default/payments',
        name: 'payments-db',
        parameters: { storageGB: 500 },
        clientRequestId: 'c1',
      })
      .catch(e => e);

    expect(failure).toBeInstanceOf(ResponseError);
    expect(failure.statusCode).toBe(400);
    expect(serverMessageOf(failure)).toBe(
      'The request does not fit the production guardrails',
    );
    expect(fieldErrorsOf(failure)).toEqual([
      { path: 'parameters.storageGB', message: 'at most 100' },
      { path: 'name', message: 'already taken' },
    ]);
  });

  it('keeps the server message of a refused approval and names no fields', async () => {
    const { client, requested } = clientAnswering(() =>
      json(
        {
          error: {
            name: 'NotAllowedError',
            message: 'You cannot approve your own request',
          },
          response: { statusCode: 403 },
        },
        403,
        'Forbidden',
      ),
    );

    const failure = await client.approveRequest('r 1').catch(e => e);

    expect(requested[0].url).toBe(
      'http://backstage/api/crossplane/requests/r%201/approve',
    );
    expect(serverMessageOf(failure)).toBe(
      'You cannot approve your own request',
    );
    expect(fieldErrorsOf(failure)).toEqual([]);
  });

  it('sends the rejection comment', async () => {
    const { client, requested } = clientAnswering(() => json({ id: 'r1' }));

    await client.rejectRequest('r1', 'Use the shared cluster');

    expect(JSON.parse(String(requested[0].init?.body))).toEqual({
      comment: 'Use the shared cluster',
    });
  });
});
