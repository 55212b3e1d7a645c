import { Entity } from '@backstage/catalog-model';
import {
  EnvironmentOffering,
  InfrastructureRequest,
  LiveResource,
  Offering,
  OfferingForm,
  RequestResourceDetail,
} from '@paved/plugin-crossplane-common';

export const POSTGRES = 'postgresqlinstances.platform.paved.dev';

export const postgresOffering: Offering = {
  name: POSTGRES,
  group: 'platform.paved.dev',
  kind: 'PostgreSQLInstance',
  plural: 'postgresqlinstances',
  version: 'v1alpha1',
  scope: 'Namespaced',
  apiVersion: 'v2',
  title: 'PostgreSQL database',
  description: 'A managed PostgreSQL database with daily backups.',
  clusters: ['dev-eu', 'prod-eu'],
  schema: {
    type: 'object',
    properties: {
      storageGB: { type: 'integer', title: 'Storage (GB)', minimum: 10 },
    },
  },
  uiSchema: {},
};

export const bucketOffering: Offering = {
  ...postgresOffering,
  name: 'buckets.platform.paved.dev',
  kind: 'Bucket',
  plural: 'buckets',
  title: 'Object storage bucket',
  description: 'An S3-compatible bucket.',
  clusters: ['dev-eu'],
};

function environment(
  overrides: Partial<EnvironmentOffering> & { name: string },
): EnvironmentOffering {
  return {
    title: overrides.name,
    cluster: `${overrides.name}-eu`,
    approvalRequired: false,
    schema: {
      type: 'object',
      required: ['storageGB'],
      properties: {
        storageGB: {
          type: 'integer',
          title: 'Storage (GB)',
          minimum: 10,
          maximum: 500,
        },
        version: {
          type: 'string',
          title: 'PostgreSQL version',
          enum: ['15', '16'],
          default: '16',
        },
      },
    },
    uiSchema: { 'ui:order': ['storageGB', 'version'] },
    guardrails: [],
    available: true,
    ...overrides,
  };
}

export const postgresForm: OfferingForm = {
  offering: postgresOffering,
  environments: [
    environment({
      name: 'development',
      title: 'Development',
      guardrails: ['Storage (GB) at most 500'],
    }),
    environment({
      name: 'production',
      title: 'Production',
      approvalRequired: true,
      guardrails: ['Storage (GB) at most 100', 'Backups are always on'],
      quotaPerTeam: 3,
    }),
    environment({
      name: 'staging',
      title: 'Staging',
      available: false,
      unavailableReason:
        'The staging cluster does not offer PostgreSQLInstance',
    }),
  ],
};

export const paymentsService: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-service', namespace: 'default' },
  spec: { type: 'service', owner: 'group:default/team-payments' },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/team-payments' }],
};

export const checkoutSystem: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'System',
  metadata: { name: 'checkout', namespace: 'default', title: 'Checkout' },
  spec: { owner: 'group:default/team-payments' },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/team-payments' }],
};

export const someoneElsesService: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'search-service', namespace: 'default' },
  spec: { type: 'service', owner: 'group:default/team-search' },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/team-search' }],
};

/** A request for the payments service's database, `ready` unless overridden. */
export function infrastructureRequest(
  overrides: Partial<InfrastructureRequest> = {},
): InfrastructureRequest {
  return {
    id: 'req-1',
    operation: 'create',
    offering: POSTGRES,
    offeringTitle: 'PostgreSQL database',
    environment: 'development',
    entityRef: 'component:default/payments-service',
    ownerRef: 'group:default/team-payments',
    requestedBy: 'user:default/jane',
    resource: {
      cluster: 'dev-eu',
      apiVersion: 'platform.paved.dev/v1alpha1',
      kind: 'PostgreSQLInstance',
      namespace: 'team-payments',
      name: 'payments-db',
    },
    parameters: { storageGB: 20, version: '16' },
    status: 'ready',
    createdAt: '2026-11-25T09:00:00.000Z',
    updatedAt: '2026-11-25T09:06:00.000Z',
    events: [
      { status: 'queued', at: '2026-11-25T09:00:00.000Z' },
      { status: 'created', at: '2026-11-25T09:01:00.000Z' },
      {
        status: 'synced',
        at: '2026-11-25T09:02:00.000Z',
        message: 'ReconcileSuccess',
      },
      {
        status: 'ready',
        at: '2026-11-25T09:06:00.000Z',
        message: 'Available',
      },
    ],
    ...overrides,
  };
}

/** The resource of a ready request: conditions, what Crossplane composed, Events and the Secret. */
export const readyResource: RequestResourceDetail = {
  exists: true,
  conditions: [
    { type: 'Synced', status: 'True', reason: 'ReconcileSuccess' },
    {
      type: 'Ready',
      status: 'True',
      reason: 'Available',
      message: 'All composed resources are ready',
    },
  ],
  composed: [
    {
      apiVersion: 'rds.aws.upbound.io/v1beta1',
      kind: 'Instance',
      name: 'payments-db-x7k2p',
    },
  ],
  events: [
    {
      type: 'Normal',
      reason: 'ComposeResources',
      message: 'Successfully composed resources',
      count: 3,
      lastTimestamp: '2026-11-25T09:05:00.000Z',
    },
  ],
  secret: {
    namespace: 'team-payments',
    name: 'payments-db-conn',
    keys: ['host', 'password', 'username'],
  },
};

/** A live, ready database of the payments service on the development cluster. */
export function liveResource(
  overrides: Partial<LiveResource> = {},
): LiveResource {
  return {
    cluster: 'dev-eu',
    environment: 'development',
    apiVersion: 'platform.paved.dev/v1alpha1',
    kind: 'PostgreSQLInstance',
    namespace: 'team-payments',
    name: 'payments-db',
    offering: POSTGRES,
    offeringTitle: 'PostgreSQL database',
    conditions: [
      { type: 'Ready', status: 'True', reason: 'Available' },
      { type: 'Synced', status: 'True', reason: 'ReconcileSuccess' },
    ],
    parameters: { storageGB: 20, version: '16' },
    requestId: 'req-1',
    deleting: false,
    mayChange: true,
    ...overrides,
  };
}
