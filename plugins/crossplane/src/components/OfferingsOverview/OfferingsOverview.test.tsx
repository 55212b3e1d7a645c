import { screen, within } from '@testing-library/react';
import { FakeCrossplaneApi, serverError } from '../../testing/fakes';
import {
  bucketOffering,
  infrastructureRequest,
  postgresOffering,
} from '../../testing/fixtures';
import { renderInfrastructure } from '../../__testUtils__/renderInfrastructure';

function fakeApi() {
  const api = new FakeCrossplaneApi();
  api.offerings = {
    offerings: [postgresOffering, bucketOffering],
    clusters: [
      { name: 'dev-eu', title: 'Development EU', status: 'ready' },
      {
        name: 'prod-eu',
        title: 'Production EU',
        status: 'error',
        error: 'connect ETIMEDOUT',
      },
    ],
  };
  api.setList({ mine: true }, [infrastructureRequest()]);
  api.approvals = {
    requests: [
      infrastructureRequest({ id: 'a1', status: 'awaiting-approval' }),
      infrastructureRequest({ id: 'a2', status: 'awaiting-approval' }),
    ],
    mayApprove: true,
  };
  return api;
}

describe('OfferingsOverview', () => {
  it('shows a card per offering with a Request button, and each cluster in error', async () => {
    await renderInfrastructure('/infrastructure', { api: fakeApi() });

    const postgres = within(
      await screen.findByRole('region', { name: 'PostgreSQL database' }),
    );
    expect(
      postgres.getByText('A managed PostgreSQL database with daily backups.'),
    ).toBeInTheDocument();
    expect(
      postgres.getByText('PostgreSQLInstance (platform.paved.dev/v1alpha1)'),
    ).toBeInTheDocument();
    expect(postgres.getByText('prod-eu')).toBeInTheDocument();
    expect(postgres.getByRole('button', { name: 'Request' })).toHaveAttribute(
      'href',
      '/infrastructure/request/postgresqlinstances.platform.paved.dev',
    );
    expect(
      screen.getByRole('region', { name: 'Object storage bucket' }),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Production EU (prod-eu): connect ETIMEDOUT'),
    ).toBeInTheDocument();
  });

  it("lists the team's requests, each linking to its page", async () => {
    await renderInfrastructure('/infrastructure', { api: fakeApi() });

    const row = (
      await screen.findByRole('link', { name: 'payments-db' })
    ).closest('tr')!;
    expect(
      within(row).getByRole('link', { name: 'payments-db' }),
    ).toHaveAttribute('href', '/infrastructure/requests/req-1');
    expect(within(row).getByText('development')).toBeInTheDocument();
    expect(within(row).getByText('payments-service')).toBeInTheDocument();
    expect(within(row).getByLabelText('Status: Ready')).toBeInTheDocument();
    expect(screen.getByText("Your team's requests")).toBeInTheDocument();
  });

  it('links approvers to the inbox with the number waiting', async () => {
    await renderInfrastructure('/infrastructure', { api: fakeApi() });

    expect(
      await screen.findByRole('button', { name: 'Approvals (2)' }),
    ).toHaveAttribute('href', '/infrastructure/approvals');
  });

  it('shows no approvals link to others, and the server’s message when offerings cannot be read', async () => {
    const api = fakeApi();
    api.approvals = { requests: [], mayApprove: false };
    api.offerings = await serverError(403, 'Forbidden', {
      name: 'NotAllowedError',
      message: 'You may not see the offerings (crossplane.offering.read)',
    });
    await renderInfrastructure('/infrastructure', { api });

    expect(
      await screen.findByText(
        /Request failed with 403 Forbidden: You may not see the offerings/,
      ),
    ).toBeInTheDocument();
    await screen.findByRole('link', { name: 'payments-db' });
    expect(screen.queryByRole('button', { name: /^Approvals/ })).toBeNull();
  });
});
