// The built portal on each production-relevant database, pointed at the sandbox's clusters and
// GitHub: a signed-in user gets the whole demo organisation from the catalog, a rendered TechDocs
// site, search hits inside those docs, and each service's Argo CD deployments with history.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  backendDir,
  eventually,
  readCatalogFiles,
  repoRoot,
  startPortal,
  type DatabaseKind,
  type Portal,
  unpackBackendBundle,
} from './portal.ts';
import { signInWithGitHub } from './githubSignIn.ts';
import { sandboxGitHub } from './scaffolder.ts';
import { startSandbox, type RunningSandbox } from './sandbox.ts';

interface CatalogEntity {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: { definition?: string };
}

const demo = readCatalogFiles();
const demoComponent = 'payments-service';
// Seeded to pass every Bronze and Silver check but CODEOWNERS (packages/sandbox/src/demo/seed.ts).
const silverButCodeowners = 'catalog-service';
// A Storefront Team engineer, an owner of catalog-service.
const storefrontEngineer = 'priya-raman';
// A Payments Team engineer: Argo CD shows the team's Applications to its members.
const paymentsEngineer = 'daniel-mercer';

let sandbox: RunningSandbox;
before(async () => {
  sandbox = await startSandbox();
});
after(async () => {
  await sandbox?.stop();
});

interface ApplicationsBody {
  applications: {
    instance: string;
    name: string;
    sync: { status: string; revision?: string };
    health: { status: string };
  }[];
  instances: { instance: string; status: string; error?: string }[];
}

interface ScorecardBody {
  level: string | null;
  nextLevel: { level: string; missing: { id: string }[] } | null;
  checks: { id: string; outcome: 'pass' | 'fail' | 'unknown' }[];
  refresh?: { refreshed: boolean; message?: string };
}

interface HistoryBody {
  history: { revision: string; commit?: { message: string } }[];
}

/** Reads the TechDocs sync event stream until the build finishes; fails on an error event. */
async function buildDocs(portal: Portal, token: string, entityPath: string) {
  const res = await fetch(`${portal.baseUrl}/api/techdocs/sync/${entityPath}`, {
    headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' },
  });
  assert.equal(res.status, 200, await res.clone().text());
  const text = await res.text();
  const events = [...text.matchAll(/^event: (\w+)\ndata: (.*)$/gm)].map(m => ({
    event: m[1],
    data: m[2],
  }));
  const failure = events.find(e => e.event === 'error');
  assert.equal(failure, undefined, `TechDocs build failed: ${failure?.data}`);
  assert.ok(
    events.some(e => e.event === 'finish'),
    `no finish event in ${text.slice(0, 500)}`,
  );
}

for (const database of ['sqlite', 'postgres'] as DatabaseKind[]) {
  describe(`portal on ${database}`, () => {
    let portal: Portal;
    let token: string;

    before(async () => {
      portal = await startPortal({
        database,
        configFiles: [sandbox.configFile],
      });
      token = await portal.signInAsGuest();
    });

    after(async () => {
      await portal?.stop();
    });

    it('rejects catalog reads without a token', async () => {
      const res = await fetch(`${portal.baseUrl}/api/catalog/entities?limit=1`);
      assert.equal(res.status, 401);
    });

    it('serves every entity of the demo organisation to a signed-in user', async () => {
      const expected = demo
        .map(e => `${e.kind.toLowerCase()}:${e.metadata.name}`)
        .sort();
      const served = await eventually(
        'the catalog to ingest the demo',
        async () => {
          const body = await portal.getJson<{ items: CatalogEntity[] }>(
            '/api/catalog/entities/by-query?limit=1000&filter=metadata.namespace=default',
            token,
          );
          const names = new Set(
            body.items.map(e => `${e.kind.toLowerCase()}:${e.metadata.name}`),
          );
          const missing = expected.filter(ref => !names.has(ref));
          if (missing.length > 0)
            throw new Error(`missing ${missing.join(', ')}`);
          return body.items;
        },
        90_000,
      );

      const count = (kind: string) =>
        served.filter(e => e.kind === kind).length;
      assert.ok(count('Component') >= 20, `${count('Component')} components`);
      assert.ok(count('API') >= 8, `${count('API')} APIs`);
      assert.ok(count('Group') >= 6, `${count('Group')} groups`);
      assert.ok(count('Domain') >= 3, `${count('Domain')} domains`);
      assert.ok(count('System') >= 5, `${count('System')} systems`);

      // $text references were resolved into real definitions.
      for (const api of served.filter(e => e.kind === 'API')) {
        const definition = api.spec?.definition ?? '';
        assert.match(
          definition,
          /^(openapi|asyncapi):/m,
          `API ${api.metadata.name}`,
        );
      }
    });

    it('builds and serves a TechDocs site with more than one page', async () => {
      const entityPath = `default/component/${demoComponent}`;
      await buildDocs(portal, token, entityPath);

      const page = await fetch(
        `${portal.baseUrl}/api/techdocs/static/docs/${entityPath}/index.html`,
        { headers: { Authorization: `Bearer ${token}` } },
      );
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /<nav/);
      const links = [...html.matchAll(/href="([a-z0-9-]+\/)"/g)].map(m => m[1]);
      assert.ok(
        links.length >= 2,
        `expected nav links to other pages, got ${links}`,
      );

      const second = await fetch(
        `${portal.baseUrl}/api/techdocs/static/docs/${entityPath}/${links[0]}index.html`,
        { headers: { Authorization: `Bearer ${token}` } },
      );
      assert.equal(second.status, 200);
      assert.match(await second.text(), /<article/);
    });

    it('finds words from docs nobody has opened, built ahead by the prebuild', async () => {
      // order-service's architecture page explains its saga; no test opens those docs.
      const hit = await eventually(
        'the prebuilt docs to be indexed',
        async () => {
          const body = await portal.getJson<{
            results: {
              type: string;
              document: { location: string; title: string };
            }[];
          }>('/api/search/query?term=saga&types%5B0%5D=techdocs', token);
          return body.results.find(r =>
            r.document.location.includes(
              '/docs/default/component/order-service',
            ),
          );
        },
        120_000,
      );
      assert.equal(hit.type, 'techdocs');
    });

    it("serves a service's deployments on both sandbox clusters, with the commits behind them", async () => {
      const base = `/api/argocd/entity/component/default/${demoComponent}/applications`;
      const engineer = await signInWithGitHub(portal.baseUrl, paymentsEngineer);
      const body = await eventually(
        'both clusters to report the service',
        async () => {
          const answer = await portal.getJson<ApplicationsBody>(base, engineer);
          return answer.applications.length === 2 ? answer : undefined;
        },
        60_000,
      );
      assert.deepEqual(body.instances.map(i => [i.instance, i.status]).sort(), [
        ['sandbox-dev', 'ready'],
        ['sandbox-prod', 'ready'],
      ]);
      for (const app of body.applications) {
        assert.equal(app.name, demoComponent);
        assert.equal(app.sync.status, 'Synced', app.instance);
        assert.match(app.sync.revision ?? '', /^[0-9a-f]{40}$/);
      }

      // Commit details come from the GitHub stand-in and are stored in this database.
      const history = await portal.getJson<HistoryBody>(
        `${base}/sandbox-prod/argocd/${demoComponent}/history`,
        engineer,
      );
      assert.ok(history.history.length >= 1);
      const prod = body.applications.find(a => a.instance === 'sandbox-prod');
      assert.equal(history.history[0].revision, prod?.sync.revision);
      assert.ok(
        history.history[0].commit?.message,
        JSON.stringify(history.history[0]),
      );
    });

    it('scores a demo service from its GitHub repository, catalog entry, Argo CD deployments and production database; its owner re-runs it, the guest may not', async () => {
      const path = `/api/scorecards/entity/default/component/${demoComponent}`;
      const engineer = await signInWithGitHub(portal.baseUrl, paymentsEngineer);
      const outcomes = (body: ScorecardBody) =>
        Object.fromEntries(body.checks.map(c => [c.id, c.outcome]));
      // Tech Insights collects facts shortly after start; until then every check is unknown.
      const scored = await eventually(
        'facts from GitHub, the catalog, Argo CD and Crossplane behind the scorecard',
        async () => {
          const res = await fetch(`${portal.baseUrl}${path}/run`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${engineer}` },
          });
          assert.equal(res.status, 200, await res.clone().text());
          const body = (await res.json()) as ScorecardBody;
          const outcome = outcomes(body);
          const collected = [
            'has-readme',
            'owner-is-group',
            'deployed-with-argocd',
            'production-databases-protected',
          ].every(check => outcome[check] !== 'unknown');
          return collected ? body : undefined;
        },
        90_000,
      );
      // The sandbox seeds every repository with a README and every service with a CI workflow.
      assert.equal(outcomes(scored)['has-readme'], 'pass');
      assert.equal(outcomes(scored)['ci-workflow'], 'pass');
      assert.equal(outcomes(scored)['owner-is-group'], 'pass');
      // Deployed on both sandbox clusters, Synced and Healthy; payments-db on prod has backups
      // and deletion protection, as the sandbox seeds production databases.
      assert.equal(outcomes(scored)['deployed-with-argocd'], 'pass');
      assert.equal(outcomes(scored)['argocd-synced-healthy'], 'pass');
      assert.equal(outcomes(scored)['production-deployed-recently'], 'pass');
      assert.equal(outcomes(scored)['production-databases-protected'], 'pass');
      assert.equal(scored.level === null, false, JSON.stringify(scored));

      // Only a re-run's answer says whether facts were collected again first.
      const { refresh, ...stored } = scored;
      assert.deepEqual(refresh, { refreshed: true });
      const read = await portal.getJson<ScorecardBody>(path, token);
      assert.deepEqual(read, stored);
      const guest = await fetch(`${portal.baseUrl}${path}/run`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}` },
      });
      assert.equal(guest.status, 403);
    });

    it('a service that lacks only CODEOWNERS for Silver reaches Silver on the re-run after its owner adds the file', async () => {
      const github = sandboxGitHub(sandbox.configFile);
      const file = `/repos/acme/${silverButCodeowners}/contents/.github/CODEOWNERS`;
      // The sandbox outlives one database's run: remove the file an earlier run added.
      const existing = await github.get(file);
      if (existing.status === 200) {
        await github.delete(file, {
          message: 'Remove CODEOWNERS',
          sha: existing.body.sha,
        });
      }
      let engineer = '';
      const rerun = async () => {
        const res = await fetch(
          `${portal.baseUrl}/api/scorecards/entity/default/component/${silverButCodeowners}/run`,
          { method: 'POST', headers: { Authorization: `Bearer ${engineer}` } },
        );
        assert.equal(res.status, 200, await res.clone().text());
        return (await res.json()) as ScorecardBody;
      };
      // The engineer and the service must be in the catalog first (when run on its own).
      const before = await eventually(
        'the catalog to know the service and its owners',
        async () => {
          engineer = await signInWithGitHub(portal.baseUrl, storefrontEngineer);
          const body = await rerun();
          const ready = body.checks.every(c => c.outcome !== 'unknown');
          const owned = body.checks.some(
            c => c.id === 'owner-is-group' && c.outcome === 'pass',
          );
          return ready && owned ? body : undefined;
        },
        90_000,
      );
      assert.deepEqual(before.refresh, { refreshed: true });
      assert.equal(before.level, 'Bronze', JSON.stringify(before));
      assert.equal(before.nextLevel?.level, 'Silver');
      assert.deepEqual(
        before.nextLevel?.missing.map(c => c.id),
        ['codeowners'],
      );

      const added = await github.put(file, {
        message: 'Add CODEOWNERS',
        content: Buffer.from('* @acme/team-storefront\n').toString('base64'),
      });
      assert.equal(added.status, 201, JSON.stringify(added.body));
      const after = await rerun();
      assert.equal(after.level, 'Silver', JSON.stringify(after));
      assert.equal(
        after.checks.find(c => c.id === 'codeowners')?.outcome,
        'pass',
      );
    });

    it('lists the infrastructure on offer with a request form for each, from both clusters', async () => {
      const body = await eventually(
        'the offered XRDs of both sandbox clusters',
        async () => {
          const answer = await portal.getJson<{
            offerings: {
              name: string;
              kind: string;
              apiVersion: string;
              clusters: string[];
              schema: { properties: Record<string, unknown> };
            }[];
            clusters: { name: string; status: string }[];
          }>('/api/crossplane/offerings', token);
          return answer.clusters.every(c => c.status === 'ready') &&
            answer.offerings.length === 3
            ? answer
            : undefined;
        },
        30_000,
      );
      assert.deepEqual(
        body.offerings.map(o => [o.name, o.apiVersion, o.clusters.sort()]),
        [
          ['caches.platform.paved.dev', 'v2', ['sandbox-dev', 'sandbox-prod']],
          [
            'postgresqlinstances.platform.paved.dev',
            'v2',
            ['sandbox-dev', 'sandbox-prod'],
          ],
          [
            'xbuckets.platform.paved.dev',
            'v1',
            ['sandbox-dev', 'sandbox-prod'],
          ],
        ],
      );
      const database = body.offerings.find(
        o => o.kind === 'PostgreSQLInstance',
      )!;
      // The form holds the XRD's parameters, never Crossplane's own fields.
      assert.ok(
        'parameters' in database.schema.properties,
        JSON.stringify(database.schema),
      );
      assert.ok(!('crossplane' in database.schema.properties));
    });

    it('explains requests it cannot answer instead of failing', async () => {
      // A library has no Argo CD annotation.
      const library = demo.find(
        e =>
          e.kind === 'Component' &&
          !e.metadata.annotations?.['argocd/app-name'],
      )!;
      const res = await fetch(
        `${portal.baseUrl}/api/argocd/entity/component/default/${library.metadata.name}/applications`,
        { headers: { Authorization: `Bearer ${token}` } },
      );
      assert.equal(res.status, 400);
      const error = (await res.json()) as { error: { message: string } };
      assert.match(error.error.message, /argocd\/app-name/);

      const missing = await fetch(
        `${portal.baseUrl}/api/argocd/entity/component/default/no-such-service/applications`,
        { headers: { Authorization: `Bearer ${token}` } },
      );
      assert.equal(missing.status, 404);
    });
  });
}

describe('production config', () => {
  it('refuses to start without its required settings, naming each key and variable', () => {
    const bundleRoot = unpackBackendBundle();
    const result = spawnSync(
      process.execPath,
      [
        join(bundleRoot, 'packages/backend'),
        '--config',
        join(repoRoot, 'app-config.yaml'),
        '--config',
        join(repoRoot, 'app-config.production.yaml'),
      ],
      {
        cwd: backendDir,
        // Only some of the production variables are set.
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          PAVED_BASE_URL: 'https://paved.example.com',
          POSTGRES_HOST: '127.0.0.1',
          POSTGRES_USER: 'paved',
        },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    rmSync(bundleRoot, { recursive: true, force: true });
    const output = `${result.stdout}${result.stderr}`;
    assert.notEqual(result.status, 0, output);
    assert.match(output, /Missing required configuration: /);
    assert.match(
      output,
      /backend\.database\.connection\.password \(set POSTGRES_PASSWORD\)/,
    );
    assert.match(
      output,
      /auth\.providers\.github\.production\.clientId \(set AUTH_GITHUB_CLIENT_ID\)/,
    );
    assert.match(output, /\(set GITHUB_ORG\)/);
    assert.match(output, /\(set K8S_PROD_URL\)/);
    assert.match(output, /\(set PAVED_ADMIN_GROUP\)/);
    assert.doesNotMatch(output, /POSTGRES_HOST|POSTGRES_USER|PAVED_BASE_URL/);
  });
});
