import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { CampaignProgress } from '@paved/plugin-scorecards-common';
import { DateTime } from 'luxon';
import { renderScorecardsPage } from '../../__testUtils__/renderScorecardsPage';
import { FakeScorecardsApi, responseError } from '../../testing/fakes';
import { summary } from '../../testing/fixtures';

// The first render of the page and its lazily checked permissions takes a while in jsdom.
jest.setTimeout(20_000);
const slowRender = { timeout: 8_000 };

// Relative to today, so the days left read the same whenever the test runs.
const inTwelveDays = DateTime.utc().plus({ days: 12 }).toISODate()!;
const threeDaysAgo = DateTime.utc().minus({ days: 3 }).toISODate()!;

const silverByMarch: CampaignProgress = {
  id: 'c-1',
  title: 'Production services Silver',
  description: 'Every production service reviewed and owned.',
  targetLevel: 'Silver',
  deadline: inTwelveDays,
  scope: { lifecycle: ['production'] },
  createdBy: 'user:default/ada',
  createdAt: '2026-11-01T10:00:00Z',
  total: 10,
  reached: 7,
  teams: [
    {
      ownerRef: 'group:default/team-payments',
      total: 4,
      reached: 2,
      behind: [
        { entityRef: 'component:default/payments', level: 'Bronze' },
        { entityRef: 'component:default/ledger', level: null },
      ],
    },
    {
      ownerRef: 'group:default/team-shop',
      total: 6,
      reached: 5,
      behind: [{ entityRef: 'component:default/cart', level: 'Bronze' }],
    },
  ],
  blockingChecks: [
    {
      id: 'codeowners',
      title: 'CODEOWNERS',
      level: 'Silver',
      entities: 3,
      remediation: {
        text: 'Add .github/CODEOWNERS.',
        url: 'https://docs.github.com/codeowners',
      },
    },
    {
      id: 'has-owner',
      title: 'Owned by a group',
      level: 'Bronze',
      entities: 1,
      remediation: { text: 'Set spec.owner to a group.' },
    },
  ],
};

function fakeApi() {
  const api = new FakeScorecardsApi();
  const { teams, blockingChecks, ...summaryOnly } = silverByMarch;
  api.campaigns = [
    summaryOnly,
    {
      ...summaryOnly,
      id: 'c-2',
      title: 'Everything Bronze',
      targetLevel: 'Bronze',
      deadline: threeDaysAgo,
      scope: {},
      total: 4,
      reached: 1,
    },
  ];
  api.campaignProgress.set('c-1', silverByMarch);
  api.entities = {
    levelOrder: ['none', 'Bronze', 'Silver', 'Gold'],
    entities: [
      summary({ lifecycle: 'production' }),
      summary({
        entityRef: 'component:default/lab',
        lifecycle: 'experimental',
      }),
    ],
  };
  return api;
}

describe('Campaigns', () => {
  it('lists campaigns with their progress and time left or overdue', async () => {
    await renderScorecardsPage('/scorecards/campaigns', { api: fakeApi() });

    const silver = within(
      await screen.findByRole('listitem', {
        name: 'Production services Silver',
      }),
    );
    expect(
      silver.getByRole('progressbar', {
        name: 'Progress of Production services Silver',
      }),
    ).toHaveAttribute('aria-valuenow', '70');
    expect(
      silver.getByText('7 of 10 at Silver or above (70%)'),
    ).toBeInTheDocument();
    expect(
      silver.getByText(`By ${inTwelveDays} · 12 days left`),
    ).toBeInTheDocument();
    expect(
      silver.getByRole('link', { name: 'Production services Silver' }),
    ).toHaveAttribute('href', '/scorecards/campaigns/c-1');

    const bronze = within(
      screen.getByRole('listitem', { name: 'Everything Bronze' }),
    );
    expect(
      bronze.getByText(`By ${threeDaysAgo} · 3 days overdue`),
    ).toBeInTheDocument();
  });

  it('shows a campaign with the teams behind, their services below target, and the blocking checks', async () => {
    await renderScorecardsPage('/scorecards/campaigns/c-1', { api: fakeApi() });

    const teams = within(
      await screen.findByRole('table', { name: 'Teams behind' }),
    );
    const payments = within(
      teams.getByRole('link', { name: 'team-payments' }).closest('tr')!,
    );
    expect(payments.getByText('2 of 4')).toBeInTheDocument();
    expect(payments.getByRole('link', { name: 'payments' })).toHaveAttribute(
      'href',
      '/catalog/default/component/payments/scorecard',
    );
    expect(payments.getByLabelText('Level: No level')).toBeInTheDocument();
    const shop = within(
      teams.getByRole('link', { name: 'team-shop' }).closest('tr')!,
    );
    expect(shop.getByRole('link', { name: 'cart' })).toBeInTheDocument();

    const checks = within(
      screen.getByRole('list', { name: 'Blocking checks' }),
    );
    expect(
      checks.getByText('CODEOWNERS (Silver) — 3 services'),
    ).toBeInTheDocument();
    expect(checks.getByText('Add .github/CODEOWNERS.')).toBeInTheDocument();
    expect(
      checks.getByText('Owned by a group (Bronze) — 1 service'),
    ).toBeInTheDocument();
    expect(screen.getByText(/Scope: lifecycle production/)).toBeInTheDocument();
  });

  it('offers New campaign and End campaign only to those allowed', async () => {
    const { permissionsAsked } = await renderScorecardsPage(
      '/scorecards/campaigns',
      { api: fakeApi(), admin: false },
    );

    await screen.findByRole('listitem', { name: 'Production services Silver' });
    await waitFor(() =>
      expect(permissionsAsked).toEqual(
        expect.arrayContaining([
          'scorecards.campaign.create',
          'scorecards.campaign.delete',
        ]),
      ),
    );
    // Let the refusals reach the page before looking for what they hide.
    await act(async () => {});
    expect(screen.queryByRole('button', { name: 'New campaign' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'End campaign' })).toBeNull();
  });

  async function fillNewCampaign() {
    // Without the pause between keystrokes that a person needs and a test does not.
    const user = userEvent.setup({ delay: null });
    await user.click(
      await screen.findByRole('button', { name: 'New campaign' }, slowRender),
    );
    const dialog = within(
      await screen.findByRole('dialog', { name: 'New campaign' }),
    );
    await user.type(
      dialog.getByRole('textbox', { name: /Title/ }),
      'Gold for payments',
    );
    await user.click(dialog.getByRole('button', { name: /Target level/ }));
    await user.click(await screen.findByRole('option', { name: 'Gold' }));
    await user.type(dialog.getByLabelText(/Deadline/), '2027-03-01');
    await user.click(dialog.getByRole('textbox', { name: 'Lifecycle' }));
    await user.click(await screen.findByRole('option', { name: 'production' }));
    return dialog;
  }

  it('creates a campaign from the form and lists it', async () => {
    const api = fakeApi();
    api.createAnswer = {
      ...silverByMarch,
      id: 'c-3',
      title: 'Gold for payments',
    };
    await renderScorecardsPage('/scorecards/campaigns', { api, admin: true });

    const dialog = await fillNewCampaign();
    await userEvent.click(
      dialog.getByRole('button', { name: 'Create campaign' }),
    );

    await waitFor(
      () => expect(screen.queryByRole('dialog')).toBeNull(),
      slowRender,
    );
    expect(api.created).toEqual([
      {
        title: 'Gold for payments',
        targetLevel: 'Gold',
        deadline: '2027-03-01',
        scope: { lifecycle: ['production'] },
      },
    ]);
  });

  it("keeps the form and shows the server's reason when it refuses the campaign", async () => {
    const api = fakeApi();
    api.createAnswer = await responseError(
      400,
      'InputError',
      'deadline: must be a date after today',
    );
    await renderScorecardsPage('/scorecards/campaigns', { api, admin: true });

    const dialog = await fillNewCampaign();
    await userEvent.click(
      dialog.getByRole('button', { name: 'Create campaign' }),
    );

    expect(
      await dialog.findByText(
        'The campaign was not created: deadline: must be a date after today',
      ),
    ).toBeInTheDocument();
    expect(dialog.getByRole('textbox', { name: /Title/ })).toHaveValue(
      'Gold for payments',
    );
  });

  it('says clearly when the server does not allow the caller to create campaigns', async () => {
    const api = fakeApi();
    api.createAnswer = await responseError(
      403,
      'NotAllowedError',
      'Only platform admins may create campaigns',
    );
    await renderScorecardsPage('/scorecards/campaigns', { api, admin: true });

    const dialog = await fillNewCampaign();
    await userEvent.click(
      dialog.getByRole('button', { name: 'Create campaign' }),
    );

    expect(
      await dialog.findByText(
        'You may not create campaigns: Only platform admins may create campaigns',
      ),
    ).toBeInTheDocument();
  });

  it('ends a campaign after confirmation', async () => {
    const api = fakeApi();
    await renderScorecardsPage('/scorecards/campaigns', { api, admin: true });

    const item = within(
      await screen.findByRole('listitem', { name: 'Everything Bronze' }),
    );
    await userEvent.click(item.getByRole('button', { name: 'End campaign' }));
    const dialog = within(
      await screen.findByRole('dialog', { name: 'End Everything Bronze?' }),
    );
    await userEvent.click(dialog.getByRole('button', { name: 'End campaign' }));

    await waitFor(() => expect(api.deleted).toEqual(['c-2']), slowRender);
  });
});
