import { Entity } from '@backstage/catalog-model';
import {
  ApplicationDetailResponse,
  ApplicationHistoryResponse,
  ApplicationSummary,
  EntityApplicationsResponse,
  InstanceState,
} from '@paved/plugin-argocd-common';

export const CART_SHA = '3f9c2a7d41be0c8e5a6f7b8c9d0e1f2a3b4c5d6e';
export const CART_PREVIOUS_SHA = '9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b';

/** A component that claims the Applications named `cart` in the `shop` project. */
export const cartEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'cart',
    namespace: 'default',
    annotations: {
      'argocd/app-name': 'cart',
      'argocd/project-name': 'shop',
    },
  },
  spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
};

export function instance(
  id: string,
  title: string,
  overrides: Partial<InstanceState> = {},
): InstanceState {
  return { instance: id, title, cluster: id, status: 'ready', ...overrides };
}

export function application(
  overrides: Partial<ApplicationSummary> = {},
): ApplicationSummary {
  return {
    instance: 'prod',
    instanceTitle: 'Production',
    cluster: 'prod',
    namespace: 'argocd',
    name: 'cart',
    project: 'shop',
    labels: {},
    sync: { status: 'Synced', revision: CART_SHA },
    health: { status: 'Healthy' },
    lastSyncedAt: new Date(Date.now() - 5 * 60_000).toISOString(),
    images: [],
    conditions: [],
    source: { repoURL: 'https://github.com/paved/cart', path: 'deploy' },
    destination: { namespace: 'cart' },
    revisionUrl: `https://github.com/paved/cart/commit/${CART_SHA}`,
    argocdUrl: 'https://argocd.prod.example.com/applications/argocd/cart',
    ...overrides,
  };
}

export function applicationsResponse(
  applications: ApplicationSummary[],
  instances: InstanceState[] = [instance('prod', 'Production')],
): EntityApplicationsResponse {
  return { applications, instances };
}

export function cartHistory(
  app: ApplicationSummary = application(),
): ApplicationHistoryResponse {
  return {
    application: app,
    history: [
      {
        id: 2,
        revision: CART_SHA,
        deployedAt: new Date(Date.now() - 5 * 60_000).toISOString(),
        deployStartedAt: new Date(
          Date.now() - 5 * 60_000 - 42_000,
        ).toISOString(),
        durationSeconds: 42,
        source: app.source,
        revisionUrl: `https://github.com/paved/cart/commit/${CART_SHA}`,
        commit: {
          sha: CART_SHA,
          message:
            'Raise checkout timeout to 5s\n\nPayments are slow at peak; 2s dropped orders.',
          author: {
            name: 'Ada Lovelace',
            login: 'ada',
            avatarUrl: 'https://avatars.example.com/ada.png',
          },
          url: `https://github.com/paved/cart/commit/${CART_SHA}`,
        },
      },
      {
        id: 1,
        revision: CART_PREVIOUS_SHA,
        deployedAt: new Date(Date.now() - 3 * 86_400_000).toISOString(),
        source: app.source,
        commitError: 'GitHub rate limit reached',
      },
    ],
  };
}

export function cartDetail(
  app: ApplicationSummary = application(),
): ApplicationDetailResponse {
  return {
    application: {
      ...app,
      conditions: [
        { type: 'SyncError', message: 'Deployment cart: image pull back-off' },
      ],
    },
    resources: [
      {
        group: 'apps',
        version: 'v1',
        kind: 'Deployment',
        namespace: 'cart',
        name: 'cart-api',
        status: 'Synced',
        health: { status: 'Degraded', message: 'Readiness probe failed' },
      },
      {
        version: 'v1',
        kind: 'Service',
        namespace: 'cart',
        name: 'cart-svc',
        status: 'OutOfSync',
        health: { status: 'Healthy' },
      },
    ],
    manifest: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'cart', namespace: 'argocd' },
      spec: {
        project: 'shop',
        source: { repoURL: 'https://github.com/paved/cart', path: 'deploy' },
      },
    },
    redacted: false,
  };
}
