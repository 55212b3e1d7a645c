import { ScorecardsClient } from './ScorecardsClient';
import { serverMessageOf, statusOf } from './responseErrors';

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
  const client = new ScorecardsClient({
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

const cart = { kind: 'Component', namespace: 'default', name: 'cart' };

describe('ScorecardsClient', () => {
  it("asks for an entity's scorecard and history, and re-runs it with a POST", async () => {
    const { client, requested } = clientAnswering(() => json({}));

    await client.getEntityScorecard(cart);
    await client.getEntityHistory(cart, 90);
    await client.rerunEntity(cart);

    expect(requested.map(r => [r.init?.method ?? 'GET', r.url])).toEqual([
      ['GET', 'http://backstage/api/scorecards/entity/default/Component/cart'],
      [
        'GET',
        'http://backstage/api/scorecards/entity/default/Component/cart/history?days=90',
      ],
      [
        'POST',
        'http://backstage/api/scorecards/entity/default/Component/cart/run',
      ],
    ]);
  });

  it('repeats each filter value as its own query parameter', async () => {
    const { client, requested } = clientAnswering(() =>
      json({ levelOrder: [], entities: [], rollUps: [], days: [] }),
    );
    const filter = {
      owner: ['group:default/team-a', 'group:default/team-b'],
      lifecycle: ['production'],
    };

    await client.getEntities(filter);
    await client.getRollUps('owners', filter);
    await client.getOrgHistory(90, {});

    expect(requested.map(r => r.url)).toEqual([
      'http://backstage/api/scorecards/entities?owner=group%3Adefault%2Fteam-a&owner=group%3Adefault%2Fteam-b&lifecycle=production',
      'http://backstage/api/scorecards/rollups/owners?owner=group%3Adefault%2Fteam-a&owner=group%3Adefault%2Fteam-b&lifecycle=production',
      'http://backstage/api/scorecards/history?days=90',
    ]);
  });

  it('reads the campaigns out of their envelope, posts new ones as JSON and deletes by id', async () => {
    const { client, requested } = clientAnswering(() =>
      json({ campaigns: [{ id: 'c-1' }] }),
    );

    expect(await client.listCampaigns()).toEqual([{ id: 'c-1' }]);
    await client.createCampaign({
      title: 'Silver',
      targetLevel: 'Silver',
      deadline: '2027-03-01',
      scope: {},
    });

    expect(requested[1].init?.method).toBe('POST');
    expect(JSON.parse(String(requested[1].init?.body))).toEqual({
      title: 'Silver',
      targetLevel: 'Silver',
      deadline: '2027-03-01',
      scope: {},
    });
  });

  it('accepts an empty 204 answer to a deletion', async () => {
    const { client, requested } = clientAnswering(
      () => new Response(null, { status: 204, statusText: 'No Content' }),
    );

    await expect(client.deleteCampaign('c 1')).resolves.toBeUndefined();
    expect(requested[0]).toMatchObject({
      url: 'http://backstage/api/scorecards/campaigns/c%201',
      init: { method: 'DELETE' },
    });
  });

  it("rejects with the server's message and status", async () => {
    const { client } = clientAnswering(() =>
      json(
        {
          error: {
            name: 'NotAllowedError',
            message: 'Only the owners of component:default/cart may re-run it',
          },
          response: { statusCode: 403 },
        },
        403,
        'Forbidden',
      ),
    );

    const error = await client.rerunEntity(cart).catch(e => e);

    expect(statusOf(error)).toBe(403);
    expect(serverMessageOf(error)).toBe(
      'Only the owners of component:default/cart may re-run it',
    );
  });
});
