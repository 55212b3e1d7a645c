import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { REQUEST_SIGNAL_CHANNEL } from '@paved/plugin-crossplane-common';
import { crossplaneApiRef } from '../../api';
import { FakeCrossplaneApi, FakeSignalApi } from '../../testing/fakes';
import {
  bucketOffering,
  infrastructureRequest,
  liveResource,
  paymentsService,
  postgresOffering,
} from '../../testing/fixtures';
import { testRoutes } from '../../__testUtils__/renderInfrastructure';
import { EntityInfrastructureContent } from './EntityInfrastructureContent';

const paymentsRef = 'component:default/payments-service';

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
        error: 'certificate has expired',
      },
    ],
  };
  api.entityResources.set(paymentsRef, {
    resources: [
      liveResource(),
      liveResource({
        cluster: 'prod-eu',
        environment: 'production',
        name: 'payments-ledger',
        conditions: [
          {
            type: 'Synced',
            status: 'False',
            reason: 'ReconcileError',
            message: 'cannot compose resources',
          },
          { type: 'Ready', status: 'False', reason: 'Creating' },
        ],
        requestId: undefined,
        mayChange: false,
      }),
    ],
    clusters: [
      { name: 'dev-eu', environment: 'development', status: 'ready' },
      {
        name: 'prod-eu',
        environment: 'production',
        status: 'error',
        error: 'cluster prod-eu unreachable: connect ECONNREFUSED',
      },
    ],
  });
  api.setList({ entityRef: paymentsRef }, [
    infrastructureRequest({
      id: 'req-2',
      status: 'awaiting-approval',
      operation: 'delete',
    }),
    infrastructureRequest({
      id: 'req-1',
      resource: { ...infrastructureRequest().resource, name: 'payments-cache' },
    }),
  ]);
  return api;
}

async function renderContent(api: FakeCrossplaneApi, signals: FakeSignalApi) {
  return renderInTestApp(
    <EntityProvider entity={paymentsService}>
      <EntityInfrastructureContent />
    </EntityProvider>,
    {
      mountedRoutes: testRoutes,
      apis: [
        [crossplaneApiRef, api],
        [signalApiRef, signals],
      ],
    },
  );
}

describe('EntityInfrastructureContent', () => {
  it('shows the entity’s live resources with a chip per condition, above its requests, and names clusters that cannot be read', async () => {
    await renderContent(fakeApi(), new FakeSignalApi());

    const live = within(
      (await screen.findByText('Live infrastructure')).closest(
        '.MuiPaper-root',
      ) as HTMLElement,
    );
    const devRow = live.getByText('payments-db').closest('tr')!;
    expect(
      within(devRow).getByText('development (dev-eu)'),
    ).toBeInTheDocument();
    expect(within(devRow).getByLabelText('Synced: True')).toBeInTheDocument();
    expect(within(devRow).getByLabelText('Ready: True')).toBeInTheDocument();
    const prodRow = live.getByText('payments-ledger').closest('tr')!;
    expect(within(prodRow).getByLabelText('Synced: False')).toBeInTheDocument();
    expect(within(prodRow).getByLabelText('Ready: False')).toBeInTheDocument();
    expect(
      screen.getByText(
        'prod-eu: cluster prod-eu unreachable: connect ECONNREFUSED',
      ),
    ).toBeInTheDocument();
    // Live infrastructure comes before the request history.
    const history = await screen.findByText('Requested infrastructure');
    expect(
      screen.getByText('Live infrastructure').compareDocumentPosition(history) &
        Node.DOCUMENT_POSITION_FOLLOWING,
    ).toBeTruthy();
  });

  it('offers Change, opening the form prefilled, and Delete on the resources the person may change', async () => {
    await renderContent(fakeApi(), new FakeSignalApi());

    const change = await screen.findByRole('button', {
      name: 'Change payments-db',
    });
    const href = new URL(change.getAttribute('href')!, 'http://app');
    expect(href.pathname).toBe(
      '/infrastructure/request/postgresqlinstances.platform.paved.dev',
    );
    expect(Object.fromEntries(href.searchParams)).toEqual({
      entity: paymentsRef,
      environment: 'development',
      change: 'payments-db',
      namespace: 'team-payments',
    });
    expect(
      screen.getByRole('button', { name: 'Delete payments-db' }),
    ).toBeInTheDocument();
    // Another team's in production: nothing to act with.
    expect(
      screen.queryByRole('button', { name: 'Change payments-ledger' }),
    ).toBeNull();
    expect(
      screen.queryByRole('button', { name: 'Delete payments-ledger' }),
    ).toBeNull();
  });

  it('requests a deletion only once the resource’s name is typed again', async () => {
    const api = fakeApi();
    api.createAnswers = [
      infrastructureRequest({
        id: 'req-9',
        operation: 'delete',
        status: 'queued',
      }),
    ];
    await renderContent(api, new FakeSignalApi());

    await userEvent.click(
      await screen.findByRole('button', { name: 'Delete payments-db' }),
    );
    const dialog = screen.getByRole('dialog', { name: 'Delete payments-db?' });
    const confirm = within(dialog).getByRole('button', { name: 'Delete' });
    expect(confirm).toBeDisabled();
    const typed = within(dialog).getByRole('textbox', {
      name: 'Name of the resource',
    });
    await userEvent.type(typed, 'payments');
    expect(confirm).toBeDisabled();
    await userEvent.type(typed, '-db');
    await userEvent.click(confirm);

    expect(
      await screen.findByText(/Deletion of payments-db requested/),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'Follow the request' }),
    ).toHaveAttribute('href', '/infrastructure/requests/req-9');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(api.created).toEqual([
      {
        operation: 'delete',
        offering: 'postgresqlinstances.platform.paved.dev',
        environment: 'development',
        entityRef: paymentsRef,
        name: 'payments-db',
        namespace: 'team-payments',
        confirmName: 'payments-db',
        clientRequestId: expect.any(String),
      },
    ]);
  });

  it('lists the entity’s requests with what each does, its status and a link to it', async () => {
    const api = fakeApi();
    await renderContent(api, new FakeSignalApi());

    const table = within(
      (await screen.findByText('Requested infrastructure')).closest(
        '.MuiPaper-root',
      ) as HTMLElement,
    );
    const first = table
      .getByRole('link', { name: 'payments-db' })
      .closest('tr')!;
    expect(
      within(first).getByLabelText('Status: Awaiting approval'),
    ).toBeInTheDocument();
    // Several requests can name one resource: each row says what it does to it.
    expect(within(first).getByText('Delete')).toBeInTheDocument();
    expect(
      within(first).getByRole('link', { name: 'payments-db' }),
    ).toHaveAttribute('href', '/infrastructure/requests/req-2');
    const second = table
      .getByRole('link', { name: 'payments-cache' })
      .closest('tr')!;
    expect(within(second).getByLabelText('Status: Ready')).toBeInTheDocument();
    expect(within(second).getByText('Create')).toBeInTheDocument();
    expect(api.listed).toEqual([{ entityRef: paymentsRef }]);
  });

  it('offers each offering’s form with the entity chosen, and names clusters that cannot be read', async () => {
    await renderContent(fakeApi(), new FakeSignalApi());

    expect(
      await screen.findByRole('button', {
        name: 'Request PostgreSQL database',
      }),
    ).toHaveAttribute(
      'href',
      `/infrastructure/request/postgresqlinstances.platform.paved.dev?entity=${encodeURIComponent(
        paymentsRef,
      )}`,
    );
    expect(
      screen.getByRole('button', { name: 'Request Object storage bucket' }),
    ).toHaveAttribute(
      'href',
      expect.stringContaining(
        '/infrastructure/request/buckets.platform.paved.dev?entity=',
      ),
    );
    expect(
      screen.getByText('Production EU (prod-eu): certificate has expired'),
    ).toBeInTheDocument();
  });

  it('refreshes on signals for this entity only', async () => {
    const api = fakeApi();
    const signals = new FakeSignalApi();
    await renderContent(api, signals);
    await screen.findByRole('link', { name: 'payments-db' });

    act(() =>
      signals.publish(REQUEST_SIGNAL_CHANNEL, {
        id: 'req-9',
        status: 'ready',
        entityRef: 'component:default/search-service',
      }),
    );
    await new Promise(resolve => setTimeout(resolve, 50));
    expect(api.callsOf('listRequests')).toBe(1);

    api.entityResources.set(paymentsRef, {
      resources: [
        liveResource(),
        liveResource({
          cluster: 'prod-eu',
          environment: 'production',
          name: 'payments-ledger',
          conditions: [
            {
              type: 'Synced',
              status: 'False',
              reason: 'ReconcileError',
              message: 'cannot compose resources',
            },
            { type: 'Ready', status: 'False', reason: 'Creating' },
          ],
          requestId: undefined,
        }),
      ],
      clusters: [
        { name: 'dev-eu', environment: 'development', status: 'ready' },
        {
          name: 'prod-eu',
          environment: 'production',
          status: 'error',
          error: 'cluster prod-eu unreachable: connect ECONNREFUSED',
        },
      ],
    });
    api.setList({ entityRef: paymentsRef }, [
      infrastructureRequest({ id: 'req-2', status: 'queued' }),
    ]);
    act(() =>
      signals.publish(REQUEST_SIGNAL_CHANNEL, {
        id: 'req-2',
        status: 'queued',
        entityRef: paymentsRef,
      }),
    );

    expect(await screen.findByLabelText('Status: Queued')).toBeInTheDocument();
    await waitFor(() => expect(api.callsOf('listRequests')).toBe(2));
  });
});
