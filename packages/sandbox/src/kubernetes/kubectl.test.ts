/*
 * The stand-in as kubectl sees it: a real kubectl binary with a kubeconfig
 * that trusts the stand-in's CA, applying, reading, patching, watching and
 * deleting an Argo CD Application, creating built-in objects (which kubectl
 * sends as protobuf) and printing the server's Table columns.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { TestCluster, raw, startTestCluster } from './__testUtils__/standIn';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const MISSING_KUBECTL =
  "kubectl is not on PATH; install it with Debian's kubernetes-client package (apt-get install -y kubernetes-client)";

describe('kubectl against the stand-in', () => {
  // Each kubectl run takes a few hundred milliseconds, several times that on a busy machine.
  jest.setTimeout(90_000);

  let cluster: TestCluster;
  let home: string;
  let env: NodeJS.ProcessEnv;

  // Asynchronous on purpose: the stand-in answers kubectl from this same process.
  function start(args: string[]): ChildProcess {
    return spawn('kubectl', args, { env });
  }

  function kubectl(...args: string[]): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = start(args);
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', chunk => {
        stdout += chunk;
      });
      child.stderr?.on('data', chunk => {
        stderr += chunk;
      });
      child.on('error', error =>
        reject(
          (error as NodeJS.ErrnoException).code === 'ENOENT'
            ? new Error(MISSING_KUBECTL)
            : error,
        ),
      );
      child.on('close', code => resolve({ code, stdout, stderr }));
    });
  }

  beforeAll(async () => {
    cluster = await startTestCluster();
    await raw(cluster, 'POST', '/api/v1/namespaces', {
      body: { metadata: { name: 'argocd' } },
    });
    home = mkdtempSync(join(tmpdir(), 'paved-kubectl-'));
    writeFileSync(
      join(home, 'kubeconfig'),
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'stand-in',
            cluster: {
              server: cluster.standIn.url,
              'certificate-authority-data': cluster.standIn.caData,
            },
          },
        ],
        users: [{ name: 'tester', user: { token: cluster.token } }],
        contexts: [
          {
            name: 'stand-in',
            context: { cluster: 'stand-in', user: 'tester' },
          },
        ],
        'current-context': 'stand-in',
      }),
    );
    writeFileSync(
      join(home, 'application.yaml'),
      stringify({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: { name: 'payments', namespace: 'argocd' },
        spec: {
          project: 'default',
          source: {
            repoURL: 'https://github.example.com/paved/deploy.git',
            path: 'apps/payments',
            targetRevision: 'main',
          },
          destination: {
            server: 'https://kubernetes.default.svc',
            namespace: 'payments',
          },
        },
      }),
    );
    // HOME keeps kubectl's discovery cache out of the real home directory.
    env = { ...process.env, HOME: home, KUBECONFIG: join(home, 'kubeconfig') };
  });

  afterAll(async () => {
    await cluster.standIn.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('applies, gets, patches, watches and deletes an Application', async () => {
    const applied = await kubectl(
      'apply',
      '-f',
      join(home, 'application.yaml'),
    );
    expect(applied).toEqual({
      code: 0,
      stdout: 'application.argoproj.io/payments created\n',
      stderr: '',
    });

    const listed = await kubectl(
      'get',
      'applications',
      '-n',
      'argocd',
      '-o',
      'json',
    );
    expect(listed.code).toBe(0);
    const list = JSON.parse(listed.stdout);
    expect(list.items.map((item: any) => item.metadata.name)).toEqual([
      'payments',
    ]);
    expect(
      list.items[0].metadata.annotations[
        'kubectl.kubernetes.io/last-applied-configuration'
      ],
    ).toContain('"apps/payments"');

    const patched = await kubectl(
      'patch',
      'application',
      'payments',
      '-n',
      'argocd',
      '--type',
      'merge',
      '-p',
      '{"spec":{"source":{"targetRevision":"v2"}}}',
    );
    expect(patched).toEqual({
      code: 0,
      stdout: 'application.argoproj.io/payments patched\n',
      stderr: '',
    });

    // kubectl prints the object, then opens its watch from the list's resourceVersion. On a
    // loaded machine that can take seconds; a label changed again every few seconds until a
    // MODIFIED event shows makes the step not depend on when the watch is open.
    let attempt = 0;
    const relabel = () =>
      raw(
        cluster,
        'PATCH',
        '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/payments',
        {
          body: {
            metadata: { labels: { watched: 'yes', attempt: `${++attempt}` } },
          },
          contentType: 'application/merge-patch+json',
        },
      );
    const watcher = start([
      'get',
      'application',
      'payments',
      '-n',
      'argocd',
      '--watch',
      '--output-watch-events',
      '-o',
      'json',
    ]);
    const events: any[] = [];
    const seen = new Promise<void>((resolve, reject) => {
      let buffer = '';
      watcher.on('error', reject);
      watcher.stdout?.on('data', chunk => {
        buffer += chunk;
        // With --output-watch-events, kubectl prints each event as one line of JSON.
        let newline = buffer.indexOf('\n');
        while (newline >= 0) {
          events.push(JSON.parse(buffer.slice(0, newline)));
          buffer = buffer.slice(newline + 1);
          newline = buffer.indexOf('\n');
        }
        if (events.some(event => event.type === 'MODIFIED')) {
          resolve();
        } else if (events.length === 1) {
          relabel();
        }
      });
    });
    const again = setInterval(() => {
      if (events.length > 0) relabel();
    }, 5_000);
    try {
      await seen;
    } finally {
      clearInterval(again);
      watcher.kill();
    }
    expect(events[0]).toMatchObject({
      type: 'ADDED',
      object: { spec: { source: { targetRevision: 'v2' } } },
    });
    expect(events[1]).toMatchObject({
      type: 'MODIFIED',
      object: { metadata: { labels: { watched: 'yes' } } },
    });

    const deleted = await kubectl(
      'delete',
      'application',
      'payments',
      '-n',
      'argocd',
    );
    expect(deleted).toEqual({
      code: 0,
      stdout: 'application.argoproj.io "payments" deleted\n',
      stderr: '',
    });

    const missing = await kubectl(
      'get',
      'application',
      'payments',
      '-n',
      'argocd',
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      'Error from server (NotFound): applications.argoproj.io "payments" not found\n',
    );
  });
  /** kubectl's lines with runs of spaces squeezed, so a test reads the columns rather than their padding. */
  function rows(stdout: string): string[] {
    return stdout
      .trimEnd()
      .split('\n')
      .map(line =>
        line
          .trim()
          .split(/\s{2,}/)
          .join(' | '),
      );
  }

  it('creates a namespace, a configmap and a secret, which kubectl sends as protobuf', async () => {
    expect(await kubectl('create', 'namespace', 'demo')).toEqual({
      code: 0,
      stdout: 'namespace/demo created\n',
      stderr: '',
    });
    expect(
      await kubectl(
        'create',
        'configmap',
        'settings',
        '-n',
        'demo',
        '--from-literal=LOG_LEVEL=debug',
        '--from-literal=REGION=eu-west-1',
      ),
    ).toEqual({ code: 0, stdout: 'configmap/settings created\n', stderr: '' });
    expect(
      await kubectl(
        'create',
        'secret',
        'generic',
        'db-credentials',
        '-n',
        'demo',
        '--from-literal=password=s3cr3t',
      ),
    ).toEqual({
      code: 0,
      stdout: 'secret/db-credentials created\n',
      stderr: '',
    });

    const namespace = await raw(cluster, 'GET', '/api/v1/namespaces/demo');
    expect(namespace.body.metadata.labels).toEqual({
      'kubernetes.io/metadata.name': 'demo',
    });
    expect(namespace.body.status).toEqual({ phase: 'Active' });
    const configMap = await raw(
      cluster,
      'GET',
      '/api/v1/namespaces/demo/configmaps/settings',
    );
    expect(configMap.body.data).toEqual({
      LOG_LEVEL: 'debug',
      REGION: 'eu-west-1',
    });
    const secret = await raw(
      cluster,
      'GET',
      '/api/v1/namespaces/demo/secrets/db-credentials',
    );
    expect(secret.body.type).toBe('Opaque');
    expect(Buffer.from(secret.body.data.password, 'base64').toString()).toBe(
      's3cr3t',
    );

    const listed = await kubectl('get', 'configmaps,secrets', '-n', 'demo');
    expect(listed.code).toBe(0);
    expect(rows(listed.stdout)).toEqual([
      'NAME | DATA | AGE',
      expect.stringMatching(/^configmap\/settings \| 2 \| \d+s$/),
      '',
      'NAME | TYPE | DATA | AGE',
      expect.stringMatching(/^secret\/db-credentials \| Opaque \| 1 \| \d+s$/),
    ]);

    const duplicate = await kubectl('create', 'namespace', 'demo');
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toBe(
      'Error from server (AlreadyExists): namespaces "demo" already exists\n',
    );
  });

  it("prints Argo CD's SYNC STATUS and HEALTH STATUS for applications -A, and follows them with -w", async () => {
    await raw(
      cluster,
      'POST',
      '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications',
      {
        body: {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Application',
          metadata: { name: 'orders', namespace: 'argocd' },
          spec: {
            project: 'shop',
            source: { repoURL: 'https://github.example.com/paved/orders.git' },
            destination: { namespace: 'orders' },
          },
        },
      },
    );
    const setStatus = (sync: string, health: string) =>
      raw(
        cluster,
        'PATCH',
        '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/orders',
        {
          // Argo CD's CRD has no status subresource: status is written through the object.
          body: {
            status: {
              sync: { status: sync, revision: 'a1b2c3d' },
              health: { status: health },
            },
          },
          contentType: 'application/merge-patch+json',
        },
      );
    await setStatus('Synced', 'Healthy');

    const listed = await kubectl('get', 'applications', '-A');
    expect(listed).toEqual({
      code: 0,
      stdout: [
        'NAMESPACE   NAME     SYNC STATUS   HEALTH STATUS',
        'argocd      orders   Synced        Healthy',
        '',
      ].join('\n'),
      stderr: '',
    });
    // Columns of priority 10 appear with -o wide only.
    const wide = await kubectl(
      'get',
      'applications',
      '-n',
      'argocd',
      '-o',
      'wide',
    );
    expect(rows(wide.stdout)).toEqual([
      'NAME | SYNC STATUS | HEALTH STATUS | REVISION | PROJECT',
      'orders | Synced | Healthy | a1b2c3d | shop',
    ]);

    const watcher = start(['get', 'applications', '-n', 'argocd', '--watch']);
    let output = '';
    try {
      await new Promise<void>((resolve, reject) => {
        watcher.on('error', reject);
        watcher.stdout?.on('data', chunk => {
          output += chunk;
          const lines = output.split('\n').filter(Boolean);
          if (lines.length === 2) {
            setStatus('OutOfSync', 'Degraded');
          } else if (lines.length >= 3) {
            resolve();
          }
        });
      });
    } finally {
      watcher.kill();
    }
    expect(rows(output)).toEqual([
      'NAME | SYNC STATUS | HEALTH STATUS',
      'orders | Synced | Healthy',
      'orders | OutOfSync | Degraded',
    ]);
  });

  it("prints pods' READY, STATUS and RESTARTS from the server's Table", async () => {
    await raw(cluster, 'POST', '/api/v1/namespaces/default/pods', {
      body: {
        metadata: { name: 'api-0' },
        spec: {
          containers: [
            { name: 'api', image: 'ghcr.io/paved/api:1' },
            { name: 'proxy', image: 'envoy:1' },
          ],
        },
      },
    });
    await raw(
      cluster,
      'PATCH',
      '/api/v1/namespaces/default/pods/api-0/status',
      {
        body: {
          status: {
            phase: 'Running',
            podIP: '10.244.0.7',
            containerStatuses: [
              {
                name: 'api',
                ready: true,
                restartCount: 3,
                state: { running: {} },
              },
              {
                name: 'proxy',
                ready: false,
                restartCount: 1,
                state: { waiting: { reason: 'CrashLoopBackOff' } },
              },
            ],
          },
        },
        contentType: 'application/merge-patch+json',
      },
    );

    const listed = await kubectl('get', 'pods');
    expect(listed.code).toBe(0);
    expect(rows(listed.stdout)).toEqual([
      'NAME | READY | STATUS | RESTARTS | AGE',
      expect.stringMatching(/^api-0 \| 1\/2 \| CrashLoopBackOff \| 4 \| \d+s$/),
    ]);
    const wide = await kubectl('get', 'pod', 'api-0', '-o', 'wide');
    expect(rows(wide.stdout)[1]).toMatch(
      /^api-0 \| 1\/2 \| CrashLoopBackOff \| 4 \| \d+s \| 10\.244\.0\.7 \| <none> \| <none> \| <none>$/,
    );
  });

  const crossplaneConditions = [
    {
      type: 'Synced',
      status: 'True',
      reason: 'ReconcileSuccess',
      lastTransitionTime: '2026-01-01T00:00:00Z',
    },
    {
      type: 'Ready',
      status: 'False',
      reason: 'Creating',
      lastTransitionTime: '2026-01-01T00:00:00Z',
    },
  ];

  it("prints Crossplane's SYNCED and READY for v1 claims and their composites", async () => {
    const claims =
      '/apis/platform.paved.dev/v1alpha1/namespaces/default/buckets';
    await raw(cluster, 'POST', claims, {
      body: {
        apiVersion: 'platform.paved.dev/v1alpha1',
        kind: 'Bucket',
        metadata: { name: 'assets' },
        spec: {
          parameters: { region: 'eu-west-1' },
          writeConnectionSecretToRef: { name: 'assets-connection' },
        },
      },
    });
    await raw(cluster, 'POST', '/apis/platform.paved.dev/v1alpha1/xbuckets', {
      body: {
        apiVersion: 'platform.paved.dev/v1alpha1',
        kind: 'XBucket',
        metadata: { name: 'assets-x7k2p' },
        spec: {
          parameters: { region: 'eu-west-1' },
          compositionRef: { name: 'bucket-default' },
        },
      },
    });
    for (const path of [
      `${claims}/assets/status`,
      '/apis/platform.paved.dev/v1alpha1/xbuckets/assets-x7k2p/status',
    ]) {
      const patched = await raw(cluster, 'PATCH', path, {
        body: { status: { conditions: crossplaneConditions } },
        contentType: 'application/merge-patch+json',
      });
      expect(patched.status).toBe(200);
    }

    const claimList = await kubectl('get', 'buckets', '-A');
    expect(rows(claimList.stdout)).toEqual([
      'NAMESPACE | NAME | SYNCED | READY | CONNECTION-SECRET | AGE',
      expect.stringMatching(
        /^default \| assets \| True \| False \| assets-connection \| \d+s$/,
      ),
    ]);
    const composites = await kubectl('get', 'xbuckets');
    expect(rows(composites.stdout)).toEqual([
      'NAME | SYNCED | READY | COMPOSITION | AGE',
      expect.stringMatching(
        /^assets-x7k2p \| True \| False \| bucket-default \| \d+s$/,
      ),
    ]);
  });

  it("prints Crossplane's columns for v2 namespaced composites", async () => {
    await raw(cluster, 'POST', '/api/v1/namespaces', {
      body: { metadata: { name: 'team-payments' } },
    });
    const composites =
      '/apis/platform.paved.dev/v1alpha1/namespaces/team-payments/postgresqlinstances';
    const created = await raw(cluster, 'POST', composites, {
      body: {
        apiVersion: 'platform.paved.dev/v1alpha1',
        kind: 'PostgreSQLInstance',
        metadata: { name: 'payments-db' },
        spec: {
          parameters: { storageGB: 20 },
          crossplane: { compositionRef: { name: 'postgresql-default' } },
        },
      },
    });
    expect(created.status).toBe(201);
    await raw(cluster, 'PATCH', `${composites}/payments-db/status`, {
      body: { status: { conditions: crossplaneConditions } },
      contentType: 'application/merge-patch+json',
    });

    const listed = await kubectl(
      'get',
      'postgresqlinstances',
      '-n',
      'team-payments',
    );
    expect(rows(listed.stdout)).toEqual([
      'NAME | SYNCED | READY | COMPOSITION | AGE',
      expect.stringMatching(
        /^payments-db \| True \| False \| postgresql-default \| \d+s$/,
      ),
    ]);
    const wide = await kubectl(
      'get',
      'postgresqlinstances',
      '-n',
      'team-payments',
      '-o',
      'wide',
    );
    expect(rows(wide.stdout)[0]).toBe(
      'NAME | SYNCED | READY | COMPOSITION | COMPOSITIONREVISION | AGE',
    );
  });
});
