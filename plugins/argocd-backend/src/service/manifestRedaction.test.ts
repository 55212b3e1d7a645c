import { REDACTED_VALUE } from '@paved/plugin-argocd-common';
import { redactManifest } from './manifestRedaction';

const helmSource = {
  repoURL: 'https://charts.example.com',
  chart: 'payments',
  targetRevision: '1.2.3',
  helm: {
    releaseName: 'payments',
    values: 'db:\n  password: hunter2\n',
    valuesObject: { stripe: { apiKey: 'sk_live_1' } },
    parameters: [{ name: 'db.password', value: 'hunter2', forceString: true }],
    fileParameters: [{ name: 'tls.key', path: 'secrets/tls.key' }],
  },
};

const kustomizeSource = {
  repoURL: 'https://github.com/acme/payments.git',
  path: 'deploy',
  kustomize: {
    images: ['payments:1.2.3'],
    patches: [{ patch: 'value: secret-token' }],
  },
};

const pluginSource = {
  repoURL: 'https://github.com/acme/payments.git',
  path: 'deploy',
  plugin: {
    name: 'sops',
    env: [{ name: 'SOPS_AGE_KEY', value: 'AGE-SECRET-KEY-1' }],
  },
};

describe('redactManifest', () => {
  const manifest = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'payments', namespace: 'argocd' },
    spec: { project: 'team-payments', source: helmSource },
    status: {
      sync: { status: 'Synced', comparedTo: { sources: [kustomizeSource] } },
      history: [{ id: 1, revision: 'abc', source: pluginSource }],
      operationState: {
        phase: 'Succeeded',
        operation: {
          sync: {
            revision: 'abc',
            source: helmSource,
            manifests: ['kind: Secret'],
          },
        },
        syncResult: { revision: 'abc', sources: [helmSource, pluginSource] },
      },
    },
    operation: { sync: { revision: 'abc', source: kustomizeSource } },
  };
  const redacted = redactManifest(manifest);
  const text = JSON.stringify(redacted);

  it('leaves no credential anywhere Argo CD repeats the source', () => {
    for (const secret of [
      'hunter2',
      'sk_live_1',
      'secret-token',
      'AGE-SECRET-KEY-1',
      'secrets/tls.key',
      'kind: Secret',
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('keeps what tells a reader where the deployment comes from, and which parameters are set', () => {
    expect(redacted).toMatchObject({
      spec: {
        project: 'team-payments',
        source: {
          repoURL: 'https://charts.example.com',
          chart: 'payments',
          targetRevision: '1.2.3',
          helm: {
            releaseName: 'payments',
            values: REDACTED_VALUE,
            valuesObject: REDACTED_VALUE,
            parameters: [
              { name: 'db.password', value: REDACTED_VALUE, forceString: true },
            ],
            fileParameters: [{ name: 'tls.key', path: REDACTED_VALUE }],
          },
        },
      },
      status: {
        sync: {
          comparedTo: {
            sources: [
              {
                kustomize: {
                  images: ['payments:1.2.3'],
                  patches: REDACTED_VALUE,
                },
              },
            ],
          },
        },
        history: [
          {
            source: {
              plugin: {
                name: 'sops',
                env: [{ name: 'SOPS_AGE_KEY', value: REDACTED_VALUE }],
              },
            },
          },
        ],
      },
    });
  });

  it('does not change the cached resource', () => {
    expect(manifest.spec.source.helm.values).toContain('hunter2');
  });
});
