import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderForEntity } from '../../__testUtils__/renderEntity';
import { FakeScorecardsApi, responseError } from '../../testing/fakes';
import { bronzeCart, silverCart } from '../../testing/fixtures';
import { ScorecardContent } from './ScorecardContent';

function levelSection(name: RegExp) {
  return within(screen.getByRole('region', { name }));
}

describe('ScorecardContent', () => {
  it('groups the checks by level, saying which levels are reached, with outcomes, facts and fixes', async () => {
    const api = new FakeScorecardsApi();
    api.scorecard = {
      ...bronzeCart,
      checks: bronzeCart.checks.map(c =>
        c.id === 'codeowners' ? { ...c, stale: true } : c,
      ),
    };
    await renderForEntity(<ScorecardContent />, { api });

    await screen.findByRole('region', { name: 'Bronze — reached' });
    const bronze = levelSection(/^Bronze/);
    expect(
      bronze.getByRole('row', { name: 'Owned by a group' }),
    ).toBeInTheDocument();
    expect(bronze.getByLabelText('Outcome: Pass')).toBeInTheDocument();
    expect(bronze.getByText('ownerIsGroup: true')).toBeInTheDocument();

    const silver = levelSection(/^Silver — not reached/);
    const codeowners = within(silver.getByRole('row', { name: 'CODEOWNERS' }));
    expect(codeowners.getByLabelText('Outcome: Fail')).toBeInTheDocument();
    expect(codeowners.getByLabelText('Facts: Stale')).toBeInTheDocument();
    expect(
      codeowners.getByText('githubRepositoryFactRetriever'),
    ).toBeInTheDocument();
    expect(codeowners.getByText('hasCodeowners: false')).toBeInTheDocument();
    expect(codeowners.getByText(/Add .github\/CODEOWNERS/)).toBeInTheDocument();
    const ci = within(silver.getByRole('row', { name: 'CI workflow' }));
    expect(ci.getByLabelText('Outcome: Unknown')).toBeInTheDocument();
    expect(ci.getByText('No facts collected yet')).toBeInTheDocument();

    const gold = levelSection(/^Gold — not reached/);
    expect(gold.getByLabelText('Outcome: Pass')).toBeInTheDocument();
    expect(gold.queryByText('Add a LICENSE file.')).toBeNull();
  });

  it('replaces the shown scorecard with the answer of a re-run', async () => {
    const api = new FakeScorecardsApi();
    api.scorecard = bronzeCart;
    api.rerunAnswer = silverCart;
    await renderForEntity(<ScorecardContent />, { api });
    expect(await screen.findByLabelText('Level: Bronze')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Re-run' }));

    expect(await screen.findByLabelText('Level: Silver')).toBeInTheDocument();
    expect(
      screen.getByRole('region', { name: 'Silver — reached' }),
    ).toBeInTheDocument();
    expect(api.reruns).toEqual([
      { kind: 'Component', namespace: 'default', name: 'cart' },
    ]);
    expect(screen.getByRole('button', { name: 'Re-run' })).toBeEnabled();
  });

  it("keeps the scorecard and shows the server's reason when a re-run is refused", async () => {
    const api = new FakeScorecardsApi();
    api.scorecard = bronzeCart;
    api.rerunAnswer = await responseError(
      403,
      'NotAllowedError',
      'Only the owners of component:default/cart may re-run its scorecard',
    );
    await renderForEntity(<ScorecardContent />, { api });

    await userEvent.click(
      await screen.findByRole('button', { name: 'Re-run' }),
    );

    expect(
      await screen.findByText(
        'Only the owners of component:default/cart may re-run its scorecard',
      ),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('Level: Bronze')).toBeInTheDocument();
  });

  it('disables Re-run while the entity is being scored', async () => {
    const api = new FakeScorecardsApi();
    api.scorecard = bronzeCart;
    let answer: (scorecard: typeof silverCart) => void = () => {};
    api.rerunEntity = () =>
      new Promise(resolve => {
        answer = resolve;
      });
    await renderForEntity(<ScorecardContent />, { api });

    await userEvent.click(
      await screen.findByRole('button', { name: 'Re-run' }),
    );

    expect(screen.getByRole('button', { name: 'Re-run' })).toBeDisabled();
    answer(silverCart);
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Re-run' })).toBeEnabled(),
    );
  });

  it("offers the level history as a table: each day's level", async () => {
    const api = new FakeScorecardsApi();
    api.scorecard = bronzeCart;
    api.entityHistory = {
      entityRef: 'component:default/cart',
      days: [
        { day: '2026-12-04', level: null, passed: 1, failed: 3, unknown: 0 },
        {
          day: '2026-12-05',
          level: 'Bronze',
          passed: 2,
          failed: 1,
          unknown: 1,
        },
      ],
    };
    await renderForEntity(<ScorecardContent />, { api });

    const table = await screen.findByRole('table', { name: 'Level by day' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map(row => row.textContent)).toEqual([
      '2026-12-04No level130',
      '2026-12-05Bronze211',
    ]);
  });
});
