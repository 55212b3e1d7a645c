import { render, screen, within } from '@testing-library/react';
import App from './App';

// The repo's own app config (Jest loads YAML as data), so the shell is tested as configured.
// It belongs to no package; only this test reads it, and the build never sees the import.
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
const repoConfig = require('../../../app-config.yaml');

const backendUrl = 'http://localhost:7007';

/**
 * What the production build adds to the app (`app.packages: all`): every frontend plugin the
 * app depends on, found the way the Backstage CLI's package detection finds them.
 */
function discoverPluginsAsTheBuildDoes() {
  const manifest = require('../package.json');
  const modules = Object.keys(manifest.dependencies).flatMap(name => {
    const pkg = require(`${name}/package.json`);
    const role = pkg.backstage?.role ?? '';
    if (!['frontend-plugin', 'frontend-plugin-module'].includes(role)) {
      return [];
    }
    const found = [{ name, default: require(name).default }];
    if (pkg.exports && './alpha' in pkg.exports) {
      found.push({ name, default: require(`${name}/alpha`).default });
    }
    return found;
  });
  (window as any)['__@backstage/discovered__'] = { modules };
}

const paymentsService = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-service',
    namespace: 'default',
    annotations: { 'argocd/app-name': 'payments-service' },
  },
  spec: {
    type: 'service',
    lifecycle: 'production',
    owner: 'group:default/payments',
  },
  relations: [],
};

function json(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

/** The backend as far as these pages need it: one catalog entity, and 404 for the rest. */
async function backend(input: RequestInfo | URL): Promise<Response> {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (
    url.pathname ===
    '/api/catalog/entities/by-name/component/default/payments-service'
  ) {
    return json(paymentsService);
  }
  if (url.pathname.startsWith('/api/catalog/entities')) {
    return json({ items: [], totalItems: 0, pageInfo: {} });
  }
  return json({ error: { name: 'NotFoundError', message: 'not here' } }, 404);
}

function renderAppAt(path: string) {
  process.env = {
    NODE_ENV: 'test',
    APP_CONFIG: [
      {
        data: {
          app: {
            ...repoConfig.app,
            // The shell behind sign-in: with the sign-in page switched off the app signs
            // everyone in as the guest, as Backstage does for an app without one.
            extensions: [
              ...repoConfig.app.extensions,
              { 'sign-in-page:app': false },
            ],
          },
          organization: repoConfig.organization,
          backend: { baseUrl: backendUrl },
          techdocs: { storageUrl: `${backendUrl}/api/techdocs/static/docs` },
        },
        context: 'test',
      },
    ] as any,
  };
  window.history.pushState({}, '', path);
  return render(App.createRoot());
}

// The first render loads every discovered plugin: seconds on a shared machine.
jest.setTimeout(60_000);

describe('App', () => {
  beforeAll(() => {
    discoverPluginsAsTheBuildDoes();
  });

  beforeEach(() => {
    jest.spyOn(globalThis, 'fetch').mockImplementation(backend);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('shows the catalog at /catalog, beside the sidebar', async () => {
    renderAppAt('/catalog');
    expect(
      await screen.findByRole(
        'heading',
        { name: 'Acme Catalog' },
        { timeout: 15_000 },
      ),
    ).toBeInTheDocument();
    // The sidebar, with pages from plugins the build discovers.
    const sidebarTargets = screen
      .getAllByRole('link')
      .map(link => link.getAttribute('href'));
    expect(sidebarTargets).toEqual(
      expect.arrayContaining(['/create', '/docs', '/api-docs']),
    );
  });

  it('puts the Deployments card and tab on an Argo CD-annotated service', async () => {
    renderAppAt('/catalog/default/component/payments-service');
    expect(
      await screen.findByRole(
        'heading',
        { name: 'payments-service' },
        { timeout: 15_000 },
      ),
    ).toBeInTheDocument();
    const tab = await screen.findByRole(
      'link',
      { name: 'Deployments' },
      { timeout: 15_000 },
    );
    expect(tab).toHaveAttribute(
      'href',
      '/catalog/default/component/payments-service/argocd',
    );
    const cardTitle = await screen.findByText(
      'Deployments',
      { selector: '.MuiCardHeader-title' },
      { timeout: 15_000 },
    );
    const card = cardTitle.closest('.MuiCard-root') as HTMLElement;
    expect(within(card).getByText('Argo CD')).toBeInTheDocument();
  });

  it('puts the Scorecard card and tab on a service, and Scorecards in the sidebar', async () => {
    renderAppAt('/catalog/default/component/payments-service');
    const tab = await screen.findByRole(
      'link',
      { name: 'Scorecard' },
      { timeout: 15_000 },
    );
    expect(tab).toHaveAttribute(
      'href',
      '/catalog/default/component/payments-service/scorecard',
    );
    // The stand-in backend has no scorecard for it: the card says so rather than failing.
    expect(
      await screen.findByText('Not scored yet', {}, { timeout: 15_000 }),
    ).toBeInTheDocument();
    expect(
      screen
        .getAllByRole('link', { name: /Scorecards/ })
        .map(link => link.getAttribute('href')),
    ).toContain('/scorecards');
  });
});
