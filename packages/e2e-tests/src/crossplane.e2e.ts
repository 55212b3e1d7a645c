// Requesting infrastructure end to end, against the built portal (PostgreSQL) and the sandbox:
// demo people signed in with GitHub request databases for their services through the
// Crossplane plugin's API, as the form does. A dev request is created at once and followed to
// "credentials available", and appears in the catalog as a Resource of the team that the
// service depends on; a production one waits for an SRE's approval. Over a hundred hostile
// or invalid submissions each get a 4xx with a message and leave no resource on either cluster
// and no request row behind.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { signInWithGitHub } from './githubSignIn.ts';
import { eventually, startPortal, type Portal } from './portal.ts';
import { startSandbox, type RunningSandbox } from './sandbox.ts';

const POSTGRES = 'postgresqlinstances.platform.paved.dev';
const CACHE = 'caches.platform.paved.dev';
const PAYMENTS = 'component:default/payments-service';

// Daniel is on the Payments Team, Priya on the Storefront Team; Oliver and Zainab are SREs
// (paved.permissions.approvers), and the SRE Team owns metrics-gateway.
const people = {
  daniel: 'daniel-mercer',
  priya: 'priya-raman',
  oliver: 'oliver-nakamura',
  zainab: 'zainab-hussain',
};

let sandbox: RunningSandbox;
let portal: Portal;
const tokens: Record<keyof typeof people | 'guest', string> = {} as any;

interface Answer {
  status: number;
  body: any;
}

async function call(
  token: string,
  method: string,
  path: string,
  body?: unknown,
  raw?: string,
): Promise<Answer> {
  const res = await fetch(`${portal.baseUrl}/api/crossplane${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body !== undefined || raw !== undefined
        ? { 'Content-Type': 'application/json' }
        : {}),
    },
    body: raw ?? (body !== undefined ? JSON.stringify(body) : undefined),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: kept as text for the assertion message.
  }
  return { status: res.status, body: parsed };
}

let requestCounter = 0;
function submit(
  token: string,
  input: Partial<{
    offering: string;
    environment: string;
    entityRef: string;
    name: string;
    parameters: unknown;
    clientRequestId: string;
  }>,
) {
  return call(token, 'POST', '/requests', {
    offering: POSTGRES,
    environment: 'dev',
    entityRef: PAYMENTS,
    clientRequestId: `e2e-${Date.now()}-${requestCounter++}`,
    ...input,
  });
}

async function kubectlJson(context: string, args: string[]) {
  const { stdout } = await promisify(execFile)('kubectl', [
    '--kubeconfig',
    sandbox.kubeconfigFile,
    '--context',
    context,
    ...args,
    '-o',
    'json',
  ]);
  return JSON.parse(stdout);
}

/** Every offered resource on both clusters, as `<context> <kind> <namespace>/<name>`. */
async function liveResources(): Promise<string[]> {
  const found: string[] = [];
  for (const context of ['sandbox-dev', 'sandbox-prod']) {
    for (const kind of [POSTGRES, CACHE, 'buckets.platform.paved.dev']) {
      const list = await kubectlJson(context, ['get', kind, '-A']);
      for (const item of list.items) {
        found.push(
          `${context} ${kind} ${item.metadata.namespace ?? ''}/${
            item.metadata.name
          }`,
        );
      }
    }
  }
  return found.sort();
}

async function allRequests(): Promise<string[]> {
  const res = await call(tokens.oliver, 'GET', '/requests');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.requests.map((r: any) => r.id).sort();
}

async function waitForStatus(id: string, status: string, timeoutMs = 30_000) {
  return eventually(
    `request ${id} ${status}`,
    async () => {
      const res = await call(tokens.daniel, 'GET', `/requests/${id}`);
      if (res.body.status !== status) {
        throw new Error(
          `status ${res.body.status} (${res.body.message ?? 'no message'})`,
        );
      }
      return res.body;
    },
    timeoutMs,
  );
}

before(async () => {
  sandbox = await startSandbox();
  portal = await startPortal({
    database: 'postgres',
    configFiles: [sandbox.configFile],
  });
  const guest = await portal.signInAsGuest();
  await eventually(
    'the demo people in the catalog and the offerings read',
    async () => {
      const res = await fetch(
        `${portal.baseUrl}/api/catalog/entities/by-name/user/default/${people.zainab}`,
        { headers: { Authorization: `Bearer ${guest}` } },
      );
      if (!res.ok) throw new Error(`zainab: ${res.status}`);
      const offerings = await call(guest, 'GET', '/offerings');
      if (offerings.body.offerings?.length !== 3) {
        throw new Error(`offerings: ${JSON.stringify(offerings.body)}`);
      }
      return true;
    },
    90_000,
  ).catch(error => {
    throw new Error(`${error.message}\n${portal.logTail()}`);
  });
  tokens.guest = guest;
  for (const [key, login] of Object.entries(people)) {
    tokens[key as keyof typeof people] = await signInWithGitHub(
      portal.baseUrl,
      login,
    );
  }
});

after(async () => {
  await portal?.stop();
  await sandbox?.stop();
});

describe('requesting infrastructure', () => {
  it("shows each environment's guardrails and approval rule in the form, before submitting", async () => {
    const res = await call(tokens.daniel, 'GET', `/offerings/${POSTGRES}/form`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const dev = res.body.environments.find((e: any) => e.name === 'dev');
    const prod = res.body.environments.find((e: any) => e.name === 'prod');
    assert.equal(dev.approvalRequired, false);
    assert.equal(prod.approvalRequired, true);
    const devStorage = dev.schema.properties.parameters.properties.storageGB;
    assert.equal(devStorage.maximum, 100, 'dev caps storage at 100 GB');
    assert.equal(
      prod.schema.properties.parameters.properties.storageGB.maximum,
      500,
      'prod keeps the XRD maximum',
    );
    assert.deepEqual(dev.schema.properties.parameters.properties.version.enum, [
      '15',
      '16',
    ]);
    assert.ok(
      dev.guardrails.includes('parameters.storageGB: at most 100'),
      dev.guardrails.join('; '),
    );
    assert.equal(dev.quotaPerTeam, 5);
  });

  let devDatabase: {
    id: string;
    events: Array<{ status: string; at: string }>;
  };

  it('creates a dev database at once and follows it to "credentials available"', async () => {
    const started = Date.now();
    const res = await submit(tokens.daniel, {
      name: 'payments-ledger-db',
      parameters: { parameters: { storageGB: 50 } },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    // The answer comes once the resource exists; the controller may already have synced it.
    assert.ok(
      ['created', 'synced', 'ready'].includes(res.body.status),
      `${res.body.status}: ${res.body.message}`,
    );
    assert.equal(res.body.ownerRef, 'group:default/team-payments');
    assert.equal(res.body.requestedBy, `user:default/${people.daniel}`);
    const xr = await kubectlJson('sandbox-dev', [
      'get',
      POSTGRES,
      '-n',
      'team-payments',
      'payments-ledger-db',
    ]);
    assert.equal(xr.metadata.labels['paved.dev/request-id'], res.body.id);
    assert.equal(xr.spec.parameters.storageGB, 50);
    // Defaults from the schema are filled in, so the request says what was created.
    assert.equal(xr.spec.parameters.version, '16');

    const done = await waitForStatus(res.body.id, 'credentials-available');
    devDatabase = done;
    console.log(
      `    dev database: submit → credentials available in ${
        Date.now() - started
      } ms`,
    );
    assert.deepEqual(
      done.events.map((e: any) => e.status),
      ['queued', 'created', 'synced', 'ready', 'credentials-available'],
    );
    const detail = await call(
      tokens.priya,
      'GET',
      `/requests/${res.body.id}/resource`,
    );
    assert.equal(detail.status, 200);
    assert.equal(detail.body.exists, true);
    assert.ok(
      detail.body.conditions.some(
        (c: any) => c.type === 'Ready' && c.status === 'True',
      ),
    );
    assert.ok(detail.body.events.length > 0, 'Kubernetes Events are shown');
    assert.ok(detail.body.composed.some((r: any) => r.kind === 'Secret'));
    const secretName = detail.body.secret.name;
    assert.ok(detail.body.secret.keys.includes('password'));
    // The values never leave the cluster.
    const secret = await kubectlJson('sandbox-dev', [
      'get',
      'secret',
      '-n',
      'team-payments',
      secretName,
    ]);
    const everything = JSON.stringify([done, detail.body]);
    for (const value of Object.values(secret.data) as string[]) {
      assert.ok(!everything.includes(value), 'no Secret value in any answer');
      assert.ok(
        !everything.includes(Buffer.from(value, 'base64').toString()),
        'no decoded Secret value in any answer',
      );
    }
  });

  it('lists the dev database in the catalog as a Resource of the team, a dependency of its component', async () => {
    assert.ok(devDatabase, 'the dev database was requested by the test before');
    const createdAt = Date.parse(
      devDatabase.events.find(e => e.status === 'created')!.at,
    );
    const catalog = async (path: string) => {
      const res = await fetch(`${portal.baseUrl}/api/catalog${path}`, {
        headers: { Authorization: `Bearer ${tokens.daniel}` },
      });
      return { status: res.status, body: res.ok ? await res.json() : null };
    };
    const filter = `kind=resource,metadata.annotations.paved.dev/request-id=${devDatabase.id}`;
    const entity = await eventually(
      `the Resource of request ${devDatabase.id}, with its relations`,
      async () => {
        const found = await catalog(
          `/entities/by-query?filter=${encodeURIComponent(filter)}`,
        );
        const name = found.body?.items?.[0]?.metadata?.name;
        if (!name) throw new Error('not in the catalog');
        const res = await catalog(`/entities/by-name/resource/default/${name}`);
        const relations = (res.body?.relations ?? []).map(
          (r: any) => `${r.type} ${r.targetRef}`,
        );
        if (!relations.includes(`dependencyOf ${PAYMENTS}`)) {
          throw new Error(`${name} not stitched yet: ${relations.join(', ')}`);
        }
        // The component lists it among what it depends on.
        const component = await catalog(
          '/entities/by-name/component/default/payments-service',
        );
        if (
          !component.body.relations.some(
            (r: any) =>
              r.type === 'dependsOn' &&
              r.targetRef === `resource:default/${name}`,
          )
        ) {
          throw new Error(`payments-service does not depend on ${name} yet`);
        }
        return res.body;
      },
      30_000,
    );
    console.log(
      `    dev database: created → Resource ${
        entity.metadata.name
      } readable with its relations in the catalog within ${
        Date.now() - createdAt
      } ms (polled each second)`,
    );
    assert.match(entity.metadata.name, /^payments-ledger-db-dev-[0-9a-f]{6}$/);
    assert.equal(entity.spec.type, 'database');
    assert.equal(entity.spec.owner, 'group:default/team-payments');
    assert.deepEqual(entity.spec.dependencyOf, [PAYMENTS]);
    const relations = entity.relations.map(
      (r: any) => `${r.type} ${r.targetRef}`,
    );
    assert.ok(relations.includes('ownedBy group:default/team-payments'));
    assert.deepEqual(entity.metadata.links, [
      {
        url: `${portal.baseUrl}/infrastructure/requests/${devDatabase.id}`,
        title: 'Request',
      },
    ]);
  });

  it('makes one request when the same submission arrives twice', async () => {
    const input = {
      name: 'payments-replay-db',
      parameters: { parameters: { storageGB: 20 } },
      clientRequestId: 'e2e-double-click',
    };
    const [first, second] = await Promise.all([
      submit(tokens.daniel, input),
      submit(tokens.daniel, input),
    ]);
    const statuses = [first.status, second.status].sort();
    assert.deepEqual(
      statuses,
      [200, 201],
      JSON.stringify([first.body, second.body]),
    );
    assert.equal(first.body.id, second.body.id);
    const list = await kubectlJson('sandbox-dev', [
      'get',
      POSTGRES,
      '-n',
      'team-payments',
      '-l',
      `paved.dev/request-id=${first.body.id}`,
    ]);
    assert.equal(list.items.length, 1);
  });

  it('holds a production request for approval; an SRE approves it and it completes', async () => {
    const res = await submit(tokens.daniel, {
      environment: 'prod',
      name: 'payments-ledger-db',
      parameters: { parameters: { storageGB: 200, tier: 'high-availability' } },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.status, 'awaiting-approval');
    await assert.rejects(
      kubectlJson('sandbox-prod', [
        'get',
        POSTGRES,
        '-n',
        'team-payments',
        'payments-ledger-db',
      ]),
      /NotFound|not found/,
      'nothing is created before approval',
    );
    const inbox = await call(tokens.oliver, 'GET', '/approvals');
    assert.equal(inbox.body.mayApprove, true);
    assert.ok(inbox.body.requests.some((r: any) => r.id === res.body.id));
    const notApprover = await call(
      tokens.priya,
      'POST',
      `/requests/${res.body.id}/approve`,
      {},
    );
    assert.equal(notApprover.status, 403, JSON.stringify(notApprover.body));

    const approved = await call(
      tokens.oliver,
      'POST',
      `/requests/${res.body.id}/approve`,
      { comment: 'Sized for the ledger, fine.' },
    );
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    assert.equal(approved.body.approval.by, `user:default/${people.oliver}`);
    const done = await waitForStatus(res.body.id, 'credentials-available');
    assert.deepEqual(
      done.events.map((e: any) => e.status),
      [
        'awaiting-approval',
        'queued',
        'created',
        'synced',
        'ready',
        'credentials-available',
      ],
    );
    assert.equal(done.events[1].actor, `user:default/${people.oliver}`);
    assert.equal(done.events[1].message, 'Sized for the ledger, fine.');
    const again = await call(
      tokens.zainab,
      'POST',
      `/requests/${res.body.id}/approve`,
      {},
    );
    assert.equal(again.status, 409, JSON.stringify(again.body));
  });

  it('lets nobody approve their own request, and a rejection needs a reason and frees the name', async () => {
    const own = await submit(tokens.oliver, {
      environment: 'prod',
      entityRef: 'component:default/metrics-gateway',
      name: 'metrics-archive-db',
      parameters: { parameters: { storageGB: 100, tier: 'standard' } },
    });
    assert.equal(own.status, 201, JSON.stringify(own.body));
    const self = await call(
      tokens.oliver,
      'POST',
      `/requests/${own.body.id}/approve`,
      {},
    );
    assert.equal(self.status, 403);
    assert.match(self.body.error.message, /your own request/);
    const noReason = await call(
      tokens.zainab,
      'POST',
      `/requests/${own.body.id}/reject`,
      { comment: '  ' },
    );
    assert.equal(noReason.status, 400);
    const rejected = await call(
      tokens.zainab,
      'POST',
      `/requests/${own.body.id}/reject`,
      { comment: 'Use the shared metrics database instead.' },
    );
    assert.equal(rejected.status, 200, JSON.stringify(rejected.body));
    assert.equal(rejected.body.status, 'rejected');
    const again = await submit(tokens.oliver, {
      environment: 'prod',
      entityRef: 'component:default/metrics-gateway',
      name: 'metrics-archive-db',
      parameters: { parameters: { storageGB: 100, tier: 'standard' } },
    });
    assert.equal(again.status, 201, 'the name is free again after a rejection');
  });

  it('refuses over a hundred hostile or invalid submissions, each with a message, leaving nothing behind', async () => {
    const resourcesBefore = await liveResources();
    const requestsBefore = await allRequests();
    const valid = { parameters: { storageGB: 20 } };
    type Case = {
      what: string;
      status: number;
      token?: string;
      input?: Record<string, unknown>;
      raw?: string;
      field?: string;
    };
    const cases: Case[] = [];
    const name = (value: unknown, what: string) =>
      cases.push({
        what: `name ${what}`,
        status: 400,
        input: { name: value, parameters: valid },
        field: 'name',
      });
    name('Payments-DB', 'with capitals');
    name('a'.repeat(300), 'of 300 characters');
    name('a'.repeat(64), 'of 64 characters');
    name('-db', 'starting with a dash');
    name('db-', 'ending with a dash');
    name('db_1', 'with an underscore');
    name('db.one', 'with a dot');
    name('db one', 'with a space');
    name('dätabase', 'with a non-ASCII letter');
    name('', 'empty');
    name('../../etc/passwd', 'with a path');
    name('db;rm -rf /', 'with a shell command');
    name('db\n---\nkind: Secret', 'with a YAML document break');
    name('{"kind":"Secret"}', 'with JSON');
    name('${{ secrets.TOKEN }}', 'with a template expression');
    cases.push({
      what: 'name missing',
      status: 400,
      input: { name: undefined, parameters: valid },
      field: 'name',
    });
    cases.push({
      what: 'name a number',
      status: 400,
      input: { name: 42, parameters: valid },
      field: 'name',
    });

    const param = (
      parameters: unknown,
      what: string,
      field: string,
      extra: Record<string, unknown> = {},
    ) =>
      cases.push({
        what,
        status: 400,
        input: { name: 'hostile-db', parameters, ...extra },
        field,
      });
    const pg = (p: Record<string, unknown>) => ({ parameters: p });
    const storage = 'parameters.parameters.storageGB';
    param(pg({ storageGB: 101 }), 'storage over the dev cap', storage);
    param(pg({ storageGB: 100000 }), 'storage far over the cap', storage);
    param(pg({ storageGB: 9 }), 'storage under the minimum', storage);
    param(pg({ storageGB: -1 }), 'negative storage', storage);
    param(pg({ storageGB: 0 }), 'zero storage', storage);
    param(pg({ storageGB: '20' }), 'storage as a string', storage);
    param(pg({ storageGB: 20.5 }), 'fractional storage', storage);
    param(pg({ storageGB: null }), 'storage null', storage);
    param(pg({ storageGB: true }), 'storage a boolean', storage);
    param(pg({ storageGB: [20] }), 'storage an array', storage);
    param(pg({ storageGB: { gb: 20 } }), 'storage an object', storage);
    param(pg({ storageGB: '2e1' }), 'storage in exponent notation', storage);
    param(pg({ storageGB: 1e308 }), 'storage huge', storage);
    const version = 'parameters.parameters.version';
    param(
      pg({ storageGB: 20, version: '14' }),
      'version outside the guardrail',
      version,
    );
    param(pg({ storageGB: 20, version: '17' }), 'version not offered', version);
    param(pg({ storageGB: 20, version: 16 }), 'version as a number', version);
    param(
      pg({ storageGB: 20, version: '16\n---\nkind: Secret' }),
      'version with YAML',
      version,
    );
    param(pg({ storageGB: 20, version: '' }), 'version empty', version);
    const tier = 'parameters.parameters.tier';
    param(pg({ storageGB: 20, tier: 'huge' }), 'tier unknown', tier);
    param(pg({ storageGB: 20, tier: 'DEV' }), 'tier in capitals', tier);
    param(
      pg({ storageGB: 20, tier: 'dev"; drop table x; --' }),
      'tier with SQL',
      tier,
    );
    param(pg({ storageGB: 20, tier: 1 }), 'tier a number', tier);
    param(
      pg({ storageGB: 20, tier: 'dev' }),
      'prod tier dev outside the prod guardrail',
      tier,
      { environment: 'prod' },
    );
    const retention = 'parameters.parameters.backups.retentionDays';
    param(
      pg({ storageGB: 20, backups: { retentionDays: 0 } }),
      'retention zero',
      retention,
    );
    param(
      pg({ storageGB: 20, backups: { retentionDays: 36 } }),
      'retention over the maximum',
      retention,
    );
    param(
      pg({ storageGB: 20, backups: { retentionDays: 'week' } }),
      'retention a word',
      retention,
    );
    param(
      pg({ storageGB: 20, backups: { enabled: 'yes' } }),
      'backups enabled a string',
      'parameters.parameters.backups.enabled',
    );
    param(
      pg({ storageGB: 20, backups: 'daily' }),
      'backups a string',
      'parameters.parameters.backups',
    );
    param(
      pg({ storageGB: 20, backups: { schedule: '@daily' } }),
      'unknown nested field',
      'parameters.parameters.backups.schedule',
    );
    param(
      pg({ storageGB: 20, superuser: true }),
      'unknown parameter',
      'parameters.parameters.superuser',
    );
    param(
      {
        parameters: { storageGB: 20 },
        crossplane: { compositionRef: { name: 'evil' } },
      },
      "Crossplane's own composition field",
      'parameters.crossplane',
    );
    param(
      {
        parameters: { storageGB: 20 },
        writeConnectionSecretToRef: { name: 'other-team-secret' },
      },
      'a connection Secret elsewhere',
      'parameters.writeConnectionSecretToRef',
    );
    param(
      { parameters: { storageGB: 20 }, metadata: { namespace: 'kube-system' } },
      'a namespace override',
      'parameters.metadata',
    );
    param({}, 'parameters missing', 'parameters.parameters');
    param(
      { parameters: 'big' },
      'parameters a string',
      'parameters.parameters',
    );
    param({ parameters: null }, 'parameters null', 'parameters.parameters');
    param([], 'spec an array', 'parameters');
    param('storageGB: 20', 'spec a YAML string', 'parameters');
    param(null, 'spec null', 'parameters');

    const cache = (p: Record<string, unknown>, what: string, field: string) =>
      cases.push({
        what: `cache ${what}`,
        status: 400,
        input: {
          offering: CACHE,
          name: 'hostile-cache',
          parameters: { parameters: p },
        },
        field: `parameters.parameters.${field}`,
      });
    cache({ engine: 'memcached', memoryMB: 1024 }, 'engine unknown', 'engine');
    cache(
      { engine: 'redis', memoryMB: 128 },
      'memory under the minimum',
      'memoryMB',
    );
    cache(
      { engine: 'redis', memoryMB: 65536 },
      'memory over the maximum',
      'memoryMB',
    );
    cache(
      { engine: 'redis', memoryMB: 1024, highAvailability: 'true' },
      'HA a string',
      'highAvailability',
    );
    cache(
      { engine: 'redis', memoryMB: 1024, evictionPolicy: 'random' },
      'eviction unknown',
      'evictionPolicy',
    );
    cache(
      { engine: 'redis', memoryMB: 1024, persistence: { enabled: 1 } },
      'persistence a number',
      'persistence.enabled',
    );
    cache(
      { engine: 'redis', memoryMB: 1024, allowedClients: 'everyone' },
      'clients a string',
      'allowedClients',
    );
    cache(
      {
        engine: 'redis',
        memoryMB: 1024,
        allowedClients: [{ cidr: 'anywhere', extra: 1 }],
      },
      'client with an unknown field',
      'allowedClients.0.extra',
    );
    cache({ memoryMB: 1024, engine: null }, 'engine null', 'engine');

    const env = (value: unknown, what: string) =>
      cases.push({
        what: `environment ${what}`,
        status: 400,
        input: { environment: value, name: 'hostile-db', parameters: valid },
        field: 'environment',
      });
    env('staging', 'unknown');
    env('PROD', 'in capitals');
    env('', 'empty');
    env('prod; drop', 'with SQL');
    env('d'.repeat(300), 'of 300 characters');
    env(['dev'], 'an array');

    const entity = (value: unknown, what: string) =>
      cases.push({
        what: `entity ${what}`,
        status: 400,
        input: { entityRef: value, name: 'hostile-db', parameters: valid },
        field: 'entityRef',
      });
    entity('component:default/no-such-service', 'that does not exist');
    entity('not a ref at all', 'malformed');
    entity(`user:default/${people.daniel}`, 'a person, owned by nobody');
    entity('', 'empty');
    entity('component:default/' + 'x'.repeat(300), 'of 300 characters');
    entity({ kind: 'component' }, 'an object');

    const offering = (value: unknown, what: string) =>
      cases.push({
        what: `offering ${what}`,
        status: 400,
        input: { offering: value, name: 'hostile-db', parameters: valid },
        field: 'offering',
      });
    offering('nope.example.com', 'not offered');
    offering(
      'compositions.apiextensions.crossplane.io',
      "Crossplane's own kind",
    );
    offering('secrets', 'a core kind');
    offering('', 'empty');
    offering('o'.repeat(300), 'of 300 characters');

    const clientId = (value: unknown, what: string) =>
      cases.push({
        what: `client request id ${what}`,
        status: 400,
        input: {
          clientRequestId: value,
          name: 'hostile-db',
          parameters: valid,
        },
        field: 'clientRequestId',
      });
    clientId('', 'empty');
    clientId('abc', 'too short');
    clientId('x'.repeat(500), 'of 500 characters');
    clientId(12345678, 'a number');

    for (const [raw, what] of [
      ['{"offering": ', 'truncated JSON'],
      ['[]', 'a JSON array'],
      ['"request"', 'a JSON string'],
      ['null', 'JSON null'],
    ] as const) {
      cases.push({ what: `body ${what}`, status: 400, raw });
    }
    cases.push({
      what: 'a body over 64 kB',
      status: 413,
      input: {
        name: 'hostile-db',
        parameters: { parameters: { storageGB: 20, x: 'x'.repeat(70_000) } },
      },
    });

    // Someone else's entity, the guest, and taken names.
    cases.push({
      what: "a Storefront engineer for the Payments Team's service",
      status: 403,
      token: 'priya',
      input: { name: 'hostile-db', parameters: valid },
    });
    cases.push({
      what: 'an SRE for the Payments Team in production',
      status: 403,
      token: 'oliver',
      input: {
        environment: 'prod',
        name: 'hostile-db',
        parameters: { parameters: { storageGB: 20, tier: 'standard' } },
      },
    });
    cases.push({
      what: 'the guest',
      status: 403,
      token: 'guest',
      input: { name: 'hostile-db', parameters: valid },
    });
    cases.push({
      what: "the name of the team's existing database",
      status: 409,
      input: { name: 'payments-db', parameters: valid },
    });
    cases.push({
      what: 'the name of a database already requested',
      status: 409,
      input: { name: 'payments-ledger-db', parameters: valid },
    });

    // Approval misuse on a request awaiting approval.
    const pending = await submit(tokens.daniel, {
      environment: 'prod',
      name: 'payments-pending-db',
      parameters: { parameters: { storageGB: 20, tier: 'standard' } },
    });
    assert.equal(pending.status, 201, JSON.stringify(pending.body));
    const decisions: Array<{
      what: string;
      status: number;
      token: string;
      path: string;
      body?: unknown;
    }> = [
      {
        what: 'self-approval by the requester',
        status: 403,
        token: 'daniel',
        path: `/requests/${pending.body.id}/approve`,
      },
      {
        what: 'approval by a non-approver',
        status: 403,
        token: 'priya',
        path: `/requests/${pending.body.id}/approve`,
      },
      {
        what: 'approval by the guest',
        status: 403,
        token: 'guest',
        path: `/requests/${pending.body.id}/approve`,
      },
      {
        what: 'rejection without a comment',
        status: 400,
        token: 'oliver',
        path: `/requests/${pending.body.id}/reject`,
        body: {},
      },
      {
        what: 'a comment that is not text',
        status: 400,
        token: 'oliver',
        path: `/requests/${pending.body.id}/approve`,
        body: { comment: { text: 'ok' } },
      },
      {
        what: 'approval of an unknown request',
        status: 404,
        token: 'oliver',
        path: '/requests/00000000-0000-4000-8000-000000000000/approve',
      },
      {
        what: 'approval of a malformed id',
        status: 400,
        token: 'oliver',
        path: '/requests/not-a-uuid/approve',
      },
      {
        what: 'approval of a request that needs none',
        status: 409,
        token: 'oliver',
        path: '',
      },
    ];
    const devRequest = (
      await call(
        tokens.daniel,
        'GET',
        `/requests?entityRef=${PAYMENTS}&status=credentials-available`,
      )
    ).body.requests[0];
    decisions[decisions.length - 1].path = `/requests/${devRequest.id}/approve`;

    const afterPending = await liveResources();
    const requestsWithPending = await allRequests();
    const failures: string[] = [];
    for (const c of cases) {
      const token = tokens[(c.token ?? 'daniel') as keyof typeof tokens];
      const res = c.raw
        ? await call(token, 'POST', '/requests', undefined, c.raw)
        : await submit(token, c.input ?? {});
      const message = res.body?.error?.message;
      if (res.status !== c.status || typeof message !== 'string' || !message) {
        failures.push(
          `${c.what}: expected ${c.status}, got ${res.status} ${JSON.stringify(
            res.body,
          ).slice(0, 300)}`,
        );
        continue;
      }
      if (
        c.field &&
        !(res.body.error.fields ?? []).some((f: any) => f.path === c.field)
      ) {
        failures.push(
          `${c.what}: no message on ${c.field}: ${JSON.stringify(
            res.body.error.fields ?? message,
          )}`,
        );
      }
    }
    for (const d of decisions) {
      const res = await call(
        tokens[d.token as keyof typeof tokens],
        'POST',
        d.path,
        d.body ?? {},
      );
      if (res.status !== d.status || !res.body?.error?.message) {
        failures.push(
          `${d.what}: expected ${d.status}, got ${res.status} ${JSON.stringify(
            res.body,
          ).slice(0, 300)}`,
        );
      }
    }
    const total = cases.length + decisions.length;
    console.log(
      `    ${total} hostile or invalid submissions, ${failures.length} answered wrongly`,
    );
    assert.ok(total >= 100, `only ${total} cases`);
    assert.deepEqual(failures, []);
    assert.deepEqual(
      await liveResources(),
      afterPending,
      'no resource created on either cluster',
    );
    assert.deepEqual(
      await allRequests(),
      requestsWithPending,
      'no request row written',
    );
    assert.deepEqual(
      afterPending.filter(r => !resourcesBefore.includes(r)),
      [],
      'the pending production request created nothing either',
    );
    assert.equal(requestsWithPending.length, requestsBefore.length + 1);
    const stillPending = await call(
      tokens.daniel,
      'GET',
      `/requests/${pending.body.id}`,
    );
    assert.equal(stillPending.body.status, 'awaiting-approval');
    assert.deepEqual(
      stillPending.body.events.map((e: any) => e.status),
      ['awaiting-approval'],
    );
  });

  it('refuses a request over the team quota', async () => {
    // quotaPerTeam is 5 in the sandbox: fill the Payments Team's dev databases up to it.
    const live = async () =>
      (
        await kubectlJson('sandbox-dev', [
          'get',
          POSTGRES,
          '-n',
          'team-payments',
        ])
      ).items.length;
    let refused: Answer | undefined;
    for (let n = 0; n < 6 && !refused; n++) {
      const res = await submit(tokens.daniel, {
        name: `payments-quota-${n}-db`,
        parameters: { parameters: { storageGB: 20 } },
      });
      if (res.status !== 201) refused = res;
    }
    assert.equal(refused?.status, 409, JSON.stringify(refused?.body));
    assert.match(refused!.body.error.message, /quota of 5/);
    assert.equal(await live(), 5);
  });
});
