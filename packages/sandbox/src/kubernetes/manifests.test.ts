import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import {
  Manifest,
  renderManifests,
  RepositoryFiles,
  unreadBases,
} from './manifests';

/**
 * A service repository laid out as the golden-path templates lay theirs out: a base with the
 * kinds they generate, a dev overlay building it from `../../base`, and a folder of shared
 * objects the base builds in turn. It uses every kustomization field the sandbox renders.
 */
const repository: RepositoryFiles = {
  'README.md': '# orders\n',
  'catalog-info.yaml':
    'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: { name: orders }\n',
  'deploy/shared/kustomization.yaml': [
    'resources: [configmap.yaml]',
    'commonLabels: { shared: "true" }',
    '',
  ].join('\n'),
  'deploy/shared/configmap.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: orders-settings }\ndata: { LOG_LEVEL: info }\n',
  'deploy/base/kustomization.yaml': [
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'resources:',
    '  - deployment.yaml',
    '  - service.yaml',
    '  - hpa.yaml',
    '  - pdb.yaml',
    '  - networkpolicy.yaml',
    '  - ../shared',
    'labels:',
    '  - pairs: { app.kubernetes.io/name: orders }',
    '    includeSelectors: true',
    '  - pairs: { app.kubernetes.io/part-of: payments, backstage.io/kubernetes-id: orders }',
    '    includeTemplates: true',
    '',
  ].join('\n'),
  'deploy/base/deployment.yaml': [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: { name: orders }',
    'spec:',
    '  replicas: 2',
    '  selector: { matchLabels: { app: orders } }',
    '  template:',
    '    metadata: { labels: { app: orders } }',
    '    spec:',
    '      securityContext: { runAsNonRoot: true }',
    '      containers:',
    '        - name: orders',
    '          image: ghcr.io/acme/orders:0.1.0',
    '          ports: [{ name: http, containerPort: 8080 }]',
    '          env: [{ name: PORT, value: "8080" }, { name: LOG_FORMAT, value: json }]',
    '          readinessProbe: { httpGet: { path: /readyz, port: http } }',
    '          resources:',
    '            requests: { cpu: 100m, memory: 128Mi }',
    '            limits: { cpu: 500m, memory: 256Mi }',
    '        - name: proxy',
    '          image: envoyproxy/envoy:v1.31.0',
    '          args: [--config-path, /etc/envoy/envoy.yaml]',
    '',
  ].join('\n'),
  'deploy/base/service.yaml': [
    'apiVersion: v1',
    'kind: Service',
    'metadata: { name: orders }',
    'spec:',
    '  selector: { app: orders }',
    '  ports: [{ name: http, port: 80, targetPort: http }]',
    '',
  ].join('\n'),
  'deploy/base/hpa.yaml': [
    'apiVersion: autoscaling/v2',
    'kind: HorizontalPodAutoscaler',
    'metadata: { name: orders }',
    'spec:',
    '  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: orders }',
    '  minReplicas: 2',
    '  maxReplicas: 10',
    '  metrics:',
    '    - type: Resource',
    '      resource: { name: cpu, target: { type: Utilization, averageUtilization: 70 } }',
    '',
  ].join('\n'),
  'deploy/base/pdb.yaml': [
    'apiVersion: policy/v1',
    'kind: PodDisruptionBudget',
    'metadata: { name: orders }',
    'spec: { minAvailable: 1, selector: { matchLabels: { app: orders } } }',
    '',
  ].join('\n'),
  'deploy/base/networkpolicy.yaml': [
    'apiVersion: networking.k8s.io/v1',
    'kind: NetworkPolicy',
    'metadata: { name: orders }',
    'spec:',
    '  podSelector: { matchLabels: { app: orders } }',
    '  policyTypes: [Ingress]',
    '  ingress:',
    '    - from: [{ podSelector: {} }, { podSelector: { matchLabels: { role: gateway } } }]',
    '      ports: [{ port: 8080 }]',
    '',
  ].join('\n'),
  'deploy/overlays/dev/kustomization.yaml': [
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'resources: [../../base]',
    'namespace: payments',
    'commonLabels: { environment: dev }',
    'labels:',
    '  - pairs: { release: "1.10" }',
    'patches:',
    '  - path: resources.yaml',
    '  - target: { kind: HorizontalPodAutoscaler, name: orders }',
    '    patch: |-',
    '      apiVersion: autoscaling/v2',
    '      kind: HorizontalPodAutoscaler',
    '      metadata: { name: any-name }',
    '      spec: { minReplicas: 1, maxReplicas: 3 }',
    '  - target: { kind: PodDisruptionBudget }',
    '    patch: |-',
    '      apiVersion: policy/v1',
    '      kind: PodDisruptionBudget',
    '      metadata: { name: orders, labels: { environment: patched } }',
    '      spec: { minAvailable: 0 }',
    'images:',
    '  - { name: ghcr.io/acme/orders, newTag: "1.10" }',
    '  - { name: envoyproxy/envoy, newName: mirror.acme.test/envoy }',
    'replicas:',
    '  - { name: orders, count: 1 }',
    '',
  ].join('\n'),
  // A strategic-merge patch that touches merged lists (containers, env, ports), deletes a field
  // and replaces a list without a merge key.
  'deploy/overlays/dev/resources.yaml': [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: { name: orders }',
    'spec:',
    '  replicas: 4',
    '  template:',
    '    spec:',
    '      securityContext: null',
    '      containers:',
    '        - name: proxy',
    '          args: [--log-level, debug]',
    '        - name: orders',
    '          image: ghcr.io/acme/orders:dev',
    '          env: [{ name: LOG_FORMAT, value: text }, { name: DEBUG, value: "1" }]',
    '          ports: [{ name: metrics, containerPort: 9090 }]',
    '          resources: { limits: { memory: 128Mi } }',
    '',
  ].join('\n'),
};

function sorted(manifests: Manifest[]) {
  return [...manifests].sort((a, b) =>
    `${a.kind}/${a.metadata.name}` < `${b.kind}/${b.metadata.name}` ? -1 : 1,
  );
}

describe('rendering a kustomize overlay', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'paved-kustomize-'));
    for (const [file, text] of Object.entries(repository)) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), text);
    }
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the same objects as the real kustomize (kubectl kustomize)', async () => {
    // Fails rather than skips without kubectl: install Debian's kubernetes-client.
    const { stdout } = await promisify(execFile)('kubectl', [
      'kustomize',
      join(dir, 'deploy/overlays/dev'),
    ]);
    const expected = parseAllDocuments(stdout).map(d => d.toJS() as Manifest);

    const { manifests, sourceType } = renderManifests(
      repository,
      'deploy/overlays/dev',
      {},
    );

    expect(sourceType).toBe('Kustomize');
    expect(expected.map(m => m.kind).sort()).toEqual([
      'ConfigMap',
      'Deployment',
      'HorizontalPodAutoscaler',
      'NetworkPolicy',
      'PodDisruptionBudget',
      'Service',
    ]);
    expect(sorted(manifests)).toEqual(sorted(expected));
  });

  it('builds the base with what the overlay changes: namespace, labels, patches, images, replicas', () => {
    const { manifests } = renderManifests(
      repository,
      'deploy/overlays/dev',
      {},
    );
    const deployment = manifests.find(m => m.kind === 'Deployment')!;
    expect(deployment.metadata.namespace).toBe('payments');
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.selector.matchLabels).toEqual({
      app: 'orders',
      'app.kubernetes.io/name': 'orders',
      environment: 'dev',
    });
    expect(deployment.spec.template.metadata.labels).toMatchObject({
      'backstage.io/kubernetes-id': 'orders',
    });
    // The patch's containers first, merged by name; then the base's others.
    const [proxy, orders] = deployment.spec.template.spec.containers;
    expect(proxy.name).toBe('proxy');
    expect(proxy.args).toEqual(['--log-level', 'debug']);
    expect(orders.image).toBe('ghcr.io/acme/orders:1.10');
    expect(orders.env.map((e: { name: string }) => e.name)).toEqual([
      'LOG_FORMAT',
      'DEBUG',
      'PORT',
    ]);
    expect(deployment.metadata.labels.release).toBe('1.10');
  });

  it('names the bases a reader still has to fetch, level by level', () => {
    const overlayOnly = Object.fromEntries(
      Object.entries(repository).filter(([file]) =>
        file.startsWith('deploy/overlays/dev/'),
      ),
    );
    expect(unreadBases(overlayOnly)).toEqual(['deploy/base']);
    const withBase = Object.fromEntries(
      Object.entries(repository).filter(
        ([file]) => !file.startsWith('deploy/shared/'),
      ),
    );
    expect(unreadBases(withBase)).toEqual(['deploy/shared']);
    expect(unreadBases(repository)).toEqual([]);
  });

  it('renders a directory source from the files under its path only', () => {
    const { manifests, sourceType } = renderManifests(
      {
        'deploy/base/configmap.yaml':
          'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\n',
        'deploy/base/nested/secret.yaml':
          'apiVersion: v1\nkind: Secret\nmetadata: { name: b }\n',
        'other/service.yaml':
          'apiVersion: v1\nkind: Service\nmetadata: { name: c }\n',
      },
      'deploy/base',
      {},
    );
    expect(sourceType).toBe('Directory');
    expect(manifests.map(m => m.metadata.name)).toEqual(['a']);
  });

  describe('refuses, naming the cause,', () => {
    const overlay =
      (kustomization: string, extra: RepositoryFiles = {}) =>
      () =>
        renderManifests(
          {
            ...repository,
            'deploy/overlays/dev/kustomization.yaml': kustomization,
            ...extra,
          },
          'deploy/overlays/dev',
          {},
        );

    it('a base outside the repository', () => {
      expect(overlay('resources: [../../../../elsewhere]\n')).toThrow(
        'deploy/overlays/dev/kustomization.yaml: "../../../../elsewhere" points outside the repository root',
      );
    });

    it("a file outside the kustomization's folder, as kustomize does", () => {
      expect(overlay('resources: [../../base/service.yaml]\n')).toThrow(
        'is not in or below "deploy/overlays/dev"',
      );
    });

    it('a folder without a kustomization', () => {
      expect(
        overlay('resources: [../plain]\n', {
          'deploy/overlays/plain/a.yaml':
            'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\n',
        }),
      ).toThrow("in directory 'deploy/overlays/plain'");
    });

    it('a JSON 6902 patch', () => {
      expect(
        overlay(
          [
            'resources: [../../base]',
            'patches:',
            '  - target: { kind: Deployment }',
            '    patch: |-',
            '      - { op: replace, path: /spec/replicas, value: 3 }',
            '',
          ].join('\n'),
        ),
      ).toThrow('is a JSON 6902 patch');
    });

    it('a patch that matches nothing', () => {
      expect(
        overlay(
          [
            'resources: [../../base]',
            'patches:',
            '  - patch: "{apiVersion: apps/v1, kind: Deployment, metadata: {name: payments}}"',
            '',
          ].join('\n'),
        ),
      ).toThrow(
        'no resource matches strategic merge patch "Deployment/payments"',
      );
    });

    it('an unquoted number where kustomize wants a string', () => {
      expect(
        overlay(
          'resources: [../../base]\nimages: [{ name: ghcr.io/acme/orders, newTag: 1.10 }]\n',
        ),
      ).toThrow('images[0].newTag must be a string; quote it');
    });

    it('a field the sandbox does not render', () => {
      expect(overlay('resources: [../../base]\nnamePrefix: dev-\n')).toThrow(
        '"namePrefix" not rendered by the sandbox',
      );
    });

    it('a base that builds itself', () => {
      expect(() =>
        renderManifests(
          {
            'a/kustomization.yaml': 'resources: [../b]\n',
            'b/kustomization.yaml': 'resources: [../a]\n',
          },
          'a',
          {},
        ),
      ).toThrow('cycle detected');
    });
  });
});
