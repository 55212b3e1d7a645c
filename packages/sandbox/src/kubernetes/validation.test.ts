/*
 * Schema handling of custom resources as a client sees it in responses:
 * 422 Invalid causes, defaults, pruning.
 */
import { TestCluster, raw, startTestCluster } from './__testUtils__/standIn';

const applications =
  '/apis/argoproj.io/v1alpha1/namespaces/default/applications';

describe('custom resource validation', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startTestCluster();
  });

  afterAll(() => cluster.standIn.stop());

  const create = (path: string, body: unknown) =>
    raw(cluster, 'POST', path, { body });

  it('rejects a missing required field with a cause naming it', async () => {
    const response = await create(applications, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'no-project' },
      spec: { destination: { namespace: 'x' } },
    });
    expect(response.status).toBe(422);
    expect(response.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'Application.argoproj.io "no-project" is invalid: spec.project: Required value',
      reason: 'Invalid',
      details: {
        name: 'no-project',
        group: 'argoproj.io',
        kind: 'Application',
        causes: [
          {
            reason: 'FieldValueRequired',
            message: 'Required value',
            field: 'spec.project',
          },
        ],
      },
      code: 422,
    });
  });

  it('reports wrong types and every other cause in one answer', async () => {
    const response = await create(applications, {
      metadata: { name: 'bad-types' },
      spec: {
        project: 7,
        destination: {},
        source: {
          repoURL: 'https://git.example.com/a.git',
          helm: { parameters: 'x' },
        },
        revisionHistoryLimit: 1.5,
      },
    });
    expect(response.status).toBe(422);
    expect(response.body.details.causes).toHaveLength(3);
    expect(response.body.details.causes).toEqual(
      expect.arrayContaining([
        {
          reason: 'FieldValueTypeInvalid',
          message:
            'Invalid value: "integer": spec.project in body must be of type string: "integer"',
          field: 'spec.project',
        },
        {
          reason: 'FieldValueTypeInvalid',
          message:
            'Invalid value: "number": spec.revisionHistoryLimit in body must be of type integer: "number"',
          field: 'spec.revisionHistoryLimit',
        },
        {
          reason: 'FieldValueTypeInvalid',
          message:
            'Invalid value: "string": spec.source.helm.parameters in body must be of type array: "string"',
          field: 'spec.source.helm.parameters',
        },
      ]),
    );
    expect(response.body.message).toMatch(
      /^Application\.argoproj\.io "bad-types" is invalid: \[/,
    );
  });

  it('rejects a value outside an enum and applies defaults (Crossplane)', async () => {
    const xrds =
      '/apis/apiextensions.crossplane.io/v1/compositeresourcedefinitions';
    const xrd = {
      metadata: { name: 'xdatabases.platform.paved.dev' },
      spec: {
        group: 'platform.paved.dev',
        names: { kind: 'XDatabase', plural: 'xdatabases' },
        versions: [{ name: 'v1alpha1', served: true, referenceable: true }],
      },
    };
    const rejected = await create(xrds, {
      ...xrd,
      spec: { ...xrd.spec, defaultCompositeDeletePolicy: 'Eventually' },
    });
    expect(rejected.status).toBe(422);
    expect(rejected.body.details.causes).toEqual([
      {
        reason: 'FieldValueNotSupported',
        message:
          'Unsupported value: "Eventually": supported values: "Background", "Foreground"',
        field: 'spec.defaultCompositeDeletePolicy',
      },
    ]);

    const accepted = await create(xrds, xrd);
    expect(accepted.status).toBe(201);
    expect(accepted.body.spec.defaultCompositionUpdatePolicy).toBe('Automatic');
    const compositions = await create(
      '/apis/apiextensions.crossplane.io/v1/compositions',
      {
        metadata: { name: 'xdatabases-aws' },
        spec: {
          compositeTypeRef: {
            apiVersion: 'platform.paved.dev/v1alpha1',
            kind: 'XDatabase',
          },
        },
      },
    );
    expect(compositions.body.spec).toMatchObject({
      mode: 'Resources',
      publishConnectionDetailsWithStoreConfigRef: { name: 'default' },
    });
  });

  it('prunes unknown fields but keeps those under x-kubernetes-preserve-unknown-fields', async () => {
    const response = await create(applications, {
      metadata: { name: 'pruned', labels: { a: 'b' }, madeUp: true },
      spec: {
        project: 'default',
        destination: { namespace: 'x', cluster: 'not-a-field' },
        source: {
          repoURL: 'https://git.example.com/a.git',
          helm: { valuesObject: { replicas: 3, nested: { any: ['thing'] } } },
        },
        unknownTopLevel: 'dropped',
      },
      extra: 'dropped',
    });
    expect(response.status).toBe(201);
    expect(response.body.extra).toBeUndefined();
    expect(response.body.metadata.madeUp).toBeUndefined();
    expect(response.body.metadata.labels).toEqual({ a: 'b' });
    expect(response.body.spec.unknownTopLevel).toBeUndefined();
    expect(response.body.spec.destination).toEqual({ namespace: 'x' });
    expect(response.body.spec.source.helm.valuesObject).toEqual({
      replicas: 3,
      nested: { any: ['thing'] },
    });
  });

  it('validates metadata.name as a DNS-1123 subdomain', async () => {
    const response = await create(applications, {
      metadata: { name: 'Not_Valid' },
      spec: { project: 'default', destination: {} },
    });
    expect(response.status).toBe(422);
    expect(response.body.details.causes[0]).toMatchObject({
      reason: 'FieldValueInvalid',
      field: 'metadata.name',
    });
    expect(response.body.details.causes[0].message).toContain(
      'a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters',
    );
  });

  it('answers malformed bodies with 400 and unknown patch formats with 415', async () => {
    const malformed = await raw(cluster, 'POST', applications, {
      body: '{"metadata":',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({
      kind: 'Status',
      reason: 'BadRequest',
      code: 400,
    });

    const strategic = await raw(cluster, 'PATCH', `${applications}/x`, {
      body: {},
      contentType: 'application/strategic-merge-patch+json',
    });
    expect(strategic.status).toBe(415);
    expect(strategic.body.reason).toBe('UnsupportedMediaType');
  });
});
