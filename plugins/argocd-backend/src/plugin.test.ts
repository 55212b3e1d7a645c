/*
 * The plugin as a whole, over HTTP, against two Kubernetes API stand-ins running the simulated
 * Argo CD controller and the GitHub stand-in holding the deployed repositories.
 */
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizeResult,
  ConditionalPolicyDecision,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  ARGOCD_SIGNAL_CHANNEL,
  ApplicationDetailResponse,
  ApplicationHistoryResponse,
  ApplicationSummary,
  EntityApplicationsResponse,
  REDACTED_VALUE,
  RESOURCE_TYPE_ARGOCD_APPLICATION,
  argocdApplicationConditions,
  argocdApplicationCreatePermission,
  argocdApplicationManifestReadPermission,
  argocdApplicationReadPermission,
} from '@paved/plugin-argocd-common';
import { eventually, forceApplicationState } from '@paved/sandbox';
import { ApiException, CustomObjectsApi } from '@kubernetes/client-node';
import { Server } from 'node:http';
import request from 'supertest';
import {
  DeployedRevisions,
  TestCluster,
  TestGitHub,
  clusterConfig,
  createAppProject,
  createApplication,
  recordingSignals,
  startCluster,
  startGitHub,
} from './__testUtils__/standIns';
import argocdPlugin from '.';

jest.setTimeout(60_000);

function component(name: string, annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
  };
}

const entities = [
  component('cart-by-name', { 'argocd/app-name': 'cart' }),
  component('cart-by-selector', {
    'argocd/app-selector': 'backstage.io/kubernetes-id=cart',
  }),
  component('cart-in-argocd-namespace', {
    'argocd/app-name': 'cart',
    'argocd/app-namespace': 'argocd',
  }),
  component('search-project', {
    'argocd/app-selector': 'backstage.io/kubernetes-id',
    'argocd/project-name': 'search',
  }),
  component('cart-on-dev', {
    'argocd/app-name': 'cart',
    'argocd/instance-name': 'dev',
  }),
  component('search', { 'argocd/app-name': 'search' }),
  component('legacy', { 'argocd/app-name': 'legacy' }),
  component('everything', { 'argocd/app-selector': 'paved.dev/test' }),
  component('bad-selector', { 'argocd/app-selector': 'tier in (web' }),
  component('unknown-instance', {
    'argocd/app-name': 'cart',
    'argocd/instance-name': 'dev,nowhere',
  }),
  component('no-annotations', {}),
];

/** Who the tests sign in as: Alice administers Paved, the others see what their teams may. */
const ADMIN = 'user:default/alice';
const SHOP_ENGINEER = 'user:default/carol';
const SRE = 'user:default/sam';
const NEWCOMER = 'user:default/nina';

const groupsOf: Record<string, string[]> = {
  [SHOP_ENGINEER]: ['group:default/team-shop'],
  [SRE]: ['group:default/team-sre'],
  [NEWCOMER]: [],
};

/**
 * The decision the lead's policy makes: admins are allowed outright, everyone else as their
 * Argo CD project roles allow, the unredacted manifest only through the `owner` role.
 */
function policyDecision(permissionName: string, user: string): PolicyDecision {
  if (user === ADMIN) {
    return { result: AuthorizeResult.ALLOW };
  }
  const claims = [user, ...(groupsOf[user] ?? [])];
  const decision: ConditionalPolicyDecision = {
    result: AuthorizeResult.CONDITIONAL,
    pluginId: 'argocd',
    resourceType: RESOURCE_TYPE_ARGOCD_APPLICATION,
    conditions: argocdApplicationConditions.hasProjectRole(
      permissionName === argocdApplicationManifestReadPermission.name ||
        permissionName === argocdApplicationCreatePermission.name
        ? { claims, roles: ['owner'] }
        : { claims },
    ),
  };
  return decision;
}

describe('argocd backend plugin', () => {
  const revisions = new DeployedRevisions();
  const signals = recordingSignals();
  const authorizeConditional = jest.fn();
  const audited: Array<{
    eventId: string;
    severityLevel?: string;
    meta?: unknown;
  }> = [];
  let github: TestGitHub;
  let dev: TestCluster;
  let prod: TestCluster;
  let server: Server;
  let stopBackend: () => Promise<void>;
  const commits: Record<string, string> = {};

  const get = (path: string, user = ADMIN) =>
    request(server)
      .get(`/api/argocd${path}`)
      .set('Authorization', mockCredentials.user.header(user));

  async function applicationsOf(entity: string, user = ADMIN) {
    const res = await get(
      `/entity/component/default/${entity}/applications`,
      user,
    );
    expect(res.status).toBe(200);
    return res.body as EntityApplicationsResponse;
  }

  const where = (apps: ApplicationSummary[]) =>
    apps.map(a => `${a.instance}:${a.namespace}/${a.name}`).sort();

  beforeAll(async () => {
    github = await startGitHub();
    for (const repo of ['cart', 'search']) {
      await github.standIn.createRepo('acme', repo, {
        files: { 'README.md': `# ${repo}\n` },
      });
    }
    commits.cart1 = await github.standIn.commit(
      'acme',
      'cart',
      'main',
      { 'deploy/deployment.yaml': 'replicas: 1\n' },
      'Deploy cart with one replica',
    );
    commits.search1 = await github.standIn.commit(
      'acme',
      'search',
      'main',
      { 'deploy/deployment.yaml': 'replicas: 2\n' },
      'Deploy search',
    );
    revisions.set(github.cloneUrl('cart'), commits.cart1);
    revisions.set(github.cloneUrl('search'), commits.search1);

    dev = await startCluster('dev', revisions);
    prod = await startCluster('prod', revisions, dev.standIn.tls);

    // Projects as Argo CD's Dex GitHub connector names teams: `<org>:<team-slug>`.
    for (const cluster of [dev, prod]) {
      await createAppProject(cluster, {
        name: 'shop',
        roles: [
          { name: 'owner', groups: ['acme:team-shop'] },
          { name: 'viewer', groups: ['acme:team-sre'] },
        ],
      });
    }
    await createAppProject(dev, {
      name: 'search',
      roles: [
        { name: 'owner', groups: ['acme:team-search'] },
        // Same team name in another org: not the catalog's team-shop.
        { name: 'viewer', groups: ['elsewhere:team-shop'] },
      ],
    });
    // Argo CD manages Applications outside its namespace only when the project lists it.
    await createAppProject(dev, {
      name: 'sandbox',
      roles: [{ name: 'owner', groups: ['acme:team-shop'] }],
    });

    const test = { 'paved.dev/test': 'true' };
    const cart = { ...test, 'backstage.io/kubernetes-id': 'cart' };
    await createApplication(dev, {
      name: 'cart',
      project: 'shop',
      labels: cart,
      repoURL: github.cloneUrl('cart'),
    });
    await createApplication(dev, {
      name: 'cart-worker',
      project: 'shop',
      labels: cart,
      repoURL: github.cloneUrl('cart'),
    });
    await createApplication(dev, {
      name: 'cart',
      namespace: 'team-a',
      project: 'sandbox',
      labels: test,
      repoURL: github.cloneUrl('cart'),
    });
    await createApplication(dev, {
      name: 'search',
      project: 'search',
      labels: { ...test, 'backstage.io/kubernetes-id': 'search' },
      repoURL: github.cloneUrl('search'),
    });
    await createApplication(dev, {
      name: 'legacy',
      project: 'default',
      labels: test,
      repoURL: 'https://gitlab.example.com/acme/legacy.git',
    });
    await createApplication(prod, {
      name: 'cart',
      project: 'shop',
      labels: cart,
      repoURL: github.cloneUrl('cart'),
      source: {
        helm: {
          parameters: [{ name: 'db.password', value: 'hunter2' }],
          valuesObject: { stripe: { apiKey: 'sk_live_123' } },
        },
      },
    });

    authorizeConditional.mockImplementation(
      async (
        requests: Array<{ permission: { name: string } }>,
        { credentials },
      ) =>
        requests.map(r =>
          policyDecision(
            r.permission.name,
            credentials.principal.userEntityRef,
          ),
        ),
    );

    const backend = await startTestBackend({
      features: [
        argocdPlugin,
        mockServices.rootConfig.factory({
          data: {
            kubernetes: {
              serviceLocatorMethod: { type: 'multiTenant' },
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: [clusterConfig(dev), clusterConfig(prod)],
                },
              ],
            },
            integrations: { github: [github.integration] },
            argocd: { projectRoleGroups: { org: 'acme' } },
          },
        }),
        catalogServiceMock.factory({ entities }),
        mockServices.permissions.mock({ authorizeConditional }).factory,
        mockServices.auditor.mock({
          async createEvent(options) {
            const { eventId, severityLevel, meta } = options;
            return {
              async success() {
                audited.push({ eventId, severityLevel, meta });
              },
              async fail() {},
            };
          },
        }).factory,
        signals.factory,
      ],
    });
    server = backend.server;
    stopBackend = () => backend.stop();

    // Every Application deployed once, as the cache sees it.
    await eventually(async () => {
      const body = await applicationsOf('everything');
      const ready = body.instances.every(i => i.status === 'ready');
      const synced = body.applications.filter(a => a.sync.status === 'Synced');
      if (!ready || synced.length !== 6) {
        throw new Error(
          `not deployed yet: ${JSON.stringify(body.instances)}, ${
            synced.length
          } of 6 synced`,
        );
      }
    }, 20_000);
  });

  afterAll(async () => {
    await stopBackend?.();
    await Promise.all([
      dev?.standIn.stop(),
      prod?.standIn.stop(),
      github?.stop(),
    ]);
  });

  describe('which Applications belong to an entity', () => {
    it('matches argocd/app-name on every instance and in every namespace', async () => {
      const body = await applicationsOf('cart-by-name');
      expect(where(body.applications)).toEqual([
        'dev:argocd/cart',
        'dev:team-a/cart',
        'prod:argocd/cart',
      ]);
      expect(body.instances).toEqual([
        expect.objectContaining({
          instance: 'dev',
          title: 'dev (stand-in)',
          cluster: 'dev',
          status: 'ready',
          lastContactAt: expect.any(String),
        }),
        expect.objectContaining({ instance: 'prod', status: 'ready' }),
      ]);
    });

    it('matches argocd/app-selector against Application labels', async () => {
      const body = await applicationsOf('cart-by-selector');
      expect(where(body.applications)).toEqual([
        'dev:argocd/cart',
        'dev:argocd/cart-worker',
        'prod:argocd/cart',
      ]);
    });

    it('restricts to argocd/app-namespace, keeping the same app on two clusters apart', async () => {
      const body = await applicationsOf('cart-in-argocd-namespace');
      expect(where(body.applications)).toEqual([
        'dev:argocd/cart',
        'prod:argocd/cart',
      ]);
      const [onDev, onProd] = body.applications;
      expect(onDev).toMatchObject({ instance: 'dev', cluster: 'dev' });
      expect(onProd).toMatchObject({
        instance: 'prod',
        instanceTitle: 'prod (stand-in)',
        cluster: 'prod',
      });
    });

    it('restricts to argocd/project-name', async () => {
      const body = await applicationsOf('search-project');
      expect(where(body.applications)).toEqual(['dev:argocd/search']);
    });

    it('searches only the instances named by argocd/instance-name', async () => {
      const body = await applicationsOf('cart-on-dev');
      expect(where(body.applications)).toEqual([
        'dev:argocd/cart',
        'dev:team-a/cart',
      ]);
      expect(body.instances.map(i => i.instance)).toEqual(['dev']);
    });

    it('summarises sync, health, the last operation and the source', async () => {
      const body = await applicationsOf('cart-on-dev');
      const cart = body.applications.find(a => a.namespace === 'argocd')!;
      expect(cart).toMatchObject({
        project: 'shop',
        labels: expect.objectContaining({
          'backstage.io/kubernetes-id': 'cart',
        }),
        sync: { status: 'Synced', revision: commits.cart1 },
        health: { status: 'Healthy' },
        operation: { phase: 'Succeeded', finishedAt: expect.any(String) },
        lastSyncedAt: cart.operation!.finishedAt,
        reconciledAt: expect.any(String),
        images: [],
        conditions: [],
        source: {
          repoURL: github.cloneUrl('cart'),
          path: 'deploy',
          targetRevision: 'main',
        },
        destination: {
          server: 'https://kubernetes.default.svc',
          namespace: 'cart',
        },
        // The sandbox serves clones under /git/; the page is the repository's web URL.
        revisionUrl: `${github.standIn.webUrl}/acme/cart/commit/${commits.cart1}`,
      });
      expect(cart.problem).toBeUndefined();
      expect(cart.argocdUrl).toBeUndefined();
    });
  });

  it('serves a status flip within 2 seconds and signals the change', async () => {
    signals.published.length = 0;
    await forceApplicationState(dev.connection, 'argocd', 'search', {
      sync: 'OutOfSync',
      health: 'Degraded',
      message: 'Back-off restarting failed container',
    });

    const search = await eventually(async () => {
      const [app] = (await applicationsOf('search')).applications;
      expect(app.health.status).toBe('Degraded');
      expect(app.sync.status).toBe('OutOfSync');
      return app;
    }, 2000);
    expect(search.problem).toBe('Back-off restarting failed container');

    // Browsers all get the signal, so it says only where something changed.
    await eventually(async () =>
      expect(signals.published).toContainEqual({
        recipients: { type: 'broadcast' },
        channel: ARGOCD_SIGNAL_CHANNEL,
        message: { instances: expect.arrayContaining(['dev']) },
      }),
    );
    expect(JSON.stringify(signals.published)).not.toContain('search');
  });

  describe('detail', () => {
    const cartOnProd =
      '/entity/component/default/cart-by-name/applications/prod/argocd/cart';

    it('serves the manifest as the cluster holds it to a project owner, and audits the read', async () => {
      audited.length = 0;
      const res = await get(cartOnProd, SHOP_ENGINEER);
      expect(res.status).toBe(200);
      const body = res.body as ApplicationDetailResponse;
      expect(body.application).toMatchObject({
        instance: 'prod',
        name: 'cart',
      });
      expect(body.resources).toEqual([]);
      expect(body.redacted).toBe(false);
      expect(body.manifest).toMatchObject({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: { name: 'cart', namespace: 'argocd' },
        spec: {
          project: 'shop',
          source: {
            helm: {
              parameters: [{ name: 'db.password', value: 'hunter2' }],
              valuesObject: { stripe: { apiKey: 'sk_live_123' } },
            },
          },
        },
        status: { sync: { status: 'Synced' } },
      });
      expect(
        (body.manifest.metadata as Record<string, unknown>).managedFields,
      ).toBeUndefined();
      expect(audited).toEqual([
        {
          eventId: 'manifest-read',
          severityLevel: 'medium',
          meta: { instance: 'prod', namespace: 'argocd', name: 'cart' },
        },
      ]);
    });

    it('redacts Helm values and parameters for a project viewer, wherever Argo CD repeats them', async () => {
      audited.length = 0;
      const res = await get(cartOnProd, SRE);
      expect(res.status).toBe(200);
      const body = res.body as ApplicationDetailResponse;
      expect(body.redacted).toBe(true);
      expect(JSON.stringify(body.manifest)).not.toMatch(/hunter2|sk_live_123/);
      expect(body.manifest).toMatchObject({
        spec: {
          source: {
            repoURL: github.cloneUrl('cart'),
            helm: {
              parameters: [{ name: 'db.password', value: REDACTED_VALUE }],
              valuesObject: REDACTED_VALUE,
            },
          },
        },
      });
      expect(audited).toEqual([]);
    });

    it('answers a foreign Application exactly like a missing one, on detail and history', async () => {
      // Search is team-search's; the everything entity's selector reaches it anyway.
      const foreign = await get(
        '/entity/component/default/everything/applications/dev/argocd/search',
        SHOP_ENGINEER,
      );
      const missing = await get(
        '/entity/component/default/everything/applications/dev/argocd/checkout',
        SHOP_ENGINEER,
      );
      expect(foreign.status).toBe(404);
      expect(foreign.body.error.message).toBe(
        'No Argo CD Application argocd/search on instance dev',
      );
      expect(missing.body.error.message).toBe(
        'No Argo CD Application argocd/checkout on instance dev',
      );
      const history = await get(
        '/entity/component/default/everything/applications/dev/argocd/search/history',
        SHOP_ENGINEER,
      );
      expect(history.status).toBe(404);
      // The admin reads it through the same entity.
      expect(
        (
          await get(
            '/entity/component/default/everything/applications/dev/argocd/search',
          )
        ).status,
      ).toBe(200);
    });
  });

  describe('who sees which Applications', () => {
    it("lists only the viewer's team's Applications, however wide the entity's selector", async () => {
      const body = await applicationsOf('everything', SHOP_ENGINEER);
      // Not search (another team's), legacy (no project roles) or team-a/cart (its project
      // does not admit the team-a namespace, so Argo CD does not manage it).
      expect(where(body.applications)).toEqual([
        'dev:argocd/cart',
        'dev:argocd/cart-worker',
        'prod:argocd/cart',
      ]);
      expect(body.instances.map(i => i.status)).toEqual(['ready', 'ready']);
    });

    it('lets an admin see every Application', async () => {
      const body = await applicationsOf('everything', ADMIN);
      expect(where(body.applications)).toEqual([
        'dev:argocd/cart',
        'dev:argocd/cart-worker',
        'dev:argocd/legacy',
        'dev:argocd/search',
        'dev:team-a/cart',
        'prod:argocd/cart',
      ]);
    });

    it('lets a viewer role read its projects, and shows nothing to someone without a role', async () => {
      expect(
        where((await applicationsOf('everything', SRE)).applications),
      ).toEqual([
        'dev:argocd/cart',
        'dev:argocd/cart-worker',
        'prod:argocd/cart',
      ]);
      const newcomer = await applicationsOf('everything', NEWCOMER);
      expect(newcomer.applications).toEqual([]);
      expect(newcomer.instances.map(i => i.instance)).toEqual(['dev', 'prod']);
    });

    it('asks the permission framework once per list, as the caller', async () => {
      authorizeConditional.mockClear();
      await applicationsOf('everything', SHOP_ENGINEER);
      expect(authorizeConditional).toHaveBeenCalledTimes(1);
      expect(authorizeConditional).toHaveBeenCalledWith(
        [{ permission: argocdApplicationReadPermission }],
        {
          credentials: expect.objectContaining({
            principal: expect.objectContaining({
              userEntityRef: SHOP_ENGINEER,
            }),
          }),
        },
      );
    });

    it('follows a change of project roles without a restart', async () => {
      await createAppProject(dev, {
        name: 'default',
        roles: [{ name: 'owner', groups: ['acme:team-shop'] }],
      });
      await eventually(async () =>
        expect(
          where((await applicationsOf('legacy', SHOP_ENGINEER)).applications),
        ).toEqual(['dev:argocd/legacy']),
      );
    });
  });

  describe('history', () => {
    it('lists deployed revisions newest first with commits fetched once from GitHub', async () => {
      const cart2 = await github.standIn.commit(
        'acme',
        'cart',
        'main',
        { 'deploy/deployment.yaml': 'replicas: 3\n' },
        'Scale cart to three replicas',
      );
      revisions.set(github.cloneUrl('cart'), cart2);
      await eventually(async () => {
        const [cart] = (await applicationsOf('cart-on-dev')).applications;
        expect(cart.sync).toEqual({ status: 'Synced', revision: cart2 });
      }, 20_000);

      const historyPath =
        '/entity/component/default/cart-by-name/applications/dev/argocd/cart/history';
      const before = await github.requestsServed();
      const first = await get(historyPath);
      const afterFirst = await github.requestsServed();
      const second = await get(historyPath);
      const afterSecond = await github.requestsServed();

      expect(first.status).toBe(200);
      const body = first.body as ApplicationHistoryResponse;
      expect(body.application.name).toBe('cart');
      expect(body.history.map(h => h.revision)).toEqual([cart2, commits.cart1]);
      expect(body.history[0]).toMatchObject({
        id: 1,
        deployedAt: expect.any(String),
        deployStartedAt: expect.any(String),
        durationSeconds: expect.any(Number),
        source: { repoURL: github.cloneUrl('cart'), path: 'deploy' },
        revisionUrl: `${github.standIn.webUrl}/acme/cart/commit/${cart2}`,
        commit: {
          sha: cart2,
          message: 'Scale cart to three replicas',
          author: { name: expect.any(String) },
          committedAt: expect.any(String),
          url: expect.stringContaining(cart2),
        },
      });
      expect(body.history[1].commit?.message).toBe(
        'Deploy cart with one replica',
      );
      expect(body.history.every(h => h.commitError === undefined)).toBe(true);

      // One request per revision, then none: the commits come from the database.
      expect(afterFirst - before - 1).toBe(2);
      expect(second.status).toBe(200);
      expect(second.body).toEqual(first.body);
      expect(afterSecond - afterFirst - 1).toBe(0);
    });

    it('says why commits are missing when no GitHub integration covers the repository', async () => {
      const res = await get(
        '/entity/component/default/legacy/applications/dev/argocd/legacy/history',
      );
      expect(res.status).toBe(200);
      const [entry] = (res.body as ApplicationHistoryResponse).history;
      expect(entry.commit).toBeUndefined();
      expect(entry.commitError).toBe(
        'no GitHub integration is configured for gitlab.example.com',
      );
    });

    it('still answers when GitHub is rate limited, saying when the limit resets', async () => {
      github.standIn.setRemaining(0);
      try {
        const res = await get(
          '/entity/component/default/search/applications/dev/argocd/search/history',
        );
        expect(res.status).toBe(200);
        const [entry] = (res.body as ApplicationHistoryResponse).history;
        expect(entry.revision).toBe(commits.search1);
        expect(entry.commit).toBeUndefined();
        expect(entry.commitError).toMatch(
          /^GitHub rate limit exceeded; it resets at \d{4}-\d\d-\d\dT/,
        );
      } finally {
        github.standIn.setRemaining(5000);
      }
    });
  });

  describe('bad requests', () => {
    it('answers 400 for a malformed selector, naming the annotation', async () => {
      const res = await get(
        '/entity/component/default/bad-selector/applications',
      );
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        name: 'InputError',
        message: expect.stringContaining(
          'component:default/bad-selector annotation argocd/app-selector: Invalid label selector "tier in (web"',
        ),
      });
    });

    it('answers 400 for an unknown instance, listing the configured ones', async () => {
      const res = await get(
        '/entity/component/default/unknown-instance/applications',
      );
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(
        'component:default/unknown-instance annotation argocd/instance-name names unknown Argo CD instance nowhere; configured instances: dev, prod',
      );
    });

    it('answers 400 for an entity without Argo CD annotations', async () => {
      const res = await get(
        '/entity/component/default/no-annotations/applications',
      );
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(
        'set the argocd/app-name or argocd/app-selector annotation',
      );
    });

    it('answers 400 for path parameters Kubernetes would not accept', async () => {
      const res = await get(
        '/entity/component/default/cart-by-name/applications/dev/Not_A_Namespace/cart',
      );
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain('appNamespace');
    });

    it('answers 404 for an entity the catalog does not have', async () => {
      const res = await get('/entity/component/default/nope/applications');
      expect(res.status).toBe(404);
      expect(res.body.error.message).toBe(
        'No entity component:default/nope in the catalog',
      );
    });

    it('answers 404 for an Application outside the entity selection', async () => {
      const res = await get(
        '/entity/component/default/cart-by-name/applications/dev/argocd/search',
      );
      expect(res.status).toBe(404);
      expect(res.body.error.message).toBe(
        "Argo CD Application argocd/search on instance dev is not one of component:default/cart-by-name's applications",
      );
      const history = await get(
        '/entity/component/default/cart-by-name/applications/dev/argocd/search/history',
      );
      expect(history.status).toBe(404);
    });

    it('answers 404 for an unknown instance or Application', async () => {
      const instance = await get(
        '/entity/component/default/cart-by-name/applications/staging/argocd/cart',
      );
      expect(instance.status).toBe(404);
      expect(instance.body.error.message).toBe(
        "No Argo CD instance named 'staging'; configured instances: dev, prod",
      );
      const app = await get(
        '/entity/component/default/cart-by-name/applications/dev/argocd/checkout',
      );
      expect(app.status).toBe(404);
    });
  });

  it('makes no Kubernetes requests while serving', async () => {
    const before = dev.standIn.requests();
    for (const path of [
      '/entity/component/default/cart-by-name/applications',
      '/entity/component/default/cart-by-name/applications/dev/argocd/cart',
      '/entity/component/default/cart-by-name/applications/dev/argocd/cart/history',
      '/entity/component/default/everything/applications',
    ]) {
      expect((await get(path)).status).toBe(200);
    }
    expect(dev.standIn.requests()).toEqual(before);
    // The counter does see the plugin's own list and watch.
    expect(before.byVerb.list).toBeGreaterThanOrEqual(1);
    expect(before.watches).toBeGreaterThanOrEqual(1);
  });

  describe('creating an Application for a new service', () => {
    const post = (instance: string, body: unknown, user: string) =>
      request(server)
        .post(`/api/argocd/instances/${instance}/applications`)
        .set('Authorization', mockCredentials.user.header(user))
        .send(body as object);
    const manifest = (name: string, project = 'shop') => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name,
        labels: { 'backstage.io/kubernetes-id': name },
      },
      spec: {
        project,
        source: {
          repoURL: github.cloneUrl('cart'),
          targetRevision: 'main',
          path: 'deploy',
        },
        destination: {
          server: 'https://kubernetes.default.svc',
          namespace: 'shop',
        },
        syncPolicy: { automated: { prune: true } },
      },
    });
    /** The Application as the cluster holds it, or undefined when it does not exist. */
    const onCluster = async (cluster: TestCluster, name: string) => {
      try {
        return await cluster.kubeConfig
          .makeApiClient(CustomObjectsApi)
          .getNamespacedCustomObject({
            group: 'argoproj.io',
            version: 'v1alpha1',
            namespace: 'argocd',
            plural: 'applications',
            name,
          });
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) {
          return undefined;
        }
        throw error;
      }
    };

    it('lets a project owner create one, deploys it, and audits who did', async () => {
      audited.length = 0;
      const res = await post('dev', manifest('cart-api'), SHOP_ENGINEER);
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        instance: 'dev',
        namespace: 'argocd',
        name: 'cart-api',
        project: 'shop',
      });
      expect(await onCluster(prod, 'cart-api')).toBeUndefined();
      expect(audited).toEqual([
        {
          eventId: 'application-create',
          severityLevel: 'medium',
          meta: {
            instance: 'dev',
            namespace: 'argocd',
            name: 'cart-api',
            project: 'shop',
          },
        },
      ]);
      // The simulated Argo CD syncs it as it would any new Application.
      await eventually(async () => {
        const app = await onCluster(dev, 'cart-api');
        expect(app?.status?.sync?.status).toBe('Synced');
      }, 10_000);
    });

    it('refuses a viewer role, someone without a role and an unknown project, creating nothing', async () => {
      const viewer = await post('dev', manifest('cart-sre'), SRE);
      expect(viewer.status).toBe(403);
      expect(viewer.body.error.message).toMatch(
        /may not create Applications in Argo CD project 'shop'/,
      );
      const newcomer = await post('dev', manifest('cart-nina'), NEWCOMER);
      expect(newcomer.status).toBe(403);
      const unknown = await post(
        'dev',
        manifest('cart-nowhere', 'nowhere'),
        ADMIN,
      );
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.message).toBe(
        "Argo CD project 'nowhere' does not exist on instance dev",
      );
      for (const name of ['cart-sre', 'cart-nina', 'cart-nowhere']) {
        expect(await onCluster(dev, name)).toBeUndefined();
      }
    });

    it('answers 400 for a malformed Application and 409 for one that exists', async () => {
      const upper = await post('dev', manifest('Cart_API'), ADMIN);
      expect(upper.status).toBe(400);
      expect(upper.body.error.message).toMatch(
        /^Invalid Argo CD Application: metadata.name must be a lowercase DNS label/,
      );
      const withStatus = await post(
        'dev',
        {
          ...manifest('cart-status'),
          status: { health: { status: 'Healthy' } },
        },
        ADMIN,
      );
      expect(withStatus.status).toBe(400);
      expect(withStatus.body.error.message).toMatch(/status/);
      expect(await onCluster(dev, 'cart-status')).toBeUndefined();
      const unknownInstance = await post('qa', manifest('cart-qa'), ADMIN);
      expect(unknownInstance.status).toBe(404);

      await eventually(async () => {
        const again = await post('dev', manifest('cart-api'), ADMIN);
        expect(again.status).toBe(409);
        expect(again.body.error.message).toBe(
          'Argo CD Application argocd/cart-api already exists on dev',
        );
      }, 5_000);
    });
  });
});
