/*
 * Requests delivered through GitOps, through the plugin as a whole: the manifest goes into a
 * pull request to a repository on the GitHub stand-in, a person merges (or closes) it there,
 * and the cluster's Argo CD applies the merged folder, which Crossplane then provisions.
 */
import {
  TestDatabases,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  InfrastructureRequest,
  OfferingsResponse,
  RequestStatus,
} from '@paved/plugin-crossplane-common';
import { eventually } from '@paved/sandbox';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { Server } from 'node:http';
import supertest from 'supertest';
import { parse } from 'yaml';
import crossplanePlugin from '.';
import {
  CustomKind,
  TestCluster,
  startCluster,
} from './__testUtils__/clusters';
import {
  TestGitOpsRepository,
  startGitOpsRepository,
  syncFolder,
} from './__testUtils__/gitops';
import { periodicSchedulerFactory } from './__testUtils__/periodicScheduler';
import { component, pavedLikePermissions } from './__testUtils__/policy';

jest.setTimeout(120_000);

const PAT = 'user:default/pat';
const SRE = 'user:default/sre';
const TEAMS = {
  [PAT]: ['group:default/team-payments'],
  [SRE]: ['group:default/team-sre'],
};
const PAYMENTS = 'component:default/payments-service';
const DATABASE = 'postgresqlinstances.platform.paved.dev';
const DATABASES: CustomKind = {
  group: 'platform.paved.dev',
  version: 'v1alpha1',
  plural: 'postgresqlinstances',
};
const PORTAL = 'https://portal.paved.test';

describe('requests delivered through a GitOps repository', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let knex: Knex;
  let cluster: TestCluster;
  let gitops: TestGitOpsRepository;
  let server: Server;
  let stopBackend: () => Promise<void>;

  const call = (
    method: 'get' | 'post',
    path: string,
    user: string,
    body?: object,
  ) => {
    const req = supertest(server)
      [method](`/api/crossplane${path}`)
      .set('Authorization', mockCredentials.user.header(user));
    return body ? req.send(body) : req;
  };

  /** A backend over the shared database, as one replica (or one after a restart) would be. */
  async function startBackend() {
    const backend = await startTestBackend({
      features: [
        crossplanePlugin,
        periodicSchedulerFactory(),
        mockServices.database.factory({ knex }),
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: PORTAL },
            integrations: { github: [gitops.integration] },
            kubernetes: {
              clusterLocatorMethods: [
                { type: 'config', clusters: [cluster.config] },
              ],
            },
            crossplane: {
              environments: [
                {
                  name: 'dev',
                  cluster: 'platform',
                  delivery: { type: 'gitops', repository: gitops.repository },
                },
                {
                  name: 'prod',
                  cluster: 'platform',
                  approval: { required: true },
                  delivery: {
                    type: 'gitops',
                    repository: gitops.repository,
                    branch: 'main',
                    path: 'infrastructure/{environment}/{namespace}',
                  },
                },
              ],
              delivery: {
                schedule: {
                  frequency: { milliseconds: 500 },
                  timeout: { seconds: 30 },
                },
              },
            },
          },
        }),
        catalogServiceMock.factory({
          entities: [
            component('payments-service', 'group:default/team-payments'),
          ],
        }),
        pavedLikePermissions({ teams: TEAMS, approvers: [SRE] }),
      ],
    });
    server = backend.server;
    stopBackend = () => backend.stop();
    await eventually(async () => {
      const res = await call('get', '/offerings', PAT);
      const { clusters = [] } = res.body as OfferingsResponse;
      if (clusters[0]?.status !== 'ready') {
        throw new Error(`cluster not read yet: ${JSON.stringify(clusters)}`);
      }
    });
  }

  const submit = async (name: string, environment = 'dev') => {
    const res = await call('post', '/requests', PAT, {
      offering: DATABASE,
      environment,
      entityRef: PAYMENTS,
      name,
      parameters: { parameters: { storageGB: 20 } },
      clientRequestId: randomUUID(),
    });
    expect(res.status).toBe(201);
    return res.body as InfrastructureRequest;
  };

  async function waitForStatus(
    id: string,
    status: RequestStatus,
  ): Promise<InfrastructureRequest> {
    return eventually(async () => {
      const res = await call('get', `/requests/${id}`, PAT);
      const request = res.body as InfrastructureRequest;
      if (request.status !== status) {
        throw new Error(
          `request ${request.resource?.name} is ${request.status} (${
            request.message ?? 'no message'
          }), waiting for ${status}`,
        );
      }
      return request;
    }, 30_000);
  }

  const pullRequestsOf = async (id: string) =>
    (await gitops.pullRequests()).filter(
      pr => pr.head.ref === `paved/request-${id}`,
    );

  const merge = (pullNumber: number) =>
    gitops.person.rest.pulls.merge({
      owner: gitops.owner,
      repo: gitops.repo,
      pull_number: pullNumber,
    });

  beforeAll(async () => {
    knex = await databases.init('SQLITE_3');
    gitops = await startGitOpsRepository({ environments: ['dev', 'prod'] });
    cluster = await startCluster('platform', {
      namespaces: ['team-payments', 'argocd'],
      argoCd: gitops.argoCd,
    });
    await syncFolder(
      cluster,
      gitops,
      'infrastructure-dev',
      'infrastructure/dev',
    );
    await syncFolder(
      cluster,
      gitops,
      'infrastructure-prod',
      'infrastructure/prod',
    );
    await startBackend();
  });

  afterAll(async () => {
    await stopBackend?.();
    await cluster?.stop();
    await gitops?.stop();
  });

  it('opens one pull request with the manifest; once merged, Argo CD applies it and the request reaches its credentials', async () => {
    const submitted = await submit('ledger-db');
    expect(submitted).toMatchObject({
      status: 'pr-opened',
      message: expect.stringMatching(
        /^Pull request #\d+ opened in acme\/platform-gitops$/,
      ),
    });
    const { id } = submitted;

    const [pr, ...others] = await pullRequestsOf(id);
    expect(others).toEqual([]);
    expect(submitted.pullRequest).toEqual({
      repository: gitops.repository,
      number: pr.number,
      url: pr.html_url,
    });
    expect(pr).toMatchObject({ state: 'open', base: { ref: 'main' } });
    expect(pr.title).toBe(
      `Create PostgreSQL database ledger-db for ${PAYMENTS} in dev`,
    );
    expect(pr.body).toContain(`${PORTAL}/infrastructure/requests/${id}`);
    expect(pr.body).toContain(`Requested by: \`${PAT}\``);
    expect(pr.body).toContain('Approval: not required in this environment');

    const file = await gitops.fileOn(
      `paved/request-${id}`,
      'infrastructure/dev/team-payments/postgresqlinstance-ledger-db.yaml',
    );
    expect(parse(file!)).toEqual({
      apiVersion: 'platform.paved.dev/v1alpha1',
      kind: 'PostgreSQLInstance',
      metadata: {
        name: 'ledger-db',
        namespace: 'team-payments',
        labels: { 'paved.dev/request-id': id },
        annotations: {
          'paved.dev/requested-for': PAYMENTS,
          'paved.dev/owner': 'group:default/team-payments',
        },
      },
      spec: submitted.parameters,
    });
    // Nothing reaches the cluster before a person merges.
    expect(await cluster.get(DATABASES, 'team-payments', 'ledger-db')).toBe(
      undefined,
    );

    await merge(pr.number);
    const done = await waitForStatus(id, 'credentials-available');
    expect(done.events.map(e => e.status)).toEqual([
      'queued',
      'pr-opened',
      'merged',
      'created',
      'synced',
      'ready',
      'credentials-available',
    ]);
    expect(done.events[2].message).toBe(
      `Pull request #${pr.number} merged by user alice; waiting for Argo CD to apply it`,
    );
    const xr = await cluster.get(DATABASES, 'team-payments', 'ledger-db');
    expect(xr.metadata.labels['paved.dev/request-id']).toBe(id);
    // The scheduled catch-up ran many times meanwhile; still one pull request.
    expect(await pullRequestsOf(id)).toHaveLength(1);
  });

  it('deletes a resource created through GitOps by a pull request removing its file, once Argo CD prunes it', async () => {
    const created = await submit('retired-db');
    const [createPr] = await pullRequestsOf(created.id);
    await merge(createPr.number);
    await waitForStatus(created.id, 'credentials-available');
    const file =
      'infrastructure/dev/team-payments/postgresqlinstance-retired-db.yaml';
    expect(await gitops.fileOn('main', file)).toBeDefined();

    const res = await call('post', '/requests', PAT, {
      operation: 'delete',
      offering: DATABASE,
      environment: 'dev',
      entityRef: PAYMENTS,
      name: 'retired-db',
      confirmName: 'retired-db',
      clientRequestId: randomUUID(),
    });
    expect(res.status).toBe(201);
    const deletion = res.body as InfrastructureRequest;
    expect(deletion.status).toBe('pr-opened');
    const [pr, ...others] = await pullRequestsOf(deletion.id);
    expect(others).toEqual([]);
    expect(pr.title).toBe(
      `Delete PostgreSQL database retired-db for ${PAYMENTS} in dev`,
    );
    expect(
      await gitops.fileOn(`paved/request-${deletion.id}`, file),
    ).toBeUndefined();
    // Nothing leaves the cluster before a person merges.
    expect(
      await cluster.get(DATABASES, 'team-payments', 'retired-db'),
    ).toBeDefined();

    await merge(pr.number);
    const deleted = await waitForStatus(deletion.id, 'deleted');
    expect(deleted.events.map(e => e.status)).toEqual([
      'queued',
      'pr-opened',
      'merged',
      'deleted',
    ]);
    expect(deleted.events[2].message).toMatch(
      /^Pull request #\d+ merged by user alice; waiting for Argo CD to prune it$/,
    );
    expect(await gitops.fileOn('main', file)).toBeUndefined();
    expect(await cluster.get(DATABASES, 'team-payments', 'retired-db')).toBe(
      undefined,
    );
  });

  it('fails a request whose pull request is closed without merging, saying who closed it', async () => {
    const { id, pullRequest } = await submit('scratch-db');
    await gitops.person.rest.pulls.update({
      owner: gitops.owner,
      repo: gitops.repo,
      pull_number: pullRequest!.number,
      state: 'closed',
    });
    const failed = await waitForStatus(id, 'failed');
    expect(failed.message).toMatch(
      new RegExp(
        `^Pull request #${
          pullRequest!.number
        } was closed without merging by user alice at .+; nothing was created$`,
      ),
    );
    expect(await cluster.get(DATABASES, 'team-payments', 'scratch-db')).toBe(
      undefined,
    );
  });

  it('waits out GitHub rate limit until its reset, then opens one pull request', async () => {
    gitops.github.exhaustRateLimit(2);
    const submitted = await submit('rated-db');
    expect(submitted.status).toBe('queued');
    expect(submitted.message).toMatch(
      /^GitHub rate limit; retrying at \d{4}-\d\d-\d\dT[\d:.]+Z$/,
    );
    expect(submitted.retryAt).toBe(submitted.message!.split(' at ')[1]);

    const opened = await waitForStatus(submitted.id, 'pr-opened');
    const openedAt = opened.events.find(e => e.status === 'pr-opened')!.at;
    expect(Date.parse(openedAt)).toBeGreaterThanOrEqual(
      Date.parse(submitted.retryAt!),
    );
    expect(opened.retryAt).toBeUndefined();
    expect(await pullRequestsOf(submitted.id)).toHaveLength(1);
  });

  it('completes an approved request whose backend restarted before its pull request was opened', async () => {
    const { id } = await submit('restart-db', 'prod');
    await gitops.disconnect();
    const approved = await call('post', `/requests/${id}/approve`, SRE, {
      comment: 'ok for prod',
    });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'queued' });
    expect(approved.body.message).toMatch(/GitHub unreachable: .*; retrying$/);

    await stopBackend();
    await gitops.reconnect();
    await startBackend();

    const opened = await waitForStatus(id, 'pr-opened');
    const [pr, ...others] = await pullRequestsOf(id);
    expect(others).toEqual([]);
    expect(pr.body).toContain(
      `Approval: approved by \`${SRE}\` at ${
        opened.approval!.at
      } — "ok for prod"`,
    );
    await merge(pr.number);
    const done = await waitForStatus(id, 'credentials-available');
    expect(done.events.map(e => e.status)).toEqual([
      'awaiting-approval',
      'queued',
      'pr-opened',
      'merged',
      'created',
      'synced',
      'ready',
      'credentials-available',
    ]);
  });
});
