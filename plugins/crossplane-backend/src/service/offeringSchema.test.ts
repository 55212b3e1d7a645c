import { bundledXrdFiles } from '@paved/sandbox';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { XrdResource, offeringFromXrd } from './offeringSchema';

function sandboxXrds(): XrdResource[] {
  return bundledXrdFiles().flatMap(file =>
    parseAllDocuments(readFileSync(file, 'utf8'))
      .map(document => document.toJS())
      .filter(resource => resource?.kind === 'CompositeResourceDefinition'),
  );
}

function offeringOf(resource: XrdResource) {
  const result = offeringFromXrd(resource);
  if ('reason' in result) {
    throw new Error(`not offered: ${result.reason}`);
  }
  return result.offering;
}

/** An XRD with one version whose `spec` schema is given. */
function xrd(
  spec: unknown,
  overrides: Partial<NonNullable<XrdResource['spec']>> = {},
  apiVersion = 'apiextensions.crossplane.io/v2',
): XrdResource {
  return {
    apiVersion,
    metadata: { name: 'widgets.example.org' },
    spec: {
      group: 'example.org',
      names: { kind: 'Widget', plural: 'widgets' },
      versions: [
        {
          name: 'v1beta1',
          served: true,
          referenceable: true,
          schema: {
            openAPIV3Schema: { type: 'object', properties: { spec } },
          },
        },
      ],
      ...overrides,
    },
  };
}

/** Every key anywhere in a JSON value. */
function keysIn(value: unknown): string[] {
  if (Array.isArray(value)) {
    return value.flatMap(keysIn);
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, v]) => [key, ...keysIn(v)]);
  }
  return [];
}

describe('offeringFromXrd on the sandbox XRDs', () => {
  const xrds = sandboxXrds();

  it('reads every offered XRD the sandbox ships', () => {
    expect(bundledXrdFiles().map(file => basename(file))).toHaveLength(
      xrds.length,
    );
    expect(xrds.map(x => offeringOf(x).name).sort()).toEqual([
      'caches.platform.paved.dev',
      'postgresqlinstances.platform.paved.dev',
      'xbuckets.platform.paved.dev',
    ]);
  });

  it.each(xrds.map(x => [x.metadata.name, x] as const))(
    '%s: no Kubernetes or x-ui keys reach the form schema',
    (_name, resource) => {
      const offering = offeringOf(resource);
      expect(
        keysIn(offering.schema).filter(key => key.startsWith('x-')),
      ).toEqual([]);
      expect(offering.schema.type).toBe('object');
      expect(offering.schema.required).toEqual(['parameters']);
    },
  );

  it('describes the v2 namespaced database with its limits, enums and order', () => {
    const database = offeringOf(
      xrds.find(x => x.spec?.names?.kind === 'PostgreSQLInstance')!,
    );
    expect(database).toMatchObject({
      group: 'platform.paved.dev',
      kind: 'PostgreSQLInstance',
      plural: 'postgresqlinstances',
      version: 'v1alpha1',
      scope: 'Namespaced',
      apiVersion: 'v2',
      title: 'PostgreSQL database',
      resourceType: 'database',
      description:
        'A PostgreSQL database for one service, with its connection details in a Secret.',
    });
    expect(database.claim).toBeUndefined();
    expect(database.connectionSecretKeys).toBeUndefined();
    const parameters = database.schema.properties!.parameters;
    expect(parameters.required).toEqual(['storageGB']);
    expect(parameters.properties!.storageGB).toEqual({
      type: 'integer',
      description: 'Allocated storage in gigabytes.',
      minimum: 10,
      maximum: 500,
      default: 20,
    });
    expect(parameters.properties!.version.enum).toEqual(['14', '15', '16']);
    expect(parameters.properties!.backups.properties!.retentionDays).toEqual(
      expect.objectContaining({ minimum: 1, maximum: 35, default: 7 }),
    );
    expect(database.uiSchema).toEqual({
      parameters: {
        'ui:order': [
          'version',
          'storageGB',
          'tier',
          'backups',
          'deletionProtection',
        ],
        backups: { 'ui:order': ['enabled', 'retentionDays'] },
      },
    });
  });

  it('describes the v1 bucket as a claim with its connection secret keys', () => {
    const bucket = offeringOf(
      xrds.find(x => x.metadata.name === 'xbuckets.platform.paved.dev')!,
    );
    expect(bucket).toMatchObject({
      kind: 'XBucket',
      scope: 'LegacyCluster',
      apiVersion: 'v1',
      claim: { kind: 'Bucket', plural: 'buckets' },
      title: 'Object storage bucket',
      resourceType: 'bucket',
      connectionSecretKeys: ['bucket', 'endpoint', 'region'],
    });
    const rules =
      bucket.schema.properties!.parameters.properties!.lifecycle.properties!
        .rules;
    expect(rules.type).toBe('array');
    expect(rules.items).toMatchObject({
      type: 'object',
      required: ['expireAfterDays'],
      properties: { expireAfterDays: { type: 'integer', minimum: 1 } },
    });
    expect(bucket.uiSchema).toEqual({});
  });

  it('describes the cache: booleans, a pattern, and an array of objects with its own order', () => {
    const cache = offeringOf(xrds.find(x => x.spec?.names?.kind === 'Cache')!);
    const parameters = cache.schema.properties!.parameters;
    expect(parameters.properties!.highAvailability).toMatchObject({
      type: 'boolean',
      default: false,
    });
    expect(
      parameters.properties!.persistence.properties!.snapshotSchedule,
    ).toMatchObject({ pattern: '^(\\S+\\s+){4}\\S+$', default: '0 3 * * *' });
    expect(parameters.properties!.allowedClients).toMatchObject({
      type: 'array',
      maxItems: 10,
      items: {
        type: 'object',
        required: ['namespace', 'podLabel'],
        properties: { namespace: { maxLength: 63 } },
      },
    });
    expect(
      (cache.uiSchema.parameters as any).allowedClients.items['ui:order'],
    ).toEqual(['namespace', 'podLabel']);
  });
});

describe('offeringFromXrd edge cases', () => {
  it('removes the fields Crossplane v2 adds under spec.crossplane', () => {
    const offering = offeringOf(
      xrd({
        type: 'object',
        required: ['crossplane', 'size'],
        properties: {
          crossplane: {
            type: 'object',
            properties: { compositionRef: { type: 'object' } },
          },
          size: { type: 'string' },
        },
      }),
    );
    expect(Object.keys(offering.schema.properties!)).toEqual(['size']);
    expect(offering.schema.required).toEqual(['size']);
    // Without paved.dev/resource-type the catalog falls back to the kind.
    expect(offering.resourceType).toBeUndefined();
  });

  it('removes the fields Crossplane v1 adds to composites and claims, keeping the rest', () => {
    const crossplaneFields = [
      'compositionRef',
      'compositionSelector',
      'compositionRevisionRef',
      'compositionRevisionSelector',
      'compositionUpdatePolicy',
      'compositeDeletePolicy',
      'resourceRef',
      'writeConnectionSecretToRef',
      'publishConnectionDetailsTo',
      'claimRef',
      'resourceRefs',
    ];
    const offering = offeringOf(
      xrd(
        {
          type: 'object',
          'x-ui-order': ['size', 'compositionRef'],
          properties: {
            size: { type: 'string' },
            crossplane: { type: 'string' },
            ...Object.fromEntries(
              crossplaneFields.map(f => [f, { type: 'object' }]),
            ),
          },
        },
        {},
        'apiextensions.crossplane.io/v1',
      ),
    );
    expect(offering.scope).toBe('LegacyCluster');
    expect(Object.keys(offering.schema.properties!)).toEqual([
      'size',
      'crossplane',
    ]);
    expect(offering.uiSchema['ui:order']).toEqual(['size', '*']);
  });

  it('reads a v1 XRD served through v2 by its scope, and a v2 cluster-scoped one as v2', () => {
    const legacy = offeringOf(
      xrd(
        { type: 'object' },
        {
          scope: 'LegacyCluster',
          claimNames: { kind: 'Gadget', plural: 'gadgets' },
        },
      ),
    );
    expect(legacy).toMatchObject({
      apiVersion: 'v1',
      claim: { kind: 'Gadget' },
    });
    const cluster = offeringOf(xrd({ type: 'object' }, { scope: 'Cluster' }));
    expect(cluster).toMatchObject({ apiVersion: 'v2', scope: 'Cluster' });
    expect(cluster.claim).toBeUndefined();
  });

  it('turns int-or-string into a choice of integer or string and strips Kubernetes keys', () => {
    const offering = offeringOf(
      xrd({
        type: 'object',
        properties: {
          port: {
            'x-kubernetes-int-or-string': true,
            description: 'Port number or name.',
          },
          labels: {
            type: 'object',
            additionalProperties: { type: 'string', maxLength: 63 },
            'x-kubernetes-map-type': 'granular',
          },
          tags: {
            type: 'array',
            items: { type: 'string' },
            'x-kubernetes-list-type': 'set',
          },
        },
      }),
    );
    expect(offering.schema.properties).toEqual({
      port: {
        description: 'Port number or name.',
        anyOf: [{ type: 'integer' }, { type: 'string' }],
      },
      labels: {
        type: 'object',
        additionalProperties: { type: 'string', maxLength: 63 },
      },
      tags: { type: 'array', items: { type: 'string' } },
    });
  });

  it('accepts any fields where Kubernetes preserves unknown fields, and refuses them elsewhere', () => {
    const offering = offeringOf(
      xrd({
        type: 'object',
        properties: {
          settings: {
            type: 'object',
            'x-kubernetes-preserve-unknown-fields': true,
          },
          anything: { 'x-kubernetes-preserve-unknown-fields': true },
          sized: {
            type: 'object',
            properties: { cpu: { type: 'string' } },
          },
        },
      }),
    );
    const { settings, anything, sized } = offering.schema.properties!;
    expect(settings).toEqual({ type: 'object', additionalProperties: true });
    expect(anything).toEqual({});
    expect(sized.additionalProperties).toBe(false);
    expect(offering.schema.additionalProperties).toBe(false);
  });

  it('keeps exclusive bounds, formats and titles; passes hidden and advanced hints to the uiSchema', () => {
    const offering = offeringOf(
      xrd({
        type: 'object',
        properties: {
          ratio: {
            type: 'number',
            title: 'Ratio',
            exclusiveMinimum: 0,
            exclusiveMaximum: 1,
          },
          contact: { type: 'string', format: 'email', minLength: 3 },
          internalId: { type: 'string', 'x-ui-hidden': true },
          tuning: {
            type: 'object',
            'x-ui-advanced': true,
            'x-ui-order': ['b', 'a'],
            properties: { a: { type: 'string' }, b: { type: 'string' } },
          },
        },
      }),
    );
    expect(offering.schema.properties!.ratio).toEqual({
      type: 'number',
      title: 'Ratio',
      exclusiveMinimum: 0,
      exclusiveMaximum: 1,
    });
    expect(offering.schema.properties!.contact).toEqual({
      type: 'string',
      format: 'email',
      minLength: 3,
    });
    expect(offering.uiSchema).toEqual({
      internalId: { 'ui:widget': 'hidden' },
      tuning: { 'ui:advanced': true, 'ui:order': ['b', 'a'] },
    });
  });

  it('uses the version that is served and referenceable', () => {
    const offering = offeringOf({
      ...xrd({}),
      spec: {
        group: 'example.org',
        names: { kind: 'Widget', plural: 'widgets' },
        versions: [
          {
            name: 'v1alpha1',
            served: true,
            referenceable: false,
            schema: {
              openAPIV3Schema: {
                properties: {
                  spec: { type: 'object', properties: { old: {} } },
                },
              },
            },
          },
          {
            name: 'v1beta1',
            served: true,
            referenceable: true,
            schema: {
              openAPIV3Schema: {
                properties: {
                  spec: { type: 'object', properties: { size: {} } },
                },
              },
            },
          },
        ],
      },
    });
    expect(offering.version).toBe('v1beta1');
    expect(Object.keys(offering.schema.properties!)).toEqual(['size']);
  });

  it('offers nothing when no version is both served and referenceable, saying why', () => {
    const result = offeringFromXrd({
      ...xrd({}),
      spec: {
        group: 'example.org',
        names: { kind: 'Widget', plural: 'widgets' },
        versions: [
          { name: 'v1alpha1', served: false, referenceable: true },
          { name: 'v1beta1', served: true, referenceable: false },
        ],
      },
    });
    expect(result).toEqual({
      reason:
        'no version is both served and referenceable (versions: v1alpha1, v1beta1)',
    });
  });

  it('takes title and description from annotations when given', () => {
    const offering = offeringOf({
      ...xrd({ type: 'object' }),
      metadata: {
        name: 'widgets.example.org',
        annotations: {
          'paved.dev/title': 'Widget store',
          'paved.dev/description': 'Stores widgets.',
        },
      },
    });
    expect(offering).toMatchObject({
      title: 'Widget store',
      description: 'Stores widgets.',
    });
  });
});
