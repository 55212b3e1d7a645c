import { SchedulerServiceTaskInvocationDefinition } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  Campaign,
  CampaignProgress,
  CampaignSummary,
  CreateCampaignRequest,
  scorecardsCampaignCreatePermission,
  scorecardsCampaignDeletePermission,
} from '@paved/plugin-scorecards-common';
import { JsonValue } from '@backstage/types';
import request from 'supertest';
import { scorecardsPlugin } from './plugin';
import { techInsightsStandIn } from './__testUtils__/techInsightsStandIn';

const GITHUB = 'githubRepositoryFactRetriever';
const OWNERS = 'codeownersFactRetriever';
const ADMIN = 'user:default/ingrid';
const MEMBER = 'user:default/priya';

function check(id: string, level: string, factId: string, fact: string) {
  return {
    id,
    title: `Check ${id}`,
    description: `Check ${id}`,
    level,
    factIds: [factId],
    rule: {
      conditions: { all: [{ fact, operator: 'equal', value: true }] },
    },
    remediation: { text: `Fix ${id}`, url: `https://docs.example.com/${id}` },
  };
}

const checks = [
  check('has-readme', 'Bronze', GITHUB, 'hasReadme'),
  check('has-ci', 'Silver', GITHUB, 'hasCiWorkflow'),
  check('codeowners', 'Silver', OWNERS, 'hasCodeowners'),
  check('has-license', 'Gold', GITHUB, 'hasLicense'),
];

function component(name: string, owner: string, lifecycle: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default' },
    spec: { type: 'service', owner, lifecycle },
    relations: [{ type: 'ownedBy', targetRef: `group:default/${owner}` }],
  };
}

const github = (readme: boolean, ci: boolean, license = false) => ({
  hasReadme: readme,
  hasCiWorkflow: ci,
  hasLicense: license,
});

// Production: cart is Silver; search is Bronze with CI failing and CODEOWNERS never collected
// (unknown); payments is below Bronze; ledger is Bronze with CI and CODEOWNERS failing.
// docs is experimental, outside a production campaign.
const facts: Record<string, Record<string, Record<string, JsonValue>>> = {
  'component:default/cart': {
    [GITHUB]: github(true, true),
    [OWNERS]: { hasCodeowners: true },
  },
  'component:default/search': { [GITHUB]: github(true, false) },
  'component:default/payments': {
    [GITHUB]: github(false, false),
    [OWNERS]: { hasCodeowners: true },
  },
  'component:default/ledger': {
    [GITHUB]: github(true, false),
    [OWNERS]: { hasCodeowners: false },
  },
  'component:default/docs': { [GITHUB]: github(false, false) },
};

const boolean = (description: string) => ({
  type: 'boolean' as const,
  description,
});
const techInsights = techInsightsStandIn({
  schemas: [
    {
      hasReadme: boolean('A README'),
      hasCiWorkflow: boolean('A CI workflow'),
      hasLicense: boolean('A licence'),
    },
    { hasCodeowners: boolean('A CODEOWNERS file') },
  ],
  facts: entityRef => facts[entityRef],
});

const silverInProduction: CreateCampaignRequest = {
  title: 'Production services at Silver',
  description: 'CI and CODEOWNERS everywhere in production.',
  targetLevel: 'Silver',
  deadline: '2027-03-01',
  scope: { lifecycle: ['production'] },
};

describe('scorecards campaigns', () => {
  let server: request.Agent;
  let stop: () => Promise<void>;
  const audited: Array<{
    eventId: string;
    outcome: string;
    meta?: unknown;
    error?: string;
  }> = [];
  const asked: string[] = [];

  const as = (user: string) => mockCredentials.user.header(user);
  const create = (body: unknown, user = ADMIN) =>
    server
      .post('/api/scorecards/campaigns')
      .set('Authorization', as(user))
      .send(body as object);

  beforeAll(async () => {
    const scheduled: SchedulerServiceTaskInvocationDefinition[] = [];
    const backend = await startTestBackend({
      features: [
        scorecardsPlugin,
        mockServices.rootConfig.factory({ data: { scorecards: { checks } } }),
        catalogServiceMock.factory({
          entities: [
            component('cart', 'team-a', 'production'),
            component('search', 'team-a', 'production'),
            component('payments', 'team-b', 'production'),
            component('ledger', 'team-b', 'production'),
            component('docs', 'team-c', 'experimental'),
          ],
        }),
        techInsights,
        // Reading is open; campaigns are for the admin, as Paved's policy decides.
        mockServices.permissions.mock({
          async authorize(requests, { credentials }) {
            const user = (credentials.principal as { userEntityRef?: string })
              .userEntityRef;
            return requests.map(({ permission }) => {
              asked.push(permission.name);
              const adminsOnly = [
                scorecardsCampaignCreatePermission.name,
                scorecardsCampaignDeletePermission.name,
              ].includes(permission.name);
              return {
                result:
                  !adminsOnly || user === ADMIN
                    ? AuthorizeResult.ALLOW
                    : AuthorizeResult.DENY,
              };
            });
          },
        }).factory,
        mockServices.scheduler.mock({
          async scheduleTask(task) {
            scheduled.push(task);
          },
        }).factory,
        mockServices.auditor.mock({
          async createEvent({ eventId, meta: created }) {
            return {
              async success(options) {
                audited.push({
                  eventId,
                  outcome: 'success',
                  meta: { ...created, ...options?.meta },
                });
              },
              async fail({ error, meta }) {
                audited.push({
                  eventId,
                  outcome: 'fail',
                  meta: { ...created, ...meta },
                  error: error.message,
                });
              },
            };
          },
        }).factory,
      ],
    });
    server = request.agent(backend.server);
    stop = () => backend.stop();
    await scheduled
      .find(t => t.id === 'scorecards-score-all')!
      .fn(new AbortController().signal);
  });

  afterAll(() => stop?.());

  beforeEach(() => {
    audited.length = 0;
    asked.length = 0;
  });

  it('refuses a campaign to a non-admin with 403, creates nothing, and audits the attempt', async () => {
    const res = await create(silverInProduction, MEMBER);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/Only platform admins/);
    expect(asked).toEqual(['scorecards.campaign.create']);
    expect(audited).toEqual([
      {
        eventId: 'campaign-create',
        outcome: 'fail',
        meta: { title: silverInProduction.title, targetLevel: 'Silver' },
        error: 'Only platform admins may start a campaign',
      },
    ]);
    const list = await server.get('/api/scorecards/campaigns');
    expect(list.body).toEqual({ campaigns: [] });
  });

  it('answers bad campaigns with a 400 naming the field, and audits each', async () => {
    const cases: Array<[Partial<CreateCampaignRequest>, RegExp]> = [
      [
        { targetLevel: 'Platinum' },
        /targetLevel must be one of the configured levels \(Bronze, Silver, Gold\)/,
      ],
      [{ deadline: '2027-02-30' }, /deadline must be a real date/],
      [{ deadline: '1 March 2027' }, /deadline must be a real date/],
      [{ title: '  ' }, /title must not be empty/],
      [
        { scope: { owner: ['group:default/team a'] } },
        /scope\.owner\.0 'group:default\/team a' is not a group or user entity ref/,
      ],
      [
        { scope: { system: ['component:default/cart'] } },
        /scope\.system\.0 .*kind must be system/,
      ],
      [
        { scope: { lifecycle: ['prod uction'] } },
        /scope\.lifecycle\.0 must be a lifecycle/,
      ],
      [{ scope: { team: ['a'] } } as object, /scope/],
    ];
    for (const [change, message] of cases) {
      const res = await create({ ...silverInProduction, ...change });
      expect({ status: res.status, message: res.body.error?.message }).toEqual({
        status: 400,
        message: expect.stringMatching(message),
      });
    }
    expect(audited).toHaveLength(cases.length);
    expect(
      audited.every(
        e => e.eventId === 'campaign-create' && e.outcome === 'fail',
      ),
    ).toBe(true);
    expect(
      (await server.get('/api/scorecards/campaigns')).body.campaigns,
    ).toEqual([]);
  });

  describe('a campaign an admin starts', () => {
    let campaign: Campaign;

    beforeAll(async () => {
      const res = await create({
        ...silverInProduction,
        // Owners may be named as the catalog shows them or without kind and namespace.
        scope: {
          ...silverInProduction.scope,
          owner: ['Team-A', 'group:default/team-b'],
        },
      });
      if (res.status !== 201) {
        throw new Error(`Could not start the campaign: ${res.text}`);
      }
      campaign = res.body;
    });

    it('is created for the admin, with the scope normalised', async () => {
      expect(campaign).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        title: silverInProduction.title,
        description: silverInProduction.description,
        targetLevel: 'Silver',
        deadline: '2027-03-01',
        scope: {
          lifecycle: ['production'],
          owner: ['group:default/team-a', 'group:default/team-b'],
        },
        createdBy: ADMIN,
        createdAt: expect.any(String),
      });
    });

    it('shows progress: reached, teams most behind first, blocking checks most common first', async () => {
      const res = await server.get(`/api/scorecards/campaigns/${campaign.id}`);
      expect(res.status).toBe(200);
      const progress: CampaignProgress = res.body;
      // docs is experimental and out of scope; only cart is at Silver.
      expect(progress).toMatchObject({ id: campaign.id, total: 4, reached: 1 });
      expect(progress.teams).toEqual([
        {
          ownerRef: 'group:default/team-b',
          total: 2,
          reached: 0,
          behind: [
            { entityRef: 'component:default/payments', level: null },
            { entityRef: 'component:default/ledger', level: 'Bronze' },
          ],
        },
        {
          ownerRef: 'group:default/team-a',
          total: 2,
          reached: 1,
          behind: [{ entityRef: 'component:default/search', level: 'Bronze' }],
        },
      ]);
      // CI fails for three; CODEOWNERS fails for ledger and is unknown for search; the README
      // fails for payments; the Gold licence check is above the target and blocks nothing.
      expect(progress.blockingChecks).toEqual([
        {
          id: 'has-ci',
          title: 'Check has-ci',
          level: 'Silver',
          entities: 3,
          remediation: {
            text: 'Fix has-ci',
            url: 'https://docs.example.com/has-ci',
          },
        },
        expect.objectContaining({
          id: 'codeowners',
          level: 'Silver',
          entities: 2,
        }),
        expect.objectContaining({
          id: 'has-readme',
          level: 'Bronze',
          entities: 1,
        }),
      ]);
    });

    it('is listed with its totals', async () => {
      const res = await server.get('/api/scorecards/campaigns');
      const campaigns: CampaignSummary[] = res.body.campaigns;
      expect(campaigns).toEqual([{ ...campaign, total: 4, reached: 1 }]);
    });

    it('counts an entity above the target as reached', async () => {
      const gold = await create({
        title: 'Team A at Bronze',
        targetLevel: 'Bronze',
        deadline: '2027-01-31',
        scope: { owner: ['group:default/team-a'] },
      });
      expect(gold.status).toBe(201);
      const progress: CampaignProgress = (
        await server.get(`/api/scorecards/campaigns/${gold.body.id}`)
      ).body;
      // cart (Silver) and search (Bronze) are both at Bronze or above.
      expect(progress).toMatchObject({
        total: 2,
        reached: 2,
        blockingChecks: [],
      });
      expect(progress.teams).toEqual([
        { ownerRef: 'group:default/team-a', total: 2, reached: 2, behind: [] },
      ]);
      const deleted = await server
        .delete(`/api/scorecards/campaigns/${gold.body.id}`)
        .set('Authorization', as(ADMIN));
      expect(deleted.status).toBe(204);
    });

    it('is ended only by an admin, audited either way, and then gone', async () => {
      const refused = await server
        .delete(`/api/scorecards/campaigns/${campaign.id}`)
        .set('Authorization', as(MEMBER));
      expect(refused.status).toBe(403);
      expect(
        (await server.get(`/api/scorecards/campaigns/${campaign.id}`)).status,
      ).toBe(200);

      const deleted = await server
        .delete(`/api/scorecards/campaigns/${campaign.id}`)
        .set('Authorization', as(ADMIN));
      expect(deleted.status).toBe(204);
      expect(audited).toEqual([
        {
          eventId: 'campaign-delete',
          outcome: 'fail',
          meta: { id: campaign.id },
          error: 'Only platform admins may end a campaign',
        },
        {
          eventId: 'campaign-delete',
          outcome: 'success',
          meta: {
            id: campaign.id,
            title: campaign.title,
            targetLevel: 'Silver',
          },
        },
      ]);

      const gone = await server.get(`/api/scorecards/campaigns/${campaign.id}`);
      expect(gone.status).toBe(404);
      expect(gone.body.error.message).toBe(`No campaign ${campaign.id}`);
      const again = await server
        .delete(`/api/scorecards/campaigns/${campaign.id}`)
        .set('Authorization', as(ADMIN));
      expect(again.status).toBe(404);
    });
  });

  it('audits a created campaign with its id, title and target', async () => {
    const res = await create(silverInProduction);
    expect(res.status).toBe(201);
    expect(audited).toEqual([
      {
        eventId: 'campaign-create',
        outcome: 'success',
        meta: {
          id: res.body.id,
          title: silverInProduction.title,
          targetLevel: 'Silver',
        },
      },
    ]);
  });

  it('answers a malformed campaign id with a 400 naming it', async () => {
    const res = await server.get('/api/scorecards/campaigns/not-a-campaign');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/id must be a campaign id/);
  });
});
