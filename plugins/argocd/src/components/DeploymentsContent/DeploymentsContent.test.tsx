import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { argoCdApiRef } from '../../api';
import { FakeArgoCdApi, FakeSignalApi, serverError } from '../../testing/fakes';
import {
  application,
  applicationsResponse,
  CART_PREVIOUS_SHA,
  CART_SHA,
  cartDetail,
  cartEntity,
  cartHistory,
  instance,
} from '../../testing/fixtures';
import { DeploymentsContent } from './DeploymentsContent';

const prodCart = application();
const stagingCart = application({
  instance: 'staging',
  instanceTitle: 'Staging',
  sync: { status: 'OutOfSync', revision: CART_PREVIOUS_SHA },
});

function renderContent(argoCdApi: FakeArgoCdApi) {
  return renderInTestApp(
    <EntityProvider entity={cartEntity}>
      <DeploymentsContent />
    </EntityProvider>,
    {
      apis: [
        [argoCdApiRef, argoCdApi],
        [signalApiRef, new FakeSignalApi()],
      ],
    },
  );
}

function manifestText(dialog: HTMLElement): string {
  return Array.from(dialog.querySelectorAll('code'))
    .map(code => code.textContent ?? '')
    .join('\n');
}

function environment(title: string) {
  return screen.getByRole('region', { name: title });
}

describe('DeploymentsContent', () => {
  it('lists each environment’s deployments with revision, commit message, author and duration', async () => {
    const argoCdApi = new FakeArgoCdApi();
    argoCdApi.applications = applicationsResponse(
      [prodCart, stagingCart],
      [instance('prod', 'Production'), instance('staging', 'Staging')],
    );
    argoCdApi.setHistory(prodCart, cartHistory(prodCart));
    argoCdApi.setHistory(stagingCart, {
      application: stagingCart,
      history: [],
    });
    await renderContent(argoCdApi);

    const latest = await screen.findByTestId('argocd-deployment-2');
    expect(
      within(environment('Production')).getByTestId('argocd-deployment-2'),
    ).toBe(latest);
    expect(
      within(latest).getByText(CART_SHA.slice(0, 7)).closest('a'),
    ).toHaveAttribute(
      'href',
      `https://github.com/paved/cart/commit/${CART_SHA}`,
    );
    expect(
      within(latest).getByText('Raise checkout timeout to 5s'),
    ).toBeInTheDocument();
    expect(within(latest).getByText('Ada Lovelace')).toBeInTheDocument();
    expect(within(latest).getByAltText('Ada Lovelace')).toBeInTheDocument();
    expect(within(latest).getByText('· took 42 s')).toBeInTheDocument();
    expect(within(latest).getByText('5 minutes ago')).toBeInTheDocument();

    const older = screen.getByTestId('argocd-deployment-1');
    expect(
      within(older).getByText(CART_PREVIOUS_SHA.slice(0, 7)),
    ).toBeInTheDocument();
    expect(
      within(older).getByText(
        'Commit details unavailable: GitHub rate limit reached',
      ),
    ).toBeInTheDocument();

    expect(
      await within(environment('Staging')).findByText(
        'No deployment recorded yet.',
      ),
    ).toBeInTheDocument();
  });

  it('expands the full commit message on request', async () => {
    const argoCdApi = new FakeArgoCdApi();
    argoCdApi.applications = applicationsResponse([prodCart]);
    argoCdApi.setHistory(prodCart, cartHistory(prodCart));
    await renderContent(argoCdApi);

    const latest = await screen.findByTestId('argocd-deployment-2');
    expect(
      within(latest).queryByText(/Payments are slow at peak/),
    ).not.toBeInTheDocument();
    await userEvent.click(
      within(latest).getByRole('button', { name: 'Show full commit message' }),
    );
    expect(
      within(latest).getByText('Payments are slow at peak; 2s dropped orders.'),
    ).toBeInTheDocument();
  });

  it('shows managed resources, conditions and the manifest as YAML in the details', async () => {
    const argoCdApi = new FakeArgoCdApi();
    argoCdApi.applications = applicationsResponse([prodCart]);
    argoCdApi.setHistory(prodCart, cartHistory(prodCart));
    argoCdApi.setDetail(prodCart, cartDetail(prodCart));
    await renderContent(argoCdApi);

    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Details of cart on Production',
      }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText('cart on Production')).toBeInTheDocument();

    const deployment = (await within(dialog).findByText('cart-api')).closest(
      'tr',
    )!;
    expect(
      within(deployment).getByText('Deployment (apps)'),
    ).toBeInTheDocument();
    expect(within(deployment).getByText('cart')).toBeInTheDocument();
    expect(
      within(deployment).getByLabelText('Sync: Synced'),
    ).toBeInTheDocument();
    expect(
      within(deployment).getByLabelText('Health: Degraded'),
    ).toBeInTheDocument();
    expect(
      within(deployment).getByText('Readiness probe failed'),
    ).toBeInTheDocument();
    const service = within(dialog).getByText('cart-svc').closest('tr')!;
    expect(
      within(service).getByLabelText('Sync: OutOfSync'),
    ).toBeInTheDocument();

    expect(within(dialog).getByText('SyncError')).toBeInTheDocument();
    expect(
      within(dialog).getByText('Deployment cart: image pull back-off'),
    ).toBeInTheDocument();

    // The syntax highlighter loads lazily and splits the YAML into tokens.
    await waitFor(() =>
      expect(manifestText(dialog)).toContain('kind: Application'),
    );
    expect(manifestText(dialog)).toContain(
      'repoURL: https://github.com/paved/cart',
    );
    expect(within(dialog).queryByText(/show as <redacted>/)).toBeNull();
  });

  it('says why values are hidden when the backend redacted the manifest', async () => {
    const argoCdApi = new FakeArgoCdApi();
    argoCdApi.applications = applicationsResponse([prodCart]);
    argoCdApi.setHistory(prodCart, cartHistory(prodCart));
    const detail = cartDetail(prodCart);
    argoCdApi.setDetail(prodCart, {
      ...detail,
      redacted: true,
      manifest: {
        ...detail.manifest,
        spec: {
          project: 'shop',
          source: {
            repoURL: 'https://github.com/paved/cart',
            helm: { values: '<redacted>' },
          },
        },
      },
    });
    await renderContent(argoCdApi);

    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Details of cart on Production',
      }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(
      await within(dialog).findByText(
        /Helm values and parameters, kustomize patches and plugin environments show as <redacted>: they often hold credentials, so only owners of this Application's Argo CD project can read them here\./,
      ),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(manifestText(dialog)).toContain('values: <redacted>'),
    );
  });

  it("shows the server's message when the history cannot be read", async () => {
    const argoCdApi = new FakeArgoCdApi();
    argoCdApi.applications = applicationsResponse([prodCart]);
    argoCdApi.setHistory(
      prodCart,
      await serverError(404, 'Not Found', {
        name: 'NotFoundError',
        message: 'Application argocd/cart was not found on prod',
      }),
    );
    await renderContent(argoCdApi);

    expect(
      await screen.findByText(
        'Error: Request failed with 404 Not Found: Application argocd/cart was not found on prod',
      ),
    ).toBeInTheDocument();
  });
});
