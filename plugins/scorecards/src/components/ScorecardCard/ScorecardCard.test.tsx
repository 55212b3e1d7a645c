import { screen, within } from '@testing-library/react';
import { renderForEntity } from '../../__testUtils__/renderEntity';
import { FakeScorecardsApi, responseError } from '../../testing/fakes';
import { bronzeCart } from '../../testing/fixtures';
import { ScorecardCard } from './ScorecardCard';

describe('ScorecardCard', () => {
  it('shows the level, when it was scored, and each check missing for the next level with its fix', async () => {
    const api = new FakeScorecardsApi();
    api.scorecard = bronzeCart;
    await renderForEntity(<ScorecardCard />, { api });

    expect(await screen.findByLabelText('Level: Bronze')).toHaveTextContent(
      'Bronze',
    );
    expect(screen.getByText('3 minutes ago')).toBeInTheDocument();
    expect(
      screen.getByText('Next: Silver — 2 checks missing'),
    ).toBeInTheDocument();
    const missing = within(
      screen.getByRole('list', { name: 'Missing for Silver' }),
    );
    expect(missing.getByText('CODEOWNERS')).toBeInTheDocument();
    expect(missing.getByText(/Add .github\/CODEOWNERS/)).toBeInTheDocument();
    expect(
      missing.getByText('CI workflow (not known yet)'),
    ).toBeInTheDocument();
    expect(
      missing
        .getAllByRole('link', { name: /How to fix/ })
        .map(link => link.getAttribute('href')),
    ).toEqual([
      'https://docs.github.com/codeowners',
      '/create/templates/default/ci-workflow',
    ]);
    // The fix-it action, with the service filled in by the backend.
    expect(
      missing.getByRole('link', {
        name: 'Open a pull request adding CODEOWNERS',
      }),
    ).toHaveAttribute(
      'href',
      '/create/templates/default/add-codeowners?formData=%7B%22entityRef%22%3A%22component%3Adefault%2Fcart%22%7D',
    );
    expect(screen.getByRole('link', { name: /All checks/ })).toHaveAttribute(
      'href',
      '/catalog/default/component/cart/scorecard',
    );
    expect(screen.queryByText(/could not be refreshed/)).toBeNull();
  });

  it('warns that a stale result may be out of date', async () => {
    const api = new FakeScorecardsApi();
    api.scorecard = { ...bronzeCart, stale: true };
    await renderForEntity(<ScorecardCard />, { api });

    expect(
      await screen.findByText(/could not be refreshed/),
    ).toBeInTheDocument();
  });

  it('says the component is not scored yet when the backend has no scorecard', async () => {
    const api = new FakeScorecardsApi();
    api.scorecard = await responseError(
      404,
      'NotFoundError',
      'component:default/cart has not been scored yet',
    );
    await renderForEntity(<ScorecardCard />, { api });

    expect(await screen.findByText('Not scored yet')).toBeInTheDocument();
  });

  it("shows the server's message when the scorecard cannot be read", async () => {
    const api = new FakeScorecardsApi();
    api.scorecard = await responseError(
      403,
      'NotAllowedError',
      'You may not read scorecards',
    );
    await renderForEntity(<ScorecardCard />, { api });

    expect(
      await screen.findByText(
        'Error: Request failed with 403 Forbidden: You may not read scorecards',
      ),
    ).toBeInTheDocument();
  });
});
