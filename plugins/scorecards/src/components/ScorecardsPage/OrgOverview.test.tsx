import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderScorecardsPage } from '../../__testUtils__/renderScorecardsPage';
import { FakeScorecardsApi } from '../../testing/fakes';
import { summary } from '../../testing/fixtures';

// Backstage's Table (material-table) takes seconds to first render in jsdom on a shared CPU.
jest.setTimeout(20_000);
const slowRender = { timeout: 8_000 };

const levelOrder = ['none', 'Bronze', 'Silver', 'Gold'];

function fakeApi() {
  const api = new FakeScorecardsApi();
  api.entities = {
    levelOrder,
    entities: [
      summary({
        entityRef: 'component:default/cart',
        title: 'Cart',
        level: 'Gold',
        passed: 9,
        failed: 0,
      }),
      summary({
        entityRef: 'component:default/checkout',
        title: 'Checkout',
        level: 'Bronze',
      }),
      summary({
        entityRef: 'component:default/payments',
        title: 'Payments',
        ownerRef: 'group:default/team-payments',
        systemRef: 'system:default/payments',
        lifecycle: 'experimental',
        level: null,
        passed: 1,
        failed: 6,
      }),
    ],
  };
  api.ownerRollUps = {
    levelOrder,
    rollUps: [
      {
        entityRef: 'group:default/team-payments',
        total: 2,
        levels: { Bronze: 1, Silver: 1 },
      },
      {
        entityRef: 'group:default/team-shop',
        total: 4,
        levels: { Gold: 1, Silver: 1, Bronze: 1, none: 1 },
      },
      { entityRef: 'group:default/team-search', total: 1, levels: { Gold: 1 } },
    ],
  };
  api.orgHistory = {
    days: [
      { day: '2026-01-01', levels: { none: 2, Bronze: 1 } },
      { day: '2026-01-02', levels: { none: 1, Bronze: 1, Gold: 1 } },
    ],
  };
  return api;
}

describe('OrgOverview', () => {
  it('lists every scored service with owner, system, lifecycle, level and checks, linking to its Scorecard tab', async () => {
    await renderScorecardsPage('/scorecards', { api: fakeApi() });

    const cart = (
      await screen.findByRole('link', { name: 'Cart' }, slowRender)
    ).closest('tr')!;
    expect(screen.getByRole('link', { name: 'Cart' })).toHaveAttribute(
      'href',
      '/catalog/default/component/cart/scorecard',
    );
    const cells = within(cart);
    expect(cells.getByRole('link', { name: 'team-shop' })).toHaveAttribute(
      'href',
      '/catalog/default/group/team-shop',
    );
    expect(cells.getByText('shop')).toBeInTheDocument();
    expect(cells.getByText('production')).toBeInTheDocument();
    expect(cells.getByLabelText('Level: Gold')).toBeInTheDocument();
    expect(cells.getByLabelText('9 passed, 0 failed')).toBeInTheDocument();
    expect(cells.getByText('5 minutes ago')).toBeInTheDocument();
    expect(
      within(screen.getByRole('list', { name: 'Services per level' }))
        .getAllByRole('listitem')
        .map(item => item.getAttribute('aria-label')),
    ).toEqual(['Gold: 1', 'Silver: 0', 'Bronze: 1', 'No level: 1']);
  });

  it('narrows the table and the counts to the chosen owner', async () => {
    const api = fakeApi();
    await renderScorecardsPage('/scorecards', { api });
    await screen.findByRole('link', { name: 'Cart' }, slowRender);

    await userEvent.click(screen.getByRole('textbox', { name: 'Owner' }));
    await userEvent.click(
      await screen.findByRole('option', { name: 'team-payments' }),
    );

    await waitFor(
      () => expect(screen.queryByRole('link', { name: 'Cart' })).toBeNull(),
      slowRender,
    );
    expect(screen.getByRole('link', { name: 'Payments' })).toBeInTheDocument();
    expect(screen.getByLabelText('No level: 1')).toBeInTheDocument();
    expect(screen.getByLabelText('Gold: 0')).toBeInTheDocument();
    expect(api.entityFilters).toContainEqual({
      owner: ['group:default/team-payments'],
    });
  });

  it('ranks teams by their share at the top level, then above the first level', async () => {
    await renderScorecardsPage('/scorecards', { api: fakeApi() });

    const board = await screen.findByRole('table', {
      name: 'Team leaderboard',
    });
    const rows = within(board).getAllByRole('row').slice(1);
    expect(
      rows.map(row =>
        Array.from(row.querySelectorAll('td')).map(c => c.textContent),
      ),
    ).toEqual([
      ['1', 'team-search', '1', '100%', '100%'],
      ['2', 'team-shop', '4', '25%', '50%'],
      ['3', 'team-payments', '2', '0%', '50%'],
    ]);
  });

  it("offers the trend as a table whose last point is today's scores", async () => {
    await renderScorecardsPage('/scorecards', { api: fakeApi() });

    const table = await screen.findByRole('table', {
      name: 'Services per level by day',
    });
    const rows = within(table).getAllByRole('row');
    expect(rows.map(row => row.textContent)).toEqual([
      'DayNo levelBronzeSilverGold',
      '2026-01-012100',
      '2026-01-021101',
      `${new Date().toISOString().slice(0, 10)}1101`,
    ]);
  });
});
