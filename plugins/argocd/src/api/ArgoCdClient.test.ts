import { ResponseError } from '@backstage/errors';
import { ArgoCdClient } from './ArgoCdClient';

const discoveryApi = {
  getBaseUrl: async (pluginId: string) => `http://backstage/api/${pluginId}`,
};

function clientAnswering(response: Response) {
  const requested: string[] = [];
  const client = new ArgoCdClient({
    discoveryApi,
    fetchApi: {
      fetch: async (input: any) => {
        requested.push(String(input));
        return response;
      },
    },
  });
  return { client, requested };
}

const entityRef = { kind: 'Component', namespace: 'team a', name: 'cart/v2' };

describe('ArgoCdClient', () => {
  it('asks the argocd backend for the entity with every path segment encoded', async () => {
    const { client, requested } = clientAnswering(
      new Response(JSON.stringify({ application: {}, history: [] }), {
        headers: { 'content-type': 'application/json' },
      }),
    );

    const answer = await client.getApplicationHistory(entityRef, {
      instance: 'prod eu',
      namespace: 'argocd',
      name: 'cart?x=1',
    });

    expect(answer).toEqual({ application: {}, history: [] });
    expect(requested).toEqual([
      'http://backstage/api/argocd/entity/component/team%20a/cart%2Fv2/applications/prod%20eu/argocd/cart%3Fx%3D1/history',
    ]);
  });

  it('rejects with a ResponseError that keeps the server message', async () => {
    const { client } = clientAnswering(
      new Response(
        JSON.stringify({
          error: { name: 'NotAllowedError', message: 'not yours to read' },
          response: { statusCode: 403 },
        }),
        {
          status: 403,
          statusText: 'Forbidden',
          headers: { 'content-type': 'application/json' },
        },
      ),
    );

    const failure = await client.getEntityApplications(entityRef).catch(e => e);

    expect(failure).toBeInstanceOf(ResponseError);
    expect(failure.statusCode).toBe(403);
    expect(failure.cause.message).toBe('not yours to read');
  });
});
