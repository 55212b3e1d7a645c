import { ResponseError } from '@backstage/errors';
import { AuditLogClient } from './AuditLogClient';

const discoveryApi = {
  getBaseUrl: async (pluginId: string) => `http://backstage/api/${pluginId}`,
};

function clientAnswering(response: Response) {
  const requested: string[] = [];
  const client = new AuditLogClient({
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

describe('AuditLogClient', () => {
  it('sends the set filters and the page, leaving unset ones out', async () => {
    const page = { items: [], totalCount: 0, limit: 25, offset: 50 };
    const { client, requested } = clientAnswering(
      new Response(JSON.stringify(page), {
        headers: { 'content-type': 'application/json' },
      }),
    );

    const answer = await client.listEvents({
      actor: 'user:default/jane',
      entity: 'a&b',
      outcome: 'denied',
      plugin: undefined,
      limit: 25,
      offset: 50,
    });

    expect(answer).toEqual(page);
    expect(requested).toEqual([
      'http://backstage/api/audit-log/events?actor=user%3Adefault%2Fjane&entity=a%26b&outcome=denied&limit=25&offset=50',
    ]);
  });

  it('downloads the CSV export from events.csv with the same filters', async () => {
    const { client, requested } = clientAnswering(
      new Response('time,plugin\r\n', {
        headers: { 'content-type': 'text/csv' },
      }),
    );

    const csv = await client.exportEvents({ plugin: 'catalog' });

    expect(await csv.text()).toBe('time,plugin\r\n');
    expect(requested).toEqual([
      'http://backstage/api/audit-log/events.csv?plugin=catalog',
    ]);
  });

  it('rejects with the server’s message when the caller may not read the log', async () => {
    const { client } = clientAnswering(
      new Response(
        JSON.stringify({
          error: {
            name: 'NotAllowedError',
            message: 'You are not allowed to read the audit log',
          },
          request: { method: 'GET', url: '/api/audit-log/events' },
          response: { statusCode: 403 },
        }),
        {
          status: 403,
          statusText: 'Forbidden',
          headers: { 'content-type': 'application/json' },
        },
      ),
    );

    const error = await client.listEvents({}).catch(e => e);

    expect(error).toBeInstanceOf(ResponseError);
    expect(error.body.error.message).toBe(
      'You are not allowed to read the audit log',
    );
    expect(error.statusCode).toBe(403);
  });
});
