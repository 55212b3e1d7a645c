import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { REQUEST_SIGNAL_CHANNEL } from '@paved/plugin-crossplane-common';
import { FakeCrossplaneApi, serverError } from '../../testing/fakes';
import { infrastructureRequest, readyResource } from '../../testing/fixtures';
import { renderInfrastructure } from '../../__testUtils__/renderInfrastructure';

const requestPath = '/infrastructure/requests/req-1';

function step(key: string) {
  return screen.getByTestId(`timeline-step-${key}`);
}

function timelineLabels() {
  return within(screen.getByLabelText('Timeline'))
    .getAllByTestId(/^timeline-step-/)
    .map(element => [
      element.getAttribute('data-testid')!.replace('timeline-step-', ''),
      element.getAttribute('data-state'),
    ]);
}

function resourcePanel() {
  return screen.findByRole('region', { name: 'Resource' });
}

describe('RequestPage', () => {
  it('shows a ready request’s header and its timeline up to Ready, credentials still to come', async () => {
    const api = new FakeCrossplaneApi();
    api.requests.set('req-1', infrastructureRequest());
    api.resources.set('req-1', readyResource);
    await renderInfrastructure(requestPath, { api });

    expect(
      await screen.findByRole('heading', {
        name: 'PostgreSQLInstance payments-db',
      }),
    ).toBeInTheDocument();
    expect(screen.getAllByLabelText('Status: Ready')).not.toHaveLength(0);
    expect(screen.getByText('payments-service').closest('a')).toHaveAttribute(
      'href',
      '/catalog/default/component/payments-service',
    );

    expect(timelineLabels()).toEqual([
      ['submitted', 'done'],
      ['queued', 'done'],
      ['created', 'done'],
      ['synced', 'done'],
      ['ready', 'done'],
      ['credentials-available', 'active'],
    ]);
    expect(within(step('queued')).getByText('Queued')).toBeInTheDocument();
    expect(within(step('ready')).getByText('Available')).toBeInTheDocument();
    expect(
      within(step('ready'))
        .getByText((_, element) => element?.tagName === 'TIME')
        .getAttribute('datetime'),
    ).toBe('2026-11-25T09:06:00.000Z');
    expect(within(step('submitted')).getByText('jane')).toBeInTheDocument();
  });

  it('shows approval as a step, and a failure as an error step with the delivery message', async () => {
    const api = new FakeCrossplaneApi();
    api.requests.set(
      'req-1',
      infrastructureRequest({
        environment: 'production',
        status: 'failed',
        message: 'composition "postgres-aws" not found',
        approval: {
          decision: 'approved',
          by: 'user:default/ada',
          at: '2026-11-25T09:10:00.000Z',
          comment: 'Fine for launch',
        },
        events: [
          { status: 'awaiting-approval', at: '2026-11-25T09:00:00.000Z' },
          {
            status: 'queued',
            at: '2026-11-25T09:10:00.000Z',
            actor: 'user:default/ada',
          },
          {
            status: 'failed',
            at: '2026-11-25T09:11:00.000Z',
            message: 'composition "postgres-aws" not found',
          },
        ],
      }),
    );
    api.resources.set('req-1', {
      exists: false,
      conditions: [],
      composed: [],
      events: [],
    });
    await renderInfrastructure(requestPath, { api });

    await screen.findByLabelText('Timeline');
    expect(timelineLabels()).toEqual([
      ['submitted', 'done'],
      ['awaiting-approval', 'done'],
      ['queued', 'done'],
      ['failed', 'error'],
      ['created', 'pending'],
      ['synced', 'pending'],
      ['ready', 'pending'],
      ['credentials-available', 'pending'],
    ]);
    expect(within(step('queued')).getByText('Approved')).toBeInTheDocument();
    expect(
      within(step('queued')).getByText('Fine for launch'),
    ).toBeInTheDocument();
    expect(
      within(step('failed')).getByText('composition "postgres-aws" not found'),
    ).toBeInTheDocument();
    expect(
      screen.getByText((_, element) =>
        Boolean(
          element?.getAttribute('role') === 'alert' &&
            element.textContent?.startsWith('Approved by'),
        ),
      ),
    ).toHaveTextContent('Approved by ada: “Fine for launch”');
  });

  it('shows a request delivered through GitOps with its pull request linked, merged and waiting for Argo CD', async () => {
    const api = new FakeCrossplaneApi();
    const pullRequest = {
      repository: 'https://github.com/acme/platform-gitops',
      number: 17,
      url: 'https://github.com/acme/platform-gitops/pull/17',
    };
    api.requests.set(
      'req-1',
      infrastructureRequest({
        status: 'merged',
        pullRequest,
        events: [
          { status: 'queued', at: '2026-11-25T09:00:00.000Z' },
          {
            status: 'pr-opened',
            at: '2026-11-25T09:00:05.000Z',
            message: 'Pull request #17 opened in acme/platform-gitops',
          },
          {
            status: 'merged',
            at: '2026-11-25T09:20:00.000Z',
            message:
              'Pull request #17 merged by user alice; waiting for Argo CD to apply it',
          },
        ],
      }),
    );
    api.resources.set('req-1', {
      exists: false,
      conditions: [],
      composed: [],
      events: [],
    });
    await renderInfrastructure(requestPath, { api });

    await screen.findByLabelText('Timeline');
    expect(timelineLabels()).toEqual([
      ['submitted', 'done'],
      ['queued', 'done'],
      ['pr-opened', 'done'],
      ['merged', 'done'],
      ['created', 'active'],
      ['synced', 'pending'],
      ['ready', 'pending'],
      ['credentials-available', 'pending'],
    ]);
    expect(
      within(step('pr-opened')).getByText('Pull request opened'),
    ).toBeInTheDocument();
    expect(
      within(step('pr-opened')).getByRole('link', {
        name: /^Pull request #17/,
      }),
    ).toHaveAttribute('href', pullRequest.url);
    expect(within(step('merged')).getByText('Merged')).toBeInTheDocument();
    expect(
      within(step('merged')).getByText(
        'Pull request #17 merged by user alice; waiting for Argo CD to apply it',
      ),
    ).toBeInTheDocument();
    expect(screen.getAllByLabelText('Status: Merged')).not.toHaveLength(0);
  });

  it('ends a rejected request’s timeline at the rejection with the approver’s comment', async () => {
    const api = new FakeCrossplaneApi();
    api.requests.set(
      'req-1',
      infrastructureRequest({
        status: 'rejected',
        approval: {
          decision: 'rejected',
          by: 'user:default/ada',
          at: '2026-11-25T09:10:00.000Z',
          comment: 'Use the shared instance',
        },
        events: [
          { status: 'awaiting-approval', at: '2026-11-25T09:00:00.000Z' },
          { status: 'rejected', at: '2026-11-25T09:10:00.000Z' },
        ],
      }),
    );
    api.resources.set('req-1', readyResource);
    await renderInfrastructure(requestPath, { api });

    await screen.findByLabelText('Timeline');
    expect(timelineLabels()).toEqual([
      ['submitted', 'done'],
      ['awaiting-approval', 'done'],
      ['rejected', 'error'],
    ]);
    expect(
      within(step('rejected')).getByText('Use the shared instance'),
    ).toBeInTheDocument();
  });

  it('shows conditions, composed resources, Events and the Secret’s keys, never values', async () => {
    const api = new FakeCrossplaneApi();
    api.requests.set(
      'req-1',
      infrastructureRequest({ status: 'credentials-available' }),
    );
    api.resources.set('req-1', readyResource);
    await renderInfrastructure(requestPath, { api });

    const panel = await resourcePanel();
    const ready = (await within(panel).findByLabelText('Ready: True')).closest(
      'li',
    )!;
    expect(within(ready).getByText('Available')).toBeInTheDocument();
    expect(
      within(ready).getByText('All composed resources are ready'),
    ).toBeInTheDocument();
    expect(within(panel).getByLabelText('Synced: True')).toBeInTheDocument();
    expect(
      within(panel).getByText(/Instance\s+payments-db-x7k2p/),
    ).toBeInTheDocument();
    const event = within(
      within(panel).getByRole('table', { name: 'Kubernetes events' }),
    )
      .getByText('ComposeResources')
      .closest('tr')!;
    expect(
      within(event).getByText('Successfully composed resources'),
    ).toBeInTheDocument();
    expect(
      within(panel).getByText(
        'team-payments/payments-db-conn, with keys: host, password, username.',
      ),
    ).toBeInTheDocument();
    expect(
      within(panel).getByText(/values are in the Secret .* never shown/),
    ).toBeInTheDocument();
  });

  it('keeps a cluster’s failure inside the Resource panel', async () => {
    const api = new FakeCrossplaneApi();
    api.requests.set('req-1', infrastructureRequest());
    api.resources.set('req-1', {
      exists: false,
      conditions: [],
      composed: [],
      events: [],
      error: 'cluster dev-eu is unreachable: connect ECONNREFUSED',
    });
    await renderInfrastructure(requestPath, { api });

    expect(
      await within(await resourcePanel()).findByText(
        'cluster dev-eu is unreachable: connect ECONNREFUSED',
      ),
    ).toBeInTheDocument();
    expect(timelineLabels()).toContainEqual(['ready', 'done']);
    expect(
      screen.getByRole('heading', { name: 'PostgreSQLInstance payments-db' }),
    ).toBeInTheDocument();
  });

  it('keeps a failed call for the resource inside the panel too', async () => {
    const api = new FakeCrossplaneApi();
    api.requests.set('req-1', infrastructureRequest());
    api.resources.set(
      'req-1',
      await serverError(500, 'Internal Server Error', {
        name: 'Error',
        message: 'kube-apiserver timed out',
      }),
    );
    await renderInfrastructure(requestPath, { api });

    expect(
      await within(await resourcePanel()).findByText(
        'The resource cannot be read: kube-apiserver timed out',
      ),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('Timeline')).toBeInTheDocument();
  });

  it('refetches the request and its resource when a signal names this request, not another', async () => {
    const api = new FakeCrossplaneApi();
    api.requests.set('req-1', infrastructureRequest({ status: 'synced' }));
    api.resources.set('req-1', readyResource);
    const { signals } = await renderInfrastructure(requestPath, { api });
    await screen.findByLabelText('Timeline');
    expect(screen.getAllByLabelText('Status: Synced')).not.toHaveLength(0);

    act(() =>
      signals.publish(REQUEST_SIGNAL_CHANNEL, {
        id: 'req-2',
        status: 'ready',
        entityRef: 'component:default/payments-service',
      }),
    );
    await new Promise(resolve => setTimeout(resolve, 50));
    expect(api.callsOf('getRequest')).toBe(1);

    api.requests.set('req-1', infrastructureRequest({ status: 'ready' }));
    act(() =>
      signals.publish(REQUEST_SIGNAL_CHANNEL, {
        id: 'req-1',
        status: 'ready',
        entityRef: 'component:default/payments-service',
      }),
    );

    expect(await screen.findByLabelText('Status: Ready')).toBeInTheDocument();
    expect(api.callsOf('getRequest')).toBe(2);
    await waitFor(() => expect(api.callsOf('getRequestResource')).toBe(2));
  });

  it('lets an approver approve, and shows the server’s refusal', async () => {
    const api = new FakeCrossplaneApi();
    const awaiting = infrastructureRequest({
      status: 'awaiting-approval',
      events: [{ status: 'awaiting-approval', at: '2026-11-25T09:00:00.000Z' }],
    });
    api.requests.set('req-1', awaiting);
    api.resources.set('req-1', {
      exists: false,
      conditions: [],
      composed: [],
      events: [],
    });
    api.approvals = { requests: [awaiting], mayApprove: true };
    api.decisionAnswer = await serverError(403, 'Forbidden', {
      name: 'NotAllowedError',
      message: 'You cannot approve your own request',
    });
    await renderInfrastructure(requestPath, { api });

    await screen.findByLabelText('Timeline');
    expect(timelineLabels()).toEqual([
      ['submitted', 'done'],
      ['awaiting-approval', 'active'],
      ['queued', 'pending'],
      ['created', 'pending'],
      ['synced', 'pending'],
      ['ready', 'pending'],
      ['credentials-available', 'pending'],
    ]);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Approve' }),
    );

    expect(
      await screen.findByText('You cannot approve your own request'),
    ).toBeInTheDocument();
    expect(api.approved).toEqual([{ id: 'req-1', comment: undefined }]);
  });

  it('shows no decision buttons to people who may not approve', async () => {
    const api = new FakeCrossplaneApi();
    const awaiting = infrastructureRequest({
      status: 'awaiting-approval',
      events: [{ status: 'awaiting-approval', at: '2026-11-25T09:00:00.000Z' }],
    });
    api.requests.set('req-1', awaiting);
    api.resources.set('req-1', readyResource);
    api.approvals = { requests: [awaiting], mayApprove: false };
    await renderInfrastructure(requestPath, { api });

    expect(
      await screen.findByText(/Waiting for an approver/),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Approve' })).toBeNull();
  });
});
