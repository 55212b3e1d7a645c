import { act, screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { signalApiRef } from '@backstage/plugin-signals-react';
import {
  ARGOCD_SIGNAL_CHANNEL,
  EntityApplicationsResponse,
} from '@paved/plugin-argocd-common';
import { argoCdApiRef } from '../../api';
import { ARGOCD_POLL_INTERVAL_MS } from '../../hooks/useArgoCdRefreshKey';
import { FakeArgoCdApi, FakeSignalApi, serverError } from '../../testing/fakes';
import {
  application,
  applicationsResponse,
  CART_SHA,
  cartEntity,
  instance,
} from '../../testing/fixtures';
import { DeploymentsCard } from './DeploymentsCard';

/** The cart component, looking only at the prod instance. */
const cartOnProdEntity: Entity = {
  ...cartEntity,
  metadata: {
    ...cartEntity.metadata,
    annotations: {
      ...cartEntity.metadata.annotations,
      'argocd/instance-name': 'prod',
    },
  },
};

function renderCard(options: {
  argoCdApi: FakeArgoCdApi;
  signalApi?: FakeSignalApi;
  entity?: Entity;
}) {
  const element = (
    <EntityProvider entity={options.entity ?? cartEntity}>
      <DeploymentsCard />
    </EntityProvider>
  );
  if (!options.signalApi) {
    return renderInTestApp(element, {
      apis: [[argoCdApiRef, options.argoCdApi]],
    });
  }
  return renderInTestApp(element, {
    apis: [
      [argoCdApiRef, options.argoCdApi],
      [signalApiRef, options.signalApi],
    ],
  });
}

function appRow(instanceId: string, name: string) {
  return screen.getByTestId(`argocd-app-${instanceId}-${name}`);
}

describe('DeploymentsCard', () => {
  it('shows each application with coloured sync and health, short SHA link and when it synced', async () => {
    const argoCdApi = new FakeArgoCdApi();
    argoCdApi.applications = applicationsResponse([application()]);
    await renderCard({ argoCdApi, signalApi: new FakeSignalApi() });

    const row = await screen.findByTestId('argocd-app-prod-cart');
    expect(within(row).getByText('Production')).toBeInTheDocument();
    expect(within(row).getByLabelText('Sync: Synced')).toHaveAttribute(
      'data-tone',
      'ok',
    );
    expect(within(row).getByLabelText('Health: Healthy')).toHaveAttribute(
      'data-tone',
      'ok',
    );
    const revision = within(row).getByText(CART_SHA.slice(0, 7));
    expect(revision.closest('a')).toHaveAttribute(
      'href',
      `https://github.com/paved/cart/commit/${CART_SHA}`,
    );
    expect(within(row).getByText('cart').closest('a')).toHaveAttribute(
      'href',
      'https://argocd.prod.example.com/applications/argocd/cart',
    );
    expect(within(row).getByText('5 minutes ago')).toBeInTheDocument();
    expect(argoCdApi.calls[0].entityRef).toEqual({
      kind: 'Component',
      namespace: 'default',
      name: 'cart',
    });
  });

  it('explains why a Degraded, OutOfSync application needs attention', async () => {
    const argoCdApi = new FakeArgoCdApi();
    argoCdApi.applications = applicationsResponse([
      application({
        sync: { status: 'OutOfSync', revision: CART_SHA },
        health: { status: 'Degraded' },
        problem: 'Deployment cart-api: Readiness probe failed',
      }),
    ]);
    await renderCard({ argoCdApi, signalApi: new FakeSignalApi() });

    const row = await screen.findByTestId('argocd-app-prod-cart');
    expect(within(row).getByLabelText('Sync: OutOfSync')).toHaveAttribute(
      'data-tone',
      'warning',
    );
    expect(within(row).getByLabelText('Health: Degraded')).toHaveAttribute(
      'data-tone',
      'error',
    );
    expect(
      screen.getByText('Deployment cart-api: Readiness probe failed'),
    ).toBeInTheDocument();
  });

  it('shows a failing instance as a warning while the other instances still show their applications', async () => {
    const argoCdApi = new FakeArgoCdApi();
    argoCdApi.applications = applicationsResponse(
      [
        application({ instance: 'staging', instanceTitle: 'Staging' }),
        application({ health: { status: 'Progressing' } }),
      ],
      [
        instance('sandbox-prod', 'sandbox-prod', {
          status: 'error',
          error: 'credentials rejected (401 Unauthorized)',
        }),
        instance('staging', 'Staging'),
        instance('prod', 'Production'),
        instance('eu', 'Europe', { status: 'loading' }),
      ],
    );
    await renderCard({ argoCdApi, signalApi: new FakeSignalApi() });

    expect(
      await screen.findByText(
        'sandbox-prod: credentials rejected (401 Unauthorized)',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Europe (eu): loading applications…'),
    ).toBeInTheDocument();
    expect(
      within(appRow('staging', 'cart')).getByLabelText('Health: Healthy'),
    ).toBeInTheDocument();
    expect(
      within(appRow('prod', 'cart')).getByLabelText('Health: Progressing'),
    ).toHaveAttribute('data-tone', 'progress');
    expect(
      screen.queryByTestId('argocd-no-applications'),
    ).not.toBeInTheDocument();
  });

  it('names the annotations it used and the instances it searched when nothing matches', async () => {
    const argoCdApi = new FakeArgoCdApi();
    argoCdApi.applications = applicationsResponse(
      [],
      [instance('prod', 'Production'), instance('staging', 'staging')],
    );
    await renderCard({ argoCdApi, signalApi: new FakeSignalApi() });

    const empty = await screen.findByTestId('argocd-no-applications');
    expect(
      within(empty).getByText('No Argo CD application matches this entity.'),
    ).toBeInTheDocument();
    expect(
      within(empty).getByText(
        'Applications show only to members of a group with a role in their Argo CD project.',
      ),
    ).toBeInTheDocument();
    expect(
      within(empty).getByText('argocd/app-name: cart'),
    ).toBeInTheDocument();
    expect(
      within(empty).getByText('argocd/project-name: shop'),
    ).toBeInTheDocument();
    expect(
      within(empty).getByText(
        'Instances searched: Production (prod), staging.',
      ),
    ).toBeInTheDocument();
  });

  it("shows the server's error message when the request fails", async () => {
    const argoCdApi = new FakeArgoCdApi();
    argoCdApi.applications = await serverError(403, 'Forbidden', {
      name: 'NotAllowedError',
      message:
        'You may not read Argo CD applications of component:default/cart',
    });
    await renderCard({ argoCdApi, signalApi: new FakeSignalApi() });

    expect(
      await screen.findByText(
        'Error: Request failed with 403 Forbidden: You may not read Argo CD applications of component:default/cart',
      ),
    ).toBeInTheDocument();
  });

  it('refetches when a signal announces a change on an instance it searches, and ignores others', async () => {
    const argoCdApi = new FakeArgoCdApi();
    const signalApi = new FakeSignalApi();
    argoCdApi.applications = applicationsResponse([
      application({ health: { status: 'Progressing' } }),
    ]);
    await renderCard({ argoCdApi, signalApi, entity: cartOnProdEntity });
    await screen.findByLabelText('Health: Progressing');

    argoCdApi.applications = applicationsResponse([application()]);
    await act(async () =>
      signalApi.publish(ARGOCD_SIGNAL_CHANNEL, { instances: ['dev'] }),
    );
    await act(async () =>
      signalApi.publish(ARGOCD_SIGNAL_CHANNEL, { instances: ['prod'] }),
    );

    expect(await screen.findByLabelText('Health: Healthy')).toBeInTheDocument();
    // One initial fetch and one for prod: the change on dev, which it does not search, fetched nothing.
    expect(argoCdApi.callsOf('getEntityApplications')).toBe(2);
  });

  it('refetches on a change on any instance when the entity searches them all', async () => {
    const argoCdApi = new FakeArgoCdApi();
    const signalApi = new FakeSignalApi();
    argoCdApi.applications = applicationsResponse([
      application({ health: { status: 'Progressing' } }),
    ]);
    await renderCard({ argoCdApi, signalApi });
    await screen.findByLabelText('Health: Progressing');

    argoCdApi.applications = applicationsResponse([application()]);
    await act(async () =>
      signalApi.publish(ARGOCD_SIGNAL_CHANNEL, { instances: ['dev'] }),
    );

    expect(await screen.findByLabelText('Health: Healthy')).toBeInTheDocument();
    expect(argoCdApi.callsOf('getEntityApplications')).toBe(2);
  });

  it('refetches once when several replicas announce the same change', async () => {
    const argoCdApi = new FakeArgoCdApi();
    const signalApi = new FakeSignalApi();
    argoCdApi.applications = applicationsResponse([
      application({ health: { status: 'Progressing' } }),
    ]);
    await renderCard({ argoCdApi, signalApi });
    await screen.findByLabelText('Health: Progressing');

    argoCdApi.applications = applicationsResponse([application()]);
    for (let replica = 0; replica < 3; replica++) {
      await act(async () =>
        signalApi.publish(ARGOCD_SIGNAL_CHANNEL, { instances: ['prod'] }),
      );
    }

    expect(await screen.findByLabelText('Health: Healthy')).toBeInTheDocument();
    expect(argoCdApi.callsOf('getEntityApplications')).toBe(2);
  });

  it('contains a rendering failure to the card, leaving the rest of the page intact', async () => {
    const argoCdApi = new FakeArgoCdApi();
    // A backend answer of the wrong shape makes the card's rendering throw.
    argoCdApi.applications = {} as EntityApplicationsResponse;
    await renderInTestApp(
      <EntityProvider entity={cartEntity}>
        <p>Rest of the entity page</p>
        <DeploymentsCard />
      </EntityProvider>,
      {
        apis: [
          [argoCdApiRef, argoCdApi],
          [signalApiRef, new FakeSignalApi()],
        ],
      },
    );

    expect(
      await screen.findByText('Error: Something Went Wrong'),
    ).toBeInTheDocument();
    expect(screen.getByText('Rest of the entity page')).toBeInTheDocument();
  });

  describe('without signals', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('polls the backend instead', async () => {
      const argoCdApi = new FakeArgoCdApi();
      argoCdApi.applications = applicationsResponse([
        application({ sync: { status: 'OutOfSync', revision: CART_SHA } }),
      ]);
      await renderCard({ argoCdApi });
      await screen.findByLabelText('Sync: OutOfSync');

      argoCdApi.applications = applicationsResponse([application()]);
      await act(async () => {
        jest.advanceTimersByTime(ARGOCD_POLL_INTERVAL_MS);
      });

      await waitFor(() =>
        expect(screen.getByLabelText('Sync: Synced')).toBeInTheDocument(),
      );
      expect(argoCdApi.callsOf('getEntityApplications')).toBe(2);
    });
  });
});
