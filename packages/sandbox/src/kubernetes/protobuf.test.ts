/*
 * The protobuf codec against Kubernetes' own encodings: the fields whose
 * JSON form differs from their message (times, quantities, int-or-string,
 * bytes) and the envelope kubectl reads and writes.
 */
import { decodeKubernetesProtobuf, encodeKubernetesProtobuf } from './protobuf';

describe('Kubernetes protobuf', () => {
  it('round-trips a Deployment with times, quantities, int-or-string and Go-inlined fields', () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'payments',
        namespace: 'shop',
        creationTimestamp: '2026-11-25T10:00:00Z',
        labels: { app: 'payments' },
      },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'payments' } },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 },
        },
        template: {
          metadata: { labels: { app: 'payments' } },
          spec: {
            containers: [
              {
                name: 'api',
                image: 'ghcr.io/paved/payments:1.4.2',
                ports: [{ containerPort: 8080, protocol: 'TCP' }],
                resources: { requests: { cpu: '250m', memory: '512Mi' } },
                readinessProbe: {
                  httpGet: { path: '/ready', port: 'http' },
                  periodSeconds: 5,
                },
                env: [
                  {
                    name: 'DB_PASSWORD',
                    valueFrom: {
                      secretKeyRef: { name: 'db', key: 'password' },
                    },
                  },
                ],
                volumeMounts: [{ name: 'config', mountPath: '/etc/payments' }],
              },
            ],
            volumes: [{ name: 'config', configMap: { name: 'payments' } }],
          },
        },
      },
    };
    const decoded = decodeKubernetesProtobuf(
      encodeKubernetesProtobuf(deployment),
    );
    expect(decoded).toEqual(deployment);
  });

  it('writes the k8s\\0 magic and names apiVersion and kind in the envelope', () => {
    const bytes = encodeKubernetesProtobuf({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'demo' },
    });
    expect([...bytes.subarray(0, 4)]).toEqual([0x6b, 0x38, 0x73, 0x00]);
    expect(bytes.includes(Buffer.from('Namespace'))).toBe(true);
    expect(decodeKubernetesProtobuf(bytes)).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'demo' },
    });
  });

  it('keeps Secret bytes and micro-second event times in their JSON forms', () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db' },
      type: 'Opaque',
      data: { password: Buffer.from('s3cr3t').toString('base64') },
    };
    expect(decodeKubernetesProtobuf(encodeKubernetesProtobuf(secret))).toEqual(
      secret,
    );
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e1', namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'web-0' },
      eventTime: '2026-11-25T10:00:00.123456Z',
      count: 3,
    };
    expect(decodeKubernetesProtobuf(encodeKubernetesProtobuf(event))).toEqual(
      event,
    );
  });

  it('rejects bodies without the magic and kinds it has no message for', () => {
    expect(() => decodeKubernetesProtobuf(Buffer.from('{}'))).toThrow(
      'provided data does not have the k8s\\0 prefix',
    );
    expect(() =>
      encodeKubernetesProtobuf({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
      }),
    ).toThrow(
      'no kind "Application" is registered for version "argoproj.io/v1alpha1"',
    );
  });
});
