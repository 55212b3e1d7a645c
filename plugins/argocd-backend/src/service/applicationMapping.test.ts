/*
 * Mapping rules for Application fields the sandbox's simulated Argo CD never writes (conditions,
 * failed operations, images, managed resources, multiple sources, Helm charts). The whole path
 * from cluster to HTTP response is covered against the stand-ins in plugin.test.ts.
 */
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { ApplicationResource } from './ApplicationResource';
import { CachedApplication } from './ArgoApplicationCache';
import { ArgoInstance } from './ArgoInstances';
import {
  toApplicationSummary,
  toHistoryEntries,
  toManagedResources,
} from './applicationMapping';

const integrations = ScmIntegrations.fromConfig(
  new ConfigReader({
    integrations: {
      github: [
        {
          host: 'ghe.example.com',
          apiBaseUrl: 'https://ghe.example.com/api/v3',
        },
      ],
    },
  }),
);

const instance: ArgoInstance = {
  name: 'prod',
  title: 'Production',
  url: 'https://argocd.example.com',
  controlPlaneNamespace: 'argocd',
  cluster: {
    name: 'prod-eu',
    title: 'prod-eu',
    url: 'https://prod.example.com',
    connection: { error: 'not used' },
  },
};

const sha = '0123456789abcdef0123456789abcdef01234567';

function cached(resource: Partial<ApplicationResource>): CachedApplication {
  const full: ApplicationResource = {
    metadata: { name: 'cart', namespace: 'argocd' },
    spec: {
      project: 'shop',
      source: {
        repoURL: 'git@ghe.example.com:acme/cart.git',
        path: 'deploy',
      },
    },
    ...resource,
  };
  return {
    instance,
    namespace: full.metadata.namespace,
    name: full.metadata.name,
    project: full.spec?.project ?? 'default',
    labels: {},
    resource: full,
  };
}

describe('toApplicationSummary', () => {
  it('links the revision and the Argo CD UI, reading SSH repository URLs', () => {
    const summary = toApplicationSummary(
      cached({
        status: {
          sync: { status: 'Synced', revision: sha },
          health: { status: 'Healthy' },
          summary: { images: ['ghcr.io/acme/cart:1.4.2'] },
        },
      }),
      integrations,
    );
    expect(summary).toMatchObject({
      instance: 'prod',
      instanceTitle: 'Production',
      cluster: 'prod-eu',
      images: ['ghcr.io/acme/cart:1.4.2'],
      revisionUrl: `https://ghe.example.com/acme/cart/commit/${sha}`,
      argocdUrl: 'https://argocd.example.com/applications/argocd/cart',
    });
    expect(summary.problem).toBeUndefined();
  });

  it('names the failing condition as the problem before the health message', () => {
    const summary = toApplicationSummary(
      cached({
        status: {
          sync: { status: 'Unknown' },
          health: { status: 'Degraded', message: 'container crashed' },
          conditions: [
            { type: 'SharedResourceWarning', message: 'shared ConfigMap' },
            {
              type: 'ComparisonError',
              message: 'rpc error: repository not found',
              lastTransitionTime: '2026-11-20T10:00:00Z',
            },
          ],
        },
      }),
      integrations,
    );
    expect(summary.problem).toBe('rpc error: repository not found');
    expect(summary.conditions).toHaveLength(2);
  });

  it('names a failed sync operation as the problem', () => {
    const summary = toApplicationSummary(
      cached({
        status: {
          sync: { status: 'OutOfSync', revision: sha },
          health: { status: 'Healthy' },
          operationState: {
            phase: 'Failed',
            message: 'one or more objects failed to apply',
            startedAt: '2026-11-20T10:00:00Z',
            finishedAt: '2026-11-20T10:00:30Z',
          },
        },
      }),
      integrations,
    );
    expect(summary.problem).toBe('one or more objects failed to apply');
    expect(summary.lastSyncedAt).toBe('2026-11-20T10:00:30Z');
  });

  it('explains an OutOfSync Application that carries no message', () => {
    const summary = toApplicationSummary(
      cached({
        status: {
          sync: { status: 'OutOfSync', revision: sha },
          health: { status: 'Healthy' },
        },
      }),
      integrations,
    );
    expect(summary.problem).toBe('Live state differs from revision 0123456');
  });

  it('uses the first of several sources and does not link Helm chart versions', () => {
    const summary = toApplicationSummary(
      cached({
        spec: {
          sources: [
            {
              repoURL: 'https://ghe.example.com/acme/charts.git',
              chart: 'cart',
              targetRevision: '1.4.2',
            },
            { repoURL: 'https://ghe.example.com/acme/values.git' },
          ],
        },
        status: {
          sync: { status: 'Synced', revisions: ['1.4.2', sha] },
          history: [
            { id: 0, revision: '1.4.0', deployedAt: '2026-11-19T08:00:00Z' },
            { id: 1, revision: '1.4.2', deployedAt: '2026-11-20T08:00:00Z' },
          ],
        },
      }),
      integrations,
    );
    expect(summary.source).toEqual({
      repoURL: 'https://ghe.example.com/acme/charts.git',
      chart: 'cart',
      targetRevision: '1.4.2',
    });
    expect(summary.sync.revision).toBe('1.4.2');
    expect(summary.revisionUrl).toBeUndefined();
    expect(summary.lastSyncedAt).toBe('2026-11-20T08:00:00Z');
  });
});

describe('toManagedResources', () => {
  it('maps status.resources', () => {
    expect(
      toManagedResources(
        cached({
          status: {
            resources: [
              {
                group: 'apps',
                version: 'v1',
                kind: 'Deployment',
                namespace: 'cart',
                name: 'cart',
                status: 'Synced',
                health: { status: 'Degraded', message: 'crash loop' },
              },
              {
                version: 'v1',
                kind: 'Service',
                namespace: 'cart',
                name: 'cart',
              },
            ],
          },
        }).resource,
      ),
    ).toEqual([
      {
        group: 'apps',
        version: 'v1',
        kind: 'Deployment',
        namespace: 'cart',
        name: 'cart',
        status: 'Synced',
        health: { status: 'Degraded', message: 'crash loop' },
      },
      { version: 'v1', kind: 'Service', namespace: 'cart', name: 'cart' },
    ]);
  });
});

describe('toHistoryEntries', () => {
  it('orders newest first and computes how long each deployment took', () => {
    const entries = toHistoryEntries(
      cached({
        status: {
          history: [
            {
              id: 4,
              revision: 'a'.repeat(40),
              deployStartedAt: '2026-11-20T09:59:00Z',
              deployedAt: '2026-11-20T10:00:30Z',
            },
            {
              id: 5,
              revision: sha,
              deployedAt: '2026-11-21T10:00:00Z',
              source: {
                repoURL: 'https://bitbucket.example.com/acme/cart.git',
              },
            },
          ],
        },
      }).resource,
      integrations,
    );
    expect(entries.map(e => e.id)).toEqual([5, 4]);
    expect(entries[0].durationSeconds).toBeUndefined();
    // No GitHub integration covers that host, so there is no link.
    expect(entries[0].revisionUrl).toBeUndefined();
    expect(entries[1]).toMatchObject({
      durationSeconds: 90,
      source: { repoURL: 'git@ghe.example.com:acme/cart.git', path: 'deploy' },
      revisionUrl: `https://ghe.example.com/acme/cart/commit/${'a'.repeat(40)}`,
    });
  });
});
