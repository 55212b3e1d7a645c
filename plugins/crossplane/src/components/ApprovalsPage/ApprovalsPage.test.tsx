import { act, screen, waitFor, within } from '@testing-library/react';
import { REQUEST_SIGNAL_CHANNEL } from '@paved/plugin-crossplane-common';
import userEvent from '@testing-library/user-event';
import { DateTime } from 'luxon';
import { FakeCrossplaneApi } from '../../testing/fakes';
import { infrastructureRequest } from '../../testing/fixtures';
import { renderInfrastructure } from '../../__testUtils__/renderInfrastructure';

const approvalsPath = '/infrastructure/approvals';

// Relative to now, so the age reads the same whenever the test runs.
const twoHoursAgo = DateTime.now().minus({ hours: 2, minutes: 5 }).toISO()!;

const awaiting = infrastructureRequest({
  id: 'req-7',
  environment: 'production',
  status: 'awaiting-approval',
  requestedBy: 'user:default/jane',
  parameters: { storageGB: 80, version: '16' },
  createdAt: twoHoursAgo,
  events: [{ status: 'awaiting-approval', at: twoHoursAgo }],
});

function fakeApi(mayApprove = true) {
  const api = new FakeCrossplaneApi();
  api.approvals = { requests: [awaiting], mayApprove };
  api.decisionAnswer = { ...awaiting, status: 'queued' };
  return api;
}

async function row() {
  return (await screen.findByRole('link', { name: 'payments-db' })).closest(
    'tr',
  )!;
}

describe('ApprovalsPage', () => {
  it('lists each awaiting request with requester, entity, offering, environment, parameters and age', async () => {
    await renderInfrastructure(approvalsPath, { api: fakeApi() });

    const cells = within(await row());
    expect(cells.getByRole('link', { name: 'payments-db' })).toHaveAttribute(
      'href',
      '/infrastructure/requests/req-7',
    );
    expect(cells.getByText('jane')).toBeInTheDocument();
    expect(cells.getByText('payments-service')).toBeInTheDocument();
    expect(cells.getByText('PostgreSQL database')).toBeInTheDocument();
    expect(cells.getByText('production')).toBeInTheDocument();
    expect(cells.getByText('storageGB: 80, version: 16')).toBeInTheDocument();
    expect(cells.getByText('2 hours ago')).toBeInTheDocument();
  });

  it('approves through the API and reloads the inbox', async () => {
    const api = fakeApi();
    await renderInfrastructure(approvalsPath, { api });

    await userEvent.click(
      within(await row()).getByRole('button', { name: 'Approve' }),
    );

    await waitFor(() =>
      expect(api.approved).toEqual([{ id: 'req-7', comment: undefined }]),
    );
    await waitFor(() => expect(api.callsOf('getApprovals')).toBe(2));
  });

  it('rejects only with a comment', async () => {
    const api = fakeApi();
    await renderInfrastructure(approvalsPath, { api });

    await userEvent.click(
      within(await row()).getByRole('button', { name: 'Reject' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Reject payments-db',
    });
    const confirm = within(dialog).getByRole('button', {
      name: 'Reject request',
    });
    expect(confirm).toBeDisabled();
    await userEvent.type(
      within(dialog).getByRole('textbox', { name: /Why is it rejected/ }),
      '   ',
    );
    expect(confirm).toBeDisabled();
    await userEvent.type(
      within(dialog).getByRole('textbox', { name: /Why is it rejected/ }),
      'Use the shared instance',
    );
    await userEvent.click(confirm);

    await waitFor(() =>
      expect(api.rejected).toEqual([
        { id: 'req-7', comment: 'Use the shared instance' },
      ]),
    );
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('keeps a Reject dialog open, with what was typed, while other requests change', async () => {
    const api = fakeApi();
    const { signals } = await renderInfrastructure(approvalsPath, { api });
    await userEvent.click(
      within(await row()).getByRole('button', { name: 'Reject' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Reject payments-db',
    });
    await userEvent.type(
      within(dialog).getByRole('textbox', { name: /Why is it rejected/ }),
      'Too large',
    );
    const loads = api.callsOf('getApprovals');
    act(() =>
      signals.publish(REQUEST_SIGNAL_CHANNEL, {
        id: 'req-other',
        status: 'ready',
        entityRef: 'component:default/orders-service',
      }),
    );
    await waitFor(() => expect(api.callsOf('getApprovals')).toBe(loads + 1));
    const still = await screen.findByRole('dialog', {
      name: 'Reject payments-db',
    });
    expect(
      within(still).getByRole('textbox', { name: /Why is it rejected/ }),
    ).toHaveValue('Too large');
  });

  it('says so when nothing awaits approval', async () => {
    const api = fakeApi();
    api.approvals = { requests: [], mayApprove: true };
    await renderInfrastructure(approvalsPath, { api });

    expect(
      await screen.findByText('No requests are waiting for approval.'),
    ).toBeInTheDocument();
  });

  it('tells people who may not approve why, without decision buttons', async () => {
    await renderInfrastructure(approvalsPath, { api: fakeApi(false) });

    expect(
      await screen.findByText(/You may not approve or reject requests/),
    ).toBeInTheDocument();
    expect(
      within(await row()).queryByRole('button', { name: 'Approve' }),
    ).toBeNull();
  });
});
