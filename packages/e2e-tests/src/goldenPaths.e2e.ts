// Golden paths end to end, against the built portal and the sandbox: a demo engineer runs each
// template through the real scaffolder; the task ends with the entity readable, the repository
// on the GitHub stand-in protected and owned by the team, and Argo CD deploying the service to
// sandbox-dev until it is Synced and Healthy; a plain `git clone` of the result installs, lints,
// tests and builds, and its manifests, catalog file, docs and Dockerfile pass their checks.
// Bad input of every kind named in the issue fails with a message and leaves no repository, no
// catalog entry and no Argo CD Application behind. The REST template's database option requests
// a dev PostgreSQL database for the new service through the Crossplane self-service.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { signInWithGitHub } from './githubSignIn.ts';
import {
  eventually,
  readCatalogFiles,
  repoRoot,
  startPortal,
  type Portal,
} from './portal.ts';
import { startSandbox, type RunningSandbox } from './sandbox.ts';
import {
  argoApplication,
  runTemplate,
  sandboxGitHub,
  submitTask,
  type SandboxGitHub,
} from './scaffolder.ts';
import { checkTemplateOutput, formatReport } from './templateOutput.ts';

// Daniel is on the Payments Team; payments is one of its systems.
const engineer = 'daniel-mercer';
const paymentsTeam = 'group:default/team-payments';
const paymentsSystem = 'system:default/payments';

let sandbox: RunningSandbox;
let portal: Portal;
let github: SandboxGitHub;
let token: string;

/** The repo's catalog locations plus the hostile templates (a config file replaces the list). */
function locationsWithHostileTemplates() {
  const config = parse(readFileSync(join(repoRoot, 'app-config.yaml'), 'utf8'));
  return [
    ...config.catalog.locations,
    {
      type: 'file',
      target: join(
        repoRoot,
        'packages/e2e-tests/fixtures/hostile-templates/all.yaml',
      ),
      rules: [{ allow: ['Template', 'Location'] }],
    },
  ];
}

before(async () => {
  sandbox = await startSandbox();
  github = sandboxGitHub(sandbox.configFile);
  portal = await startPortal({
    database: 'postgres',
    configFiles: [sandbox.configFile],
    config: { catalog: { locations: locationsWithHostileTemplates() } },
  });
  // Sign-in resolves the GitHub login to its catalog User, so the catalog must be in first.
  const guest = await portal.signInAsGuest();
  await eventually(
    'the demo people and the golden-path templates in the catalog',
    async () => {
      for (const path of [
        `user/default/${engineer}`,
        'template/default/rest-api-service',
        'template/default/add-codeowners',
        'template/default/escape-path',
      ]) {
        const res = await fetch(
          `${portal.baseUrl}/api/catalog/entities/by-name/${path}`,
          { headers: { Authorization: `Bearer ${guest}` } },
        );
        if (!res.ok) throw new Error(`${path}: ${res.status}`);
      }
      return true;
    },
    90_000,
  ).catch(error => {
    throw new Error(`${error.message}\n${portal.logTail()}`);
  });
  token = await signInWithGitHub(portal.baseUrl, engineer);
});

after(async () => {
  await portal?.stop();
  await sandbox?.stop();
});

async function entityStatus(kind: string, name: string) {
  const res = await fetch(
    `${portal.baseUrl}/api/catalog/entities/by-name/${kind}/default/${name}`,
    { headers: { Authorization: `Bearer ${token}` } },
  );
  return res.status;
}

/** Nothing a task could have created under this name exists. */
async function assertNothingCreated(name: string) {
  assert.equal(await github.repo(name), undefined, `repository acme/${name}`);
  assert.equal(await entityStatus('component', name), 404, `entity ${name}`);
  for (const context of ['sandbox-dev', 'sandbox-prod']) {
    assert.equal(
      await argoApplication(sandbox.kubeconfigFile, context, name),
      undefined,
      `Argo CD Application ${name} on ${context}`,
    );
  }
}

for (const { template, name, kind } of [
  {
    template: 'rest-api-service',
    name: 'checkout-gateway',
    kind: 'service' as const,
  },
  { template: 'web-frontend', name: 'checkout-web', kind: 'website' as const },
]) {
  describe(`the ${template} golden path`, () => {
    let clone: string;
    after(() => clone && rmSync(clone, { recursive: true, force: true }));

    it('creates the service: readable at once, repository protected and owned by the team, deployed Synced and Healthy on dev', async () => {
      const run = await runTemplate(
        portal.baseUrl,
        token,
        `template:default/${template}`,
        {
          name,
          owner: paymentsTeam,
          system: paymentsSystem,
        },
      );
      assert.equal(run.status, 'completed', run.log);

      // The task's link to the entity works the moment the task ends.
      assert.equal(await entityStatus('component', name), 200, run.log);
      if (kind === 'service') {
        assert.equal(await entityStatus('api', `${name}-api`), 200);
      }
      const entity = await portal.getJson<any>(
        `/api/catalog/entities/by-name/component/default/${name}`,
        token,
      );
      assert.equal(entity.spec.owner, 'team-payments');
      assert.equal(entity.spec.system, 'payments');
      assert.equal(
        entity.metadata.annotations['backstage.io/source-template'],
        `template:default/${template}`,
      );
      assert.match(
        entity.metadata.annotations['paved.dev/template-version'],
        /^\d+\.\d+\.\d+$/,
      );
      const links =
        run.events.find(e => e.type === 'completion')?.body.output?.links ?? [];
      assert.ok(
        links.some(l => l.entityRef === `component:default/${name}`),
        JSON.stringify(links),
      );
      // The database option is off unless chosen: no link, no request.
      assert.ok(
        !links.some(l => l.title === 'Database request'),
        JSON.stringify(links),
      );
      const { requests } = await portal.getJson<any>(
        `/api/crossplane/requests?entityRef=component:default/${name}`,
        token,
      );
      assert.deepEqual(requests, []);

      const protection = await github.get(
        `/repos/acme/${name}/branches/main/protection`,
      );
      assert.equal(protection.status, 200, JSON.stringify(protection.body));
      assert.equal(
        protection.body.required_pull_request_reviews
          .required_approving_review_count,
        1,
      );
      const teams = await github.get(`/repos/acme/${name}/teams`);
      assert.deepEqual(
        teams.body.map((t: any) => [t.slug, t.permission]),
        [['team-payments', 'admin']],
      );

      // Argo CD deploys it from the repository's dev overlay, as the entity page shows.
      const deployed = await eventually(
        `${name} Synced and Healthy on sandbox-dev`,
        async () => {
          const { applications } = await portal.getJson<any>(
            `/api/argocd/entity/component/default/${name}/applications`,
            token,
          );
          const dev = applications.find(
            (a: any) => a.instance === 'sandbox-dev',
          );
          return dev?.sync.status === 'Synced' &&
            dev?.health.status === 'Healthy'
            ? dev
            : undefined;
        },
        60_000,
      );
      assert.equal(deployed.name, name);
      assert.ok(
        Date.now() - run.submittedAt < 60_000,
        `deployed ${Math.round(
          (Date.now() - run.submittedAt) / 1000,
        )} s after the task was submitted`,
      );
      assert.equal(
        await argoApplication(sandbox.kubeconfigFile, 'sandbox-prod', name),
        undefined,
        'prod was not chosen',
      );
    });

    it('generates a repository whose own install, lint, tests, build, manifests, catalog file, docs and Dockerfile pass', async () => {
      clone = mkdtempSync(join(tmpdir(), `paved-${name}-`));
      execFileSync('git', ['clone', '--quiet', github.cloneUrl(name), clone]);
      const report = await checkTemplateOutput(clone, { name, kind });
      console.log(formatReport(report));
    });
  });
}

describe('the rest-api-service golden path with a dev database', () => {
  const name = 'payout-ledger';

  it('requests a PostgreSQL database for the new service as the engineer, created in the team namespace and linked from the task', async () => {
    const run = await runTemplate(
      portal.baseUrl,
      token,
      'template:default/rest-api-service',
      {
        name,
        owner: paymentsTeam,
        system: paymentsSystem,
        database: true,
        databaseStorageGB: 30,
        databaseVersion: '15',
      },
    );
    assert.equal(run.status, 'completed', run.log);
    assert.match(
      run.log,
      new RegExp(`Requested PostgreSQL database ${name}-db on dev`),
    );

    const links =
      run.events.find(e => e.type === 'completion')?.body.output?.links ?? [];
    const link = links.find(l => l.title === 'Database request');
    const id = link?.url?.match(
      new RegExp(`^${portal.baseUrl}/infrastructure/requests/([0-9a-f-]{36})$`),
    )?.[1];
    assert.ok(id, `a link to the request: ${JSON.stringify(links)}`);

    // The request is the engineer's, for the new component, owned by its team.
    const request = await eventually(
      `request ${id} created on the cluster`,
      async () => {
        const found = await portal.getJson<any>(
          `/api/crossplane/requests/${id}`,
          token,
        );
        return ['created', 'synced', 'ready', 'credentials-available'].includes(
          found.status,
        )
          ? found
          : undefined;
      },
      30_000,
    );
    assert.equal(request.entityRef, `component:default/${name}`);
    assert.equal(request.ownerRef, paymentsTeam);
    assert.equal(request.requestedBy, `user:default/${engineer}`);

    const { stdout } = await promisify(execFile)('kubectl', [
      '--kubeconfig',
      sandbox.kubeconfigFile,
      '--context',
      'sandbox-dev',
      'get',
      'postgresqlinstances.platform.paved.dev',
      '-n',
      'team-payments',
      `${name}-db`,
      '-o',
      'json',
    ]);
    const xr = JSON.parse(stdout);
    assert.equal(xr.metadata.labels['paved.dev/request-id'], id);
    assert.equal(xr.spec.parameters.storageGB, 30);
    assert.equal(xr.spec.parameters.version, '15');
  });
});

describe('bad input leaves nothing behind', () => {
  const fails = async (
    template: string,
    values: Record<string, unknown>,
    message: RegExp,
  ) => {
    const run = await runTemplate(portal.baseUrl, token, template, values);
    assert.equal(run.status, 'failed', run.log);
    assert.match(run.log, message);
    await assertNothingCreated(String(values.name));
  };
  const service = (name: string) => ({
    name,
    owner: paymentsTeam,
    system: paymentsSystem,
  });

  it('refuses an illegal name before the task starts, saying what is allowed', async () => {
    for (const name of ['Checkout_Gateway', 'x'.repeat(51), 'trailing-']) {
      const answer = await submitTask(
        portal.baseUrl,
        token,
        'template:default/rest-api-service',
        service(name),
      );
      assert.equal(
        answer.status,
        400,
        `${name}: ${answer.status} ${answer.error}`,
      );
      assert.match(answer.error ?? '', /name/);
      await assertNothingCreated(name);
    }
  });

  it('refuses a name an entity already has', async () => {
    // `<name>-api` is the API entity a REST service provides; Payments already has payments-api.
    await fails(
      'template:default/rest-api-service',
      service('payments'),
      /The catalog already has api:default\/payments-api \(owned by team-payments\); choose another name/,
    );
    assert.equal(await entityStatus('api', 'payments-api'), 200);
  });

  it('refuses a name a repository already has', async () => {
    const created = await github.post('/orgs/acme/repos', {
      name: 'ledger-export',
    });
    assert.equal(created.status, 201);
    const run = await runTemplate(
      portal.baseUrl,
      token,
      'template:default/rest-api-service',
      service('ledger-export'),
    );
    assert.equal(run.status, 'failed');
    assert.match(
      run.log,
      /Repository acme\/ledger-export already exists on .*; choose another name/,
    );
    assert.equal(await entityStatus('component', 'ledger-export'), 404);
    assert.equal(
      await argoApplication(
        sandbox.kubeconfigFile,
        'sandbox-dev',
        'ledger-export',
      ),
      undefined,
    );
  });

  it('refuses an owner the engineer is not a member of', async () => {
    await fails(
      'template:default/rest-api-service',
      { ...service('tracking-helper'), owner: 'group:default/team-tracking' },
      /You are not a member of group:default\/team-tracking/,
    );
  });

  it('refuses the guest', async () => {
    const guest = await portal.signInAsGuest();
    const answer = await submitTask(
      portal.baseUrl,
      guest,
      'template:default/rest-api-service',
      service('guest-service'),
    );
    assert.equal(answer.status, 403, `${answer.status} ${answer.error}`);
    assert.ok(answer.error, 'a message saying why');
    await assertNothingCreated('guest-service');
  });

  it("refuses a skeleton that writes outside the task's workspace", async () => {
    await fails(
      'template:default/escape-path',
      service('escape-path-svc'),
      /outside/i,
    );
  });

  it('refuses a template whose skeleton holds a symlink pointing outside it, before anyone can run it', async () => {
    // fetch:template would drop the link silently and publish the rest; Paved's catalog refuses
    // the template instead (plugins/catalog-backend-module-template-guard).
    assert.equal(await entityStatus('template', 'escape-symlink'), 404);
    assert.match(
      portal.logTail(2000),
      /Template escape-symlink is refused: its skeleton .* holds passwd, a symlink to .*outside the skeleton/,
    );
    const answer = await submitTask(
      portal.baseUrl,
      token,
      'template:default/escape-symlink',
      service('escape-symlink-svc'),
    );
    assert.equal(answer.status, 404, `${answer.status} ${answer.error}`);
    await assertNothingCreated('escape-symlink-svc');
  });
});

describe('the add-codeowners fix-it template', () => {
  const hasCodeowners = async (repo: string, ref: string) =>
    (
      await github.get(
        `/repos/${github.owner}/${repo}/contents/.github/CODEOWNERS?ref=${ref}`,
      )
    ).status === 200;

  it("opens a pull request adding CODEOWNERS to one of the team's services that lacks it; another team's service is refused", async () => {
    // A Payments Team service whose repository has no CODEOWNERS, as the sandbox seeds some.
    const teamServices = readCatalogFiles().filter(
      e => e.kind === 'Component' && e.spec?.owner === 'team-payments',
    );
    let target: string | undefined;
    for (const entity of teamServices) {
      if (!(await hasCodeowners(entity.metadata.name, 'main'))) {
        target = entity.metadata.name;
        break;
      }
    }
    assert.ok(target, 'a Payments Team repository without CODEOWNERS');

    const run = await runTemplate(
      portal.baseUrl,
      token,
      'template:default/add-codeowners',
      { entityRef: `component:default/${target}` },
    );
    assert.equal(run.status, 'completed', run.log);
    const prLink = run.events
      .find(e => e.type === 'completion')
      ?.body.output?.links?.find(l => l.title === 'Pull request')?.url;
    assert.ok(prLink, run.log);
    const number = Number(prLink.split('/').pop());
    const pull = await github.get(
      `/repos/${github.owner}/${target}/pulls/${number}`,
    );
    assert.equal(pull.body.state, 'open');
    assert.equal(pull.body.head.ref, 'paved/add-codeowners');
    const file = await github.get(
      `/repos/${github.owner}/${target}/contents/.github/CODEOWNERS?ref=paved/add-codeowners`,
    );
    assert.match(
      Buffer.from(file.body.content, 'base64').toString('utf8'),
      new RegExp(`^\\* @${github.owner}/team-payments$`, 'm'),
    );
    // Nothing lands on the default branch until someone merges the pull request.
    assert.equal(await hasCodeowners(target, 'main'), false);

    const refused = await runTemplate(
      portal.baseUrl,
      token,
      'template:default/add-codeowners',
      { entityRef: 'component:default/storefront-web' },
    );
    assert.equal(refused.status, 'failed');
    assert.match(
      refused.log,
      /Only members of group:default\/team-storefront, which owns component:default\/storefront-web, may propose changes/,
    );
    const pulls = await github.get(
      `/repos/${github.owner}/storefront-web/pulls?state=all`,
    );
    assert.equal(
      pulls.body.filter(
        (p: { head: { ref: string } }) => p.head.ref === 'paved/add-codeowners',
      ).length,
      0,
    );
  });
});
