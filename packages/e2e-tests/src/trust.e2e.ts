// Who may do what, against the built portal with the sandbox: real demo people signed in through
// the GitHub stand-in's OAuth flow, the permission matrix read from the running backend's
// permission registry, denied writes answering 403 and changing nothing, the Kubernetes proxy
// closed to non-admins, foreign Host headers refused, Argo CD visibility decided by AppProject
// roles, and the audit log recording the refusals for admins alone.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { signInWithGitHub } from './githubSignIn.ts';
import {
  eventually,
  startPortal,
  type DatabaseKind,
  type Portal,
} from './portal.ts';
import { startSandbox, type RunningSandbox } from './sandbox.ts';
import { submitTask } from './scaffolder.ts';
import {
  expectedDecisions,
  resourceRefs,
  roles,
  type Decision,
  type Role,
} from './permissionMatrix.ts';

interface RegisteredPermission {
  type: 'basic' | 'resource';
  name: string;
  attributes: { action?: string };
  resourceType?: string;
}

const payments = 'component:default/payments-service';

let sandbox: RunningSandbox;
before(async () => {
  sandbox = await startSandbox();
});
after(async () => {
  await sandbox?.stop();
});

async function call(
  portal: Portal,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${portal.baseUrl}${path}`, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...headers,
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

/** A denied write: 403 with a message a person can read. */
function assertRefused(
  answer: { status: number; text: string; json: any },
  what: string,
) {
  assert.equal(answer.status, 403, `${what}: ${answer.status} ${answer.text}`);
  assert.ok(
    typeof answer.json?.error?.message === 'string' &&
      answer.json.error.message.length > 0,
    `${what}: no error message in ${answer.text}`,
  );
}

for (const database of ['sqlite', 'postgres'] as DatabaseKind[]) {
  describe(`trust on ${database}`, () => {
    let portal: Portal;
    const tokens = {} as Record<Role, string>;

    before(async () => {
      portal = await startPortal({
        database,
        configFiles: [sandbox.configFile],
      });
      tokens.guest = await portal.signInAsGuest();
      // Sign-in resolves people to catalog Users, and ownership decisions need the demo
      // organisation: wait until the catalog holds it.
      await eventually(
        'the catalog to hold the demo people and payments-service',
        async () => {
          for (const path of [
            '/api/catalog/entities/by-name/component/default/payments-service',
            '/api/catalog/entities/by-name/template/default/rest-api-service',
            ...roles
              .filter(role => role.login)
              .map(
                role =>
                  `/api/catalog/entities/by-name/user/default/${role.login}`,
              ),
          ]) {
            const answer = await call(portal, tokens.guest, 'GET', path);
            if (answer.status !== 200) return undefined;
          }
          return true;
        },
        90_000,
      );
      for (const role of roles) {
        if (role.login) {
          tokens[role.name] = await signInWithGitHub(
            portal.baseUrl,
            role.login,
          );
        }
      }
    });

    after(async () => {
      await portal?.stop();
    });

    it('decides every registered permission for every role as the table says', async () => {
      const registered = await call(
        portal,
        tokens.admin,
        'GET',
        '/api/permission/policy/permissions',
      );
      assert.equal(registered.status, 200, registered.text);
      const plugins = registered.json.plugins as {
        pluginId: string;
        permissions: RegisteredPermission[];
        error?: string;
      }[];
      assert.deepEqual(
        plugins.filter(p => p.error).map(p => `${p.pluginId}: ${p.error}`),
        [],
      );
      const permissions = new Map<string, RegisteredPermission>();
      for (const p of plugins.flatMap(plugin => plugin.permissions)) {
        permissions.set(p.name, p);
      }
      const names = [...permissions.keys()].sort();
      // Paved's own and Backstage's core permissions are among them.
      for (const name of [
        'catalog.entity.delete',
        'kubernetes.proxy',
        'argocd.application.read',
        'audit-log.event.read',
      ]) {
        assert.ok(names.includes(name), `${name} is registered`);
      }
      const withoutRow = names.filter(name => !(name in expectedDecisions));
      assert.deepEqual(
        withoutRow,
        [],
        'every registered permission needs a row in permissionMatrix.ts',
      );

      // A scaffolder task the owner started, so task permissions are decided on a real one. The
      // check step refuses the name (payments-api exists), so nothing else is created.
      const task = await submitTask(
        portal.baseUrl,
        tokens.owner,
        'template:default/rest-api-service',
        {
          name: 'payments',
          owner: 'group:default/team-payments',
          system: 'system:default/payments',
        },
      );
      assert.equal(task.status, 201, String(task.error));
      // A production database request the owner made, so request permissions are decided on
      // a real one; it waits for approval, so nothing is created.
      const infra = await call(
        portal,
        tokens.owner,
        'POST',
        '/api/crossplane/requests',
        {
          offering: 'postgresqlinstances.platform.paved.dev',
          environment: 'prod',
          entityRef: 'component:default/payments-service',
          name: 'trust-matrix-db',
          parameters: {
            parameters: { storageGB: 20, tier: 'standard' },
          },
          clientRequestId: 'trust-matrix-request',
        },
      );
      assert.equal(infra.status, 201, infra.text);
      assert.equal(infra.json.status, 'awaiting-approval');
      const refs: Record<string, string> = {
        ...resourceRefs,
        'scaffolder-task': task.id!,
        'crossplane-request': infra.json.id,
      };

      const actual: Record<string, Record<Role, Decision>> = {};
      const asked = names;
      for (const role of roles) {
        const items = asked.map((name, index) => {
          const permission = permissions.get(name)!;
          const resourceRef =
            permission.type === 'resource'
              ? refs[permission.resourceType!]
              : undefined;
          assert.ok(
            permission.type === 'basic' || resourceRef,
            `permissionMatrix.ts names no resource of type ${permission.resourceType} for ${name}`,
          );
          return {
            id: String(index),
            permission,
            ...(resourceRef ? { resourceRef } : {}),
          };
        });
        const answer = await call(
          portal,
          tokens[role.name],
          'POST',
          '/api/permission/authorize',
          { items },
        );
        assert.equal(answer.status, 200, `${role.name}: ${answer.text}`);
        for (const item of answer.json.items as {
          id: string;
          result: Decision;
        }[]) {
          const name = asked[Number(item.id)];
          (actual[name] ??= {} as Record<Role, Decision>)[role.name] =
            item.result;
        }
      }

      const header = ['permission', ...roles.map(r => r.name)];
      const rows = names.map(name => [
        name,
        ...roles.map(r => actual[name][r.name]),
      ]);
      const widths = header.map((_, i) =>
        Math.max(...[header, ...rows].map(row => row[i].length)),
      );
      const line = (row: string[]) =>
        row.map((cell, i) => cell.padEnd(widths[i])).join('  ');
      console.log(
        `permission matrix (${database}):\n${[header, ...rows]
          .map(line)
          .join('\n')}`,
      );

      const mismatches = names.flatMap(name =>
        roles
          .filter(r => actual[name][r.name] !== expectedDecisions[name][r.name])
          .map(
            r =>
              `${name} for ${r.name}: expected ${
                expectedDecisions[name][r.name]
              }, got ${actual[name][r.name]}`,
          ),
      );
      assert.deepEqual(mismatches, []);
    });

    it('refuses catalog writes to those who may not make them, and changes nothing', async () => {
      const entityPath =
        '/api/catalog/entities/by-name/component/default/payments-service';
      const { json: entity } = await call(
        portal,
        tokens.member,
        'GET',
        entityPath,
      );
      const uid = entity.metadata.uid as string;

      for (const role of ['guest', 'member', 'approver'] as Role[]) {
        assertRefused(
          await call(
            portal,
            tokens[role],
            'DELETE',
            `/api/catalog/entities/by-uid/${uid}`,
          ),
          `${role} unregistering payments-service`,
        );
        assertRefused(
          await call(portal, tokens[role], 'POST', '/api/catalog/refresh', {
            entityRef: payments,
          }),
          `${role} refreshing payments-service`,
        );
      }
      assert.equal(
        (await call(portal, tokens.member, 'GET', entityPath)).status,
        200,
      );

      // Its owners may refresh it.
      const refreshed = await call(
        portal,
        tokens.owner,
        'POST',
        '/api/catalog/refresh',
        {
          entityRef: payments,
        },
      );
      assert.equal(refreshed.status, 200, refreshed.text);

      const locationsBefore = await call(
        portal,
        tokens.admin,
        'GET',
        '/api/catalog/locations',
      );
      assertRefused(
        await call(portal, tokens.guest, 'POST', '/api/catalog/locations', {
          type: 'url',
          target:
            'https://github.com/acme/new-service/blob/main/catalog-info.yaml',
        }),
        'the guest registering a location',
      );
      const locationsAfter = await call(
        portal,
        tokens.admin,
        'GET',
        '/api/catalog/locations',
      );
      assert.equal(locationsAfter.json.length, locationsBefore.json.length);
    });

    it('keeps template runs from the guest and dry-runs for admins', async () => {
      const template = {
        apiVersion: 'scaffolder.backstage.io/v1beta3',
        kind: 'Template',
        metadata: { name: 'probe', namespace: 'default' },
        spec: { type: 'service', parameters: [], steps: [] },
      };
      for (const role of ['guest', 'member', 'owner'] as Role[]) {
        assertRefused(
          await call(
            portal,
            tokens[role],
            'POST',
            '/api/scaffolder/v2/dry-run',
            {
              template,
              values: {},
              directoryContents: [],
            },
          ),
          `${role} dry-running a template`,
        );
      }
      assertRefused(
        await call(portal, tokens.guest, 'POST', '/api/scaffolder/v2/tasks', {
          templateRef: 'template:default/probe',
          values: {},
        }),
        'the guest running a template',
      );
      const tasks = await call(
        portal,
        tokens.admin,
        'GET',
        '/api/scaffolder/v2/tasks',
      );
      assert.equal(tasks.status, 200, tasks.text);
      // The permission matrix's owner may have started one; the guest started none.
      assert.deepEqual(
        (tasks.json.tasks as { createdBy: string }[]).filter(
          t => t.createdBy === 'user:development/guest',
        ),
        [],
      );
    });

    it('closes the Kubernetes proxy to everyone but admins, and nothing changes on the cluster', async () => {
      const cluster = { 'Backstage-Kubernetes-Cluster': 'sandbox-dev' };
      const configMaps =
        '/api/kubernetes/proxy/api/v1/namespaces/default/configmaps';
      const configMap = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'written-through-the-portal' },
        data: { who: 'not an admin' },
      };
      for (const role of ['guest', 'member', 'owner', 'approver'] as Role[]) {
        assertRefused(
          await call(
            portal,
            tokens[role],
            'GET',
            '/api/kubernetes/proxy/api/v1/namespaces',
            undefined,
            cluster,
          ),
          `${role} listing namespaces through the proxy`,
        );
        assertRefused(
          await call(
            portal,
            tokens[role],
            'POST',
            configMaps,
            configMap,
            cluster,
          ),
          `${role} creating a ConfigMap through the proxy`,
        );
      }
      const listed = await call(
        portal,
        tokens.admin,
        'GET',
        '/api/kubernetes/proxy/api/v1/namespaces',
        undefined,
        cluster,
      );
      assert.equal(listed.status, 200, listed.text);
      assert.ok(
        listed.json.items.some((n: any) => n.metadata.name === 'argocd'),
      );
      const read = await call(
        portal,
        tokens.admin,
        'GET',
        `${configMaps}/${configMap.metadata.name}`,
        undefined,
        cluster,
      );
      assert.equal(read.status, 404, read.text);
    });

    it('refuses requests addressed to a foreign host name (DNS rebinding)', async () => {
      const { port } = new URL(portal.baseUrl);
      const answer = await new Promise<{ status: number; body: string }>(
        (resolve, reject) => {
          const req = request(
            {
              host: '127.0.0.1',
              port,
              path: '/api/catalog/entities?limit=1',
              headers: {
                Host: `rebind.example:${port}`,
                Authorization: `Bearer ${tokens.admin}`,
              },
            },
            res => {
              let body = '';
              res.on('data', chunk => (body += chunk));
              res.on('end', () =>
                resolve({ status: res.statusCode ?? 0, body }),
              );
            },
          );
          req.on('error', reject);
          req.end();
        },
      );
      assert.equal(answer.status, 403, answer.body);
      assert.match(answer.body, /rebind\.example/);
      // The portal's own name still works.
      const own = await call(
        portal,
        tokens.admin,
        'GET',
        '/api/catalog/entities?limit=1',
      );
      assert.equal(own.status, 200);
    });

    it("shows each viewer only the Argo CD Applications their AppProject roles allow, even through another team's selector", async () => {
      // The Observability system selects every Application that belongs to a system.
      const path =
        '/api/argocd/entity/system/default/observability/applications';
      const visible = async (role: Role) => {
        const answer = await eventually(`${role}'s applications`, async () => {
          const res = await call(portal, tokens[role], 'GET', path);
          assert.equal(res.status, 200, res.text);
          return res.json.applications.length > 0 ||
            role === 'guest' ||
            role === 'member'
            ? res.json
            : undefined;
        });
        return answer.applications as {
          instance: string;
          namespace: string;
          name: string;
          project?: string;
        }[];
      };
      const all = await visible('admin');
      const forPayments = await visible('owner');
      const forStorefront = await visible('member');
      assert.ok(
        all.length > forPayments.length,
        `${all.length} vs ${forPayments.length}`,
      );
      assert.ok(forPayments.length >= 2, JSON.stringify(forPayments));
      const paymentsApps = new Set(
        (
          await call(
            portal,
            tokens.admin,
            'GET',
            '/api/catalog/entities?filter=spec.owner=team-payments&filter=spec.owner=group:default/team-payments',
          )
        ).json
          .map((e: any) => e.metadata.annotations?.['argocd/app-name'])
          .filter(Boolean),
      );
      for (const app of forPayments) {
        assert.ok(
          paymentsApps.has(app.name),
          `${app.name} is not a Payments Team application`,
        );
      }
      assert.ok(
        forStorefront.every(app => !paymentsApps.has(app.name)),
        'a storefront engineer sees no payments application',
      );
      assert.deepEqual(await visible('guest'), []);

      // A foreign Application's detail is not found, rather than confirmed to exist.
      const foreign = forPayments[0];
      const detail = await call(
        portal,
        tokens.member,
        'GET',
        `${path}/${foreign.instance}/${foreign.namespace}/${foreign.name}`,
      );
      assert.equal(detail.status, 404, detail.text);
    });

    it('records refusals in the audit log, which only admins may read', async () => {
      assertRefused(
        await call(portal, tokens.member, 'GET', '/api/audit-log/events'),
        'a member reading the audit log',
      );
      const events = await eventually(
        'the refused unregister in the audit log',
        async () => {
          const res = await call(
            portal,
            tokens.admin,
            'GET',
            '/api/audit-log/events?plugin=catalog&outcome=denied&actor=user:default/priya-raman',
          );
          assert.equal(res.status, 200, res.text);
          return res.json.items.length > 0 ? res.json.items : undefined;
        },
      );
      assert.ok(
        events.some((e: any) => e.eventId === 'entity-mutate'),
        JSON.stringify(events.slice(0, 3)),
      );
    });
  });
}
