/*
 * The stand-in as kubectl sees it: a real kubectl binary with a kubeconfig
 * that trusts the stand-in's CA, applying, reading, patching, watching and
 * deleting an Argo CD Application.
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
          raw(
            cluster,
            'PATCH',
            '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/payments',
            {
              body: { metadata: { labels: { watched: 'yes' } } },
              contentType: 'application/merge-patch+json',
            },
          );
        }
      });
    });
    try {
      await seen;
    } finally {
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
});
