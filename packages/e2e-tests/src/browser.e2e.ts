// A newcomer's first visit, in Debian's Chromium against the built portal with the sandbox's
// clusters and GitHub: sign in with GitHub as a Payments Team engineer, browse the demo catalog,
// filter it by owner, open a service, read its docs, search the docs, see where the service is
// deployed and its history; create a new service from the REST API golden path and follow it to
// its docs, its deployment and its repository; a Storefront engineer brings a service's scorecard
// from Bronze to Silver while an admin's campaign counts it; request a database for the service and watch it
// become usable, and a production one that waits for an SRE's approval; act on what the team owns and be refused
// elsewhere; an admin finds the refusal in the audit log; the guest is asked to sign in first.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { parse } from 'yaml';
import {
  eventually,
  readCatalogFiles,
  repoRoot,
  startPortal,
  type CatalogFileEntity,
  type Portal,
} from './portal.ts';
import { startSandbox, type RunningSandbox } from './sandbox.ts';
import { signInWithGitHub as signInOverHttp } from './githubSignIn.ts';

const entities = readCatalogFiles();
const components = entities.filter(e => e.kind === 'Component');
const displayName = (e: CatalogFileEntity) =>
  e.metadata.title ?? e.metadata.name;
const byName = (kind: string, name: string) => {
  const entity = entities.find(
    e => e.kind === kind && e.metadata.name === name,
  );
  assert.ok(entity, `${kind} ${name} in the catalog files`);
  return entity;
};

const team = byName('Group', 'team-payments');
const teamComponents = components.filter(
  e => e.spec?.owner === team.metadata.name,
);
const otherComponent = components.find(
  e => e.spec?.owner !== team.metadata.name,
)!;
const service = byName('Component', 'payments-service');
const foreignService = byName('Component', 'storefront-web');
const engineer = byName('User', 'daniel-mercer');
const admin = byName('User', 'ingrid-solberg');
const sre = byName('User', 'oliver-nakamura');
// Storefront's Catalog Service lacks only CODEOWNERS for Silver in the sandbox.
const storefrontEngineer = byName('User', 'priya-raman');
const personName = (user: CatalogFileEntity) =>
  (user.spec?.profile as { displayName: string }).displayName;
const docsNav = (
  parse(
    readFileSync(
      join(repoRoot, 'demo/components/payments-service/mkdocs.yml'),
      'utf8',
    ),
  ).nav as Record<string, string>[]
).map(item => Object.keys(item)[0]);
const screenshots = join(repoRoot, '.test-output/screenshots');
const restTemplate = parse(
  readFileSync(
    join(repoRoot, 'templates/rest-api-service/template.yaml'),
    'utf8',
  ),
) as {
  metadata: { title: string };
  spec: { steps: { name: string; if?: string }[] };
};
// The engineer's new service; the golden path deploys it to dev only by default.
const newService = 'refunds-api';
const escapeRegExp = (text: string) =>
  text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('a newcomer in Chromium', () => {
  let sandbox: RunningSandbox;
  let portal: Portal;
  let browser: Browser;
  let page: Page;

  before(async () => {
    sandbox = await startSandbox();
    portal = await startPortal({
      database: 'sqlite',
      configFiles: [sandbox.configFile],
      // Score once every fact retriever has run (Argo CD's waits 30 s for its cache), and not
      // again during the journey, so the counts it compares move only with what it does.
      config: {
        scorecards: {
          schedule: {
            frequency: { minutes: 30 },
            timeout: { minutes: 5 },
            initialDelay: { seconds: 75 },
          },
        },
      },
    });
    browser = await chromium.launch({
      executablePath: process.env.PAVED_CHROMIUM ?? '/usr/bin/chromium',
      // Root on a closed network: no sandbox, no background calls home.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.setDefaultTimeout(30_000);
  });

  // Every step leaves a picture of what the user saw, so a failure can be looked at.
  afterEach(async t => {
    mkdirSync(screenshots, { recursive: true });
    const name = t.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
    await page?.screenshot({ path: join(screenshots, `${name}.png`) });
  });

  after(async () => {
    await browser?.close();
    await portal?.stop();
    await sandbox?.stop();
  });

  /** The GitHub card's sign-in opens the stand-in's login page in a popup; pick the person there. */
  async function signInWithGitHub(user: CatalogFileEntity) {
    await page.goto(portal.baseUrl);
    const popup = page.waitForEvent('popup');
    await page.getByRole('button', { name: 'Sign In' }).click();
    const login = await popup;
    await login
      .getByRole('button', { name: personName(user), exact: true })
      .click();
    await page.getByText('Welcome to Paved').waitFor();
  }

  async function signOut() {
    await page.getByText('Sign out', { exact: true }).click();
    await page.getByText('Sign in to Paved').waitFor();
  }

  it("signs in with GitHub as a Payments Team engineer, chosen on the stand-in's login page", async () => {
    await signInWithGitHub(engineer);
  });

  it('shows who is signed in, with a way to sign out', async () => {
    await page
      .getByText(`Signed in as ${personName(engineer)}`, { exact: true })
      .waitFor();
    await page.getByText('Sign out', { exact: true }).waitFor();
  });

  it('lists every component in the catalog', async () => {
    const heading = page.getByText(`All Components (${components.length})`);
    // The catalog ingests the demo in the background just after start; reload until it is in.
    await eventually(
      'the catalog to list every component',
      async () => {
        await page.goto(
          `${portal.baseUrl}/catalog?filters[kind]=component&filters[user]=all`,
        );
        await heading.waitFor({ timeout: 5_000 });
        return true;
      },
      90_000,
    );
    const firstRowsShown = await page.getByRole('row').allInnerTexts();
    const titles = components.map(displayName);
    assert.ok(
      firstRowsShown.filter(row => titles.some(t => row.includes(t))).length >=
        10,
      `table rows: ${firstRowsShown.join(' | ')}`,
    );
  });

  it('filters the catalog by owner', async () => {
    // The picker loads its options from the catalog's facets after opening; type to narrow.
    const owner = page.getByLabel('Owner');
    await owner.click();
    await owner.pressSequentially(displayName(team));
    await page
      .getByRole('option', { name: displayName(team) })
      .click({ timeout: 60_000 });
    await page.keyboard.press('Escape');
    await page.getByText(`All Components (${teamComponents.length})`).waitFor();
    for (const entity of teamComponents) {
      await page
        .getByRole('link', { name: displayName(entity), exact: true })
        .waitFor();
    }
    assert.equal(
      await page
        .getByRole('link', { name: displayName(otherComponent), exact: true })
        .count(),
      0,
      `${displayName(otherComponent)} is not owned by ${displayName(team)}`,
    );
  });

  it('opens a service and reads its docs, moving between pages', async () => {
    await page
      .getByRole('link', { name: displayName(service), exact: true })
      .click();
    await page.getByRole('link', { name: 'TechDocs', exact: true }).click();
    // TechDocs builds the site on first view (mkdocs), then renders it with its navigation.
    const heading = page.locator('article h1').first();
    await heading.waitFor({ timeout: 120_000 });
    assert.match(await heading.innerText(), new RegExp(displayName(service)));
    const lastPage = docsNav[docsNav.length - 1];
    await page
      .locator('nav.md-nav--primary')
      .getByRole('link', { name: lastPage })
      .first()
      .click();
    await eventually(
      'the last docs page to show',
      async () => {
        const text = await heading.innerText();
        return text.includes(lastPage) ? text : undefined;
      },
      20_000,
    );
    assert.match(page.url(), /\/docs\/runbook\/$/);
  });

  it('finds a docs page through search and opens it', async () => {
    // The runbook explains idempotency keys; built docs are indexed on the collator's schedule.
    const hit = page
      .locator(`a[href*="/docs/default/component/${service.metadata.name}/"]`)
      .first();
    await eventually(
      'a search hit in the service docs',
      async () => {
        await page.goto(`${portal.baseUrl}/search?query=idempotency`);
        await hit.waitFor({ timeout: 5_000 });
        return true;
      },
      90_000,
    );
    await hit.click();
    await page
      .locator('article')
      .getByText(/idempotency/i)
      .first()
      .waitFor({ timeout: 60_000 });
  });

  it('sees where the service is deployed, and that it is in sync and healthy', async () => {
    await page.goto(
      `${portal.baseUrl}/catalog/default/component/${service.metadata.name}`,
    );
    // The sandbox runs the service on both clusters; the card lists one row per cluster.
    for (const cluster of ['sandbox-dev', 'sandbox-prod']) {
      const row = page.getByTestId(
        `argocd-app-${cluster}-${service.metadata.name}`,
      );
      await row.getByLabel('Sync: Synced').waitFor({ timeout: 60_000 });
      await row.getByLabel('Health: Healthy').waitFor();
    }
  });

  it('sees a deployment turn Degraded without reloading the page', async () => {
    await page.evaluate(() => {
      (window as unknown as { pavedSameDocument: boolean }).pavedSameDocument =
        true;
    });
    const problem = 'Back-off restarting failed container payments';
    await sandbox.run(
      'force-application',
      'sandbox-prod',
      `argocd/${service.metadata.name}`,
      '--health',
      'Degraded',
      '--message',
      problem,
    );
    const row = page.getByTestId(
      `argocd-app-sandbox-prod-${service.metadata.name}`,
    );
    await row.getByLabel('Health: Degraded').waitFor({ timeout: 20_000 });
    await page
      .getByTestId(`argocd-problem-sandbox-prod-${service.metadata.name}`)
      .getByText(problem)
      .waitFor();
    assert.equal(
      await page.evaluate(
        () =>
          (window as unknown as { pavedSameDocument?: boolean })
            .pavedSameDocument,
      ),
      true,
      'the card updated in place; the page was not reloaded',
    );
  });

  it('reads the deployment history with the commits behind each revision', async () => {
    const head = await latestCommit(sandbox.configFile, service.metadata.name);
    await page.getByRole('link', { name: 'Deployments', exact: true }).click();
    const section = page.getByRole('region', { name: /sandbox-prod/ });
    await section
      .getByText(head.message.split('\n')[0])
      .first()
      .waitFor({ timeout: 60_000 });
    await section.getByText(head.sha.slice(0, 7)).first().waitFor();
    // The sandbox released several revisions; each is listed with its own commit.
    const entries = await section
      .locator('[data-testid^="argocd-deployment-"]')
      .allInnerTexts();
    assert.ok(entries.length >= 3, `history entries: ${entries.join(' | ')}`);
    assert.equal(
      new Set(entries.map(text => text.split('\n')[0])).size,
      entries.length,
      `each entry shows a different revision: ${entries.join(' | ')}`,
    );
  });

  it('follows a revision to its commit, and drills down to the Kubernetes resources', async () => {
    const head = await latestCommit(sandbox.configFile, service.metadata.name);
    const section = page.getByRole('region', { name: /sandbox-prod/ });
    // The short SHA links to the commit on the repository's host (here the GitHub stand-in).
    const href = await section
      .getByRole('link', { name: head.sha.slice(0, 7) })
      .first()
      .getAttribute('href');
    const commitPage = await browser.newPage();
    await commitPage.goto(href!);
    await commitPage.getByText(head.message.split('\n')[0]).first().waitFor();
    await commitPage.close();

    await page
      .getByRole('button', {
        name: `Details of ${service.metadata.name} on sandbox-prod (stand-in)`,
      })
      .click();
    const dialog = page.getByRole('dialog');
    // Argo CD's view of what it manages: the Deployment and Service from the repo's deploy/.
    for (const kind of ['Deployment', 'Service']) {
      await dialog
        .getByRole('row', {
          name: new RegExp(`${kind}.*${service.metadata.name}`),
        })
        .first()
        .waitFor();
    }
    await dialog.getByText('kind: Application').first().waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden' });
  });

  it("sees the service's pods on the sandbox clusters in the Kubernetes tab", async () => {
    await page.getByRole('link', { name: 'Kubernetes', exact: true }).click();
    // Clusters are named as stand-ins, so nobody mistakes the demo for production.
    for (const cluster of [
      'sandbox-dev (stand-in)',
      'sandbox-prod (stand-in)',
    ]) {
      await page
        .getByText(cluster, { exact: true })
        .waitFor({ timeout: 60_000 });
    }
    await page
      .getByText(/^\d+ pods?$/)
      .first()
      .waitFor();
    assert.equal(await page.getByText('No pods with errors').count(), 2);
  });

  it('creates a service from the REST API template, filling three fields', async () => {
    await page
      .getByRole('navigation', { name: 'sidebar nav' })
      .getByRole('link', { name: 'Create' })
      .click();
    // The template's card: the innermost block holding its title and a Choose button.
    await page
      .locator('div')
      .filter({
        has: page.getByRole('heading', { name: restTemplate.metadata.title }),
      })
      .filter({ has: page.getByRole('button', { name: 'Choose' }) })
      .last()
      .getByRole('button', { name: 'Choose' })
      .click({ timeout: 90_000 });

    await page.getByRole('textbox', { name: 'Name' }).fill(newService);
    // The engineer belongs to one team only, so the picker has already chosen it.
    const owner = page.getByRole('textbox', { name: 'Owning team' });
    await eventually(
      'the owner picker to offer the Payments Team',
      async () =>
        (await owner.inputValue()) === displayName(team) ? true : undefined,
      20_000,
    );
    const system = page.getByRole('textbox', { name: 'System' });
    await system.click();
    await system.pressSequentially('Pay');
    await page.getByRole('option', { name: 'Payments', exact: true }).click();
    await page.getByRole('button', { name: 'Next' }).click();

    // Deployment page: dev is chosen by default; the fast path keeps it.
    assert.equal(
      await page.getByRole('checkbox', { name: /^Development/ }).isChecked(),
      true,
    );
    await page.getByRole('button', { name: 'Review' }).click();
    for (const [field, value] of [
      ['Name', newService],
      ['Owning team', `group:default/${team.metadata.name}`],
      ['System', 'system:default/payments'],
      ['Deploy to', 'dev'],
    ]) {
      await page.getByRole('row', { name: `${field} ${value}` }).waitFor();
    }
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(/\/create\/tasks\//);
  });

  it("watches the task's live log until every step has finished", async () => {
    // Optional steps (the database) are skipped on the fast path.
    const steps = restTemplate.spec.steps
      .filter(step => step.if === undefined)
      .map(step => step.name);
    await page
      .getByRole('button', { name: new RegExp(`^${escapeRegExp(steps[0])}`) })
      .waitFor();
    // While the task runs the log is one click away; once it ends it opens by itself.
    const showLogs = page.getByRole('button', { name: 'Show Logs' });
    if (await showLogs.isVisible()) await showLogs.click();
    await page
      .getByText(/Beginning step/)
      .first()
      .waitFor();
    // The task's links appear when it ends; the last line says the entity can be read.
    await page
      .getByRole('link', { name: 'Open the service' })
      .waitFor({ timeout: 120_000 });
    await page
      .getByText(
        `component:default/${newService}, api:default/${newService}-api in the catalog`,
      )
      .waitFor();
    // The log is long: search it and step through the lines saying each step finished.
    const search = page.getByRole('textbox', { name: 'Search' });
    await search.fill('Finished step');
    await page.getByText(`1/${steps.length}`, { exact: true }).waitFor();
    for (const step of steps) {
      await page.getByText(`Finished step ${step}`).waitFor();
      await search.press('Enter');
    }
  });

  it("opens the new repository on the GitHub stand-in from the task's link, with CI, Dockerfile and manifests", async () => {
    const popup = page.waitForEvent('popup');
    await page.getByRole('link', { name: /^Repository/ }).click();
    const repoPage = await popup;
    await repoPage
      .getByRole('heading', { name: `acme / ${newService}` })
      .waitFor();
    const files = await repoPage
      .getByRole('list')
      .getByRole('listitem')
      .allInnerTexts();
    for (const expected of [
      /^\.github\/workflows\//,
      /^Dockerfile$/,
      /^deploy\//,
      /^argocd\//,
    ]) {
      assert.ok(
        files.some(file => expected.test(file)),
        `${expected} in the file list: ${files.join(', ')}`,
      );
    }
    await repoPage.close();
  });

  it("follows the task's link to the new service, whose page opens at once", async () => {
    await page.getByRole('link', { name: 'Open the service' }).click();
    await page.waitForURL(`**/catalog/default/component/${newService}`);
    await page
      .getByRole('heading', { name: newService, exact: true, level: 2 })
      .waitFor();
    await page
      .getByRole('link', { name: displayName(team) })
      .first()
      .waitFor();
  });

  it("renders the new service's generated docs on its TechDocs tab", async () => {
    await page.getByRole('link', { name: 'TechDocs', exact: true }).click();
    // TechDocs builds the site from the new repository on first view; a failed build says why.
    const heading = page.locator('article h1').first();
    const failure = page.getByText(/documentation failed/);
    await heading.or(failure).first().waitFor({ timeout: 120_000 });
    assert.equal(
      await failure.count(),
      0,
      (await failure.allInnerTexts()).join(' | '),
    );
    // The first page's heading is the service's name (mkdocs may append a permalink sign).
    assert.match(
      await heading.innerText(),
      new RegExp(`^${escapeRegExp(newService)}`),
    );
  });

  it('sees the new service turn Synced and Healthy on sandbox-dev', async () => {
    // The entity's own tab, not the docs' "Overview" page of the same name.
    await page
      .getByRole('navigation', { name: 'Content navigation' })
      .getByRole('link', { name: 'Overview', exact: true })
      .click();
    const row = page.getByTestId(`argocd-app-sandbox-dev-${newService}`);
    await row.getByLabel('Sync: Synced').waitFor({ timeout: 60_000 });
    await row.getByLabel('Health: Healthy').waitFor({ timeout: 60_000 });
    // Only dev was chosen, so no other environment runs it.
    assert.equal(
      await page.getByTestId(`argocd-app-sandbox-prod-${newService}`).count(),
      0,
    );
  });

  it("requests a dev database from the service's Infrastructure tab, seeing the guardrails before submitting", async () => {
    await page.goto(
      `${portal.baseUrl}/catalog/default/component/payments-service/infrastructure`,
    );
    await page
      .getByRole('button', { name: /Request PostgreSQL database/i })
      .click();
    await page
      .getByRole('heading', { name: 'Request PostgreSQL database' })
      .waitFor();
    // The entity is preselected; dev's caps show before anything is sent.
    await eventually(
      'the service preselected as the entity',
      async () => {
        const value = await page.getByLabel(/^Entity/).inputValue();
        assert.equal(value, 'component:default/payments-service');
        return value;
      },
      10_000,
    );
    await page.getByText('parameters.storageGB: at most 100').waitFor();
    await page.getByText(/No approval needed/).waitFor();
    await page.getByLabel(/^Name/).fill('payments-reports-db');
    await page.getByRole('button', { name: 'Submit request' }).click();
    await page.getByRole('heading', { name: /payments-reports-db/ }).waitFor();
  });

  it('watches the timeline reach "Credentials available" without reloading, and sees the Secret\'s keys, not its values', async () => {
    await page.getByLabel('Status: Credentials available').first().waitFor();
    // The resource's own conditions, as Crossplane reports them.
    const conditions = page.getByLabel('Conditions');
    for (const type of ['Synced', 'Ready']) {
      await conditions.getByText(type, { exact: true }).waitFor();
      await conditions.getByLabel(`${type}: True`).waitFor();
    }
    const timeline = page.getByLabel('Timeline');
    for (const step of [
      'Created',
      'Synced',
      'Ready',
      'Credentials available',
    ]) {
      await timeline.getByText(step, { exact: true }).waitFor();
    }
    await page
      .getByText(
        /Secret team-payments\/payments-reports-db-connection holds .*password/,
      )
      .first()
      .waitFor();
  });

  it("finds the database among the service's requested infrastructure", async () => {
    await page.goto(
      `${portal.baseUrl}/catalog/default/component/payments-service/infrastructure`,
    );
    // Its request's row; the live resource has a row of its own above.
    await page
      .getByRole('row', { name: /payments-reports-db/ })
      .getByText('Credentials available')
      .waitFor();
  });

  it("changes the dev database's storage from the Infrastructure tab and sees it Ready, then deletes it and sees it go", async () => {
    const tab = `${portal.baseUrl}/catalog/default/component/payments-service/infrastructure`;
    // The live resource's row names its cluster; the request's row does not.
    const live = page.getByRole('row', {
      name: /payments-reports-db.*sandbox-dev/,
    });
    await live.getByLabel('Ready: True').waitFor({ timeout: 60_000 });
    await page
      .getByRole('button', { name: 'Change payments-reports-db' })
      .click();
    await page
      .getByRole('heading', { name: 'Change payments-reports-db' })
      .waitFor();
    const storage = page.getByRole('spinbutton', { name: /storageGB/i });
    assert.equal(await storage.inputValue(), '20');
    await storage.fill('40');
    await page.getByRole('button', { name: 'Submit change' }).click();
    await page
      .getByRole('heading', {
        name: /Change parameters: PostgreSQLInstance payments-reports-db/,
      })
      .waitFor();
    await page.getByLabel('Status: Ready').first().waitFor({ timeout: 60_000 });

    await page.goto(tab);
    await live.getByLabel('Ready: True').waitFor({ timeout: 60_000 });
    await page
      .getByRole('button', { name: 'Delete payments-reports-db' })
      .click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name of the resource').fill('payments-reports-db');
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await page.getByText(/Deletion of payments-reports-db requested/).waitFor();
    await live.waitFor({ state: 'detached', timeout: 60_000 });
  });

  it("is told, on the form, when a name is already taken by the team's database", async () => {
    await page.goto(
      `${
        portal.baseUrl
      }/infrastructure/request/postgresqlinstances.platform.paved.dev?entity=${encodeURIComponent(
        'component:default/payments-service',
      )}`,
    );
    await page.getByLabel(/^Name/).fill('payments-db');
    await page.getByRole('button', { name: 'Submit request' }).click();
    await page
      .getByRole('alert')
      .getByText(/already exists/)
      .waitFor();
    // Still on the form, with what was typed.
    assert.equal(await page.getByLabel(/^Name/).inputValue(), 'payments-db');
  });

  /** Submits a production database request for Payments Service; returns its page's URL. */
  async function requestProductionDatabase(name: string) {
    await page.goto(
      `${
        portal.baseUrl
      }/infrastructure/request/postgresqlinstances.platform.paved.dev?entity=${encodeURIComponent(
        'component:default/payments-service',
      )}&environment=prod`,
    );
    await page
      .getByText(/requires approval/i)
      .first()
      .waitFor();
    await page.getByLabel(/^Name/).fill(name);
    await page.getByRole('button', { name: 'Submit request' }).click();
    await page.getByLabel('Status: Awaiting approval').first().waitFor();
    return page.url();
  }

  it('holds production requests for approval until an SRE decides them in the inbox: one approved completes, one rejected says why', async () => {
    const approvedUrl = await requestProductionDatabase('payments-reports-db');
    const rejectedUrl = await requestProductionDatabase('payments-scratch-db');

    await signOut();
    await signInWithGitHub(sre);
    // The overview tells an approver there is something to decide.
    await page.goto(`${portal.baseUrl}/infrastructure`);
    await page.getByRole('button', { name: /Approvals \(2\)/ }).click();
    const approve = page.getByRole('row', { name: /payments-reports-db/ });
    await approve.getByRole('button', { name: 'Approve' }).click();
    await approve.waitFor({ state: 'detached' });
    const reject = page.getByRole('row', { name: /payments-scratch-db/ });
    await reject.getByRole('button', { name: 'Reject' }).click();
    const dialog = page.getByRole('dialog');
    await dialog
      .getByLabel('Why is it rejected?')
      .fill('Use the reports database for scratch data.');
    await dialog.getByRole('button', { name: 'Reject request' }).click();
    await reject.waitFor({ state: 'detached' });

    await signOut();
    await signInWithGitHub(engineer);
    await page.goto(approvedUrl);
    await page
      .getByLabel('Status: Credentials available')
      .first()
      .waitFor({ timeout: 60_000 });
    await page.getByText(personName(sre)).first().waitFor();
    await page.goto(rejectedUrl);
    await page.getByLabel('Status: Rejected').first().waitFor();
    await page
      .getByText(/Use the reports database for scratch data/)
      .first()
      .waitFor();
  });

  it("sees what can be requested and the team's requests on the Infrastructure page", async () => {
    await page.getByRole('link', { name: 'Infrastructure' }).first().click();
    for (const title of [
      'PostgreSQL database',
      'Cache (Redis or Valkey)',
      'Object storage bucket',
    ]) {
      await page.getByText(title, { exact: true }).first().waitFor();
    }
    const requests = page.getByRole('row', { name: /payments-scratch-db/ });
    await requests.getByText('Rejected').waitFor();
    await page
      .getByRole('row', { name: /payments-reports-db.*dev/ })
      .getByText('Credentials available')
      .waitFor();
  });

  it('refreshes Payments Service, which the team owns', async () => {
    await page.goto(
      `${portal.baseUrl}/catalog/default/component/${service.metadata.name}`,
    );
    await page.getByTitle('Schedule entity refresh').click();
    await page.getByText('Refresh scheduled').waitFor();
  });

  it("cannot unregister another team's service, and is refused with a message when trying anyway", async () => {
    const unregister = page.getByRole('menuitem', {
      name: 'Unregister entity',
    });
    // The team's own service: the action is offered once the permission answer is in (the item
    // starts disabled while the portal asks).
    await page.getByRole('button', { name: 'More actions' }).click();
    await eventually(
      "unregister to be offered on the team's own service",
      async () =>
        (await unregister.getAttribute('aria-disabled')) !== 'true'
          ? true
          : undefined,
      20_000,
    );
    await page.keyboard.press('Escape');

    await page.goto(
      `${portal.baseUrl}/catalog/default/component/${foreignService.metadata.name}`,
    );
    await page.getByRole('button', { name: 'More actions' }).click();
    await unregister.waitFor();
    await page.waitForLoadState('networkidle');
    assert.equal(await unregister.getAttribute('aria-disabled'), 'true');
    await page.keyboard.press('Escape');

    // Trying anyway, as a script would with the same person's token, is refused and explained.
    const token = await signInOverHttp(portal.baseUrl, engineer.metadata.name);
    const headers = { Authorization: `Bearer ${token}` };
    const entityUrl = `${portal.baseUrl}/api/catalog/entities/by-name/component/default/${foreignService.metadata.name}`;
    const { metadata } = (await (
      await fetch(entityUrl, { headers })
    ).json()) as {
      metadata: { uid: string };
    };
    const refused = await fetch(
      `${portal.baseUrl}/api/catalog/entities/by-uid/${metadata.uid}`,
      { method: 'DELETE', headers },
    );
    assert.equal(refused.status, 403);
    const body = (await refused.json()) as { error: { message: string } };
    assert.match(
      body.error.message,
      /Not allowed by Paved's permission policy/,
    );
    assert.equal((await fetch(entityUrl, { headers })).status, 200);
  });

  it('lets an admin find that refusal on the Audit log page', async () => {
    await signOut();
    await signInWithGitHub(admin);
    await page.getByRole('link', { name: 'Audit log' }).click();
    const row = page
      .getByRole('row')
      .filter({ hasText: engineer.metadata.name })
      .filter({ hasText: 'entity-mutate' })
      .filter({ hasText: 'Denied' });
    await row.first().waitFor({ timeout: 30_000 });
  });

  // Scorecards: the admin (still signed in) sets a campaign; a Storefront engineer finds that
  // Catalog Service lacks CODEOWNERS for Silver, adds it on GitHub, re-runs, and sees Silver, the
  // org trend and the campaign move with it.
  const campaignTitle = 'Production services at Silver';
  const campaignProgress = () =>
    page
      .getByRole('listitem', { name: campaignTitle })
      .getByText(/\d+ of \d+ at Silver or above/)
      .innerText()
      .then(text => Number(/^(\d+) of/.exec(text)![1]));
  const todaysSilver = async () => {
    const rows = page
      .getByRole('table', { name: 'Services per level by day' })
      .getByRole('row');
    const header = await rows.first().getByRole('columnheader').allInnerTexts();
    const today = await rows.last().getByRole('cell').allInnerTexts();
    assert.equal(today[0], new Date().toISOString().slice(0, 10));
    return Number(today[header.indexOf('Silver')]);
  };
  let silverBefore = 0;
  let reachedBefore = 0;

  it('as an admin, starts a campaign: every production service Silver by 2027-03-01', async () => {
    // The first scoring runs once every fact retriever has (see the schedule above).
    const token = await signInOverHttp(portal.baseUrl, admin.metadata.name);
    await eventually(
      'the first scoring of the demo services',
      async () => {
        const res = await fetch(`${portal.baseUrl}/api/scorecards/entities`, {
          headers: { Authorization: `Bearer ${token}` },
        });
        const { entities: scored } = (await res.json()) as {
          entities: unknown[];
        };
        // Every demo component, and the one made from the template above.
        return scored.length > components.length ? true : undefined;
      },
      120_000,
    );
    await page
      .getByRole('navigation', { name: 'sidebar nav' })
      .getByRole('link', { name: 'Scorecards', exact: true })
      .click();
    await page
      .getByRole('table', { name: 'Services per level by day' })
      .waitFor();
    silverBefore = await todaysSilver();
    await page.getByRole('tab', { name: 'Campaigns' }).click();
    await page.getByRole('button', { name: 'New campaign' }).click();
    const dialog = page.getByRole('dialog', { name: 'New campaign' });
    await dialog.getByRole('textbox', { name: 'Title' }).fill(campaignTitle);
    await dialog.getByRole('button', { name: /Target level/ }).click();
    await page.getByRole('option', { name: 'Silver', exact: true }).click();
    await dialog.getByLabel('Deadline').fill('2027-03-01');
    const lifecycle = dialog.getByLabel('Lifecycle');
    await lifecycle.click();
    await page.getByRole('option', { name: 'production', exact: true }).click();
    await dialog.getByRole('button', { name: 'Create campaign' }).click();
    await page.getByRole('listitem', { name: campaignTitle }).waitFor();
    reachedBefore = await campaignProgress();
    // Catalog Service is among what keeps the Storefront team behind.
    await page.getByRole('link', { name: campaignTitle }).click();
    await page
      .getByRole('table', { name: 'Teams behind' })
      .getByText('catalog-service')
      .waitFor();
  });

  it('sees Catalog Service at Bronze, with CODEOWNERS missing for Silver and a fix-it link', async () => {
    await signOut();
    await signInWithGitHub(storefrontEngineer);
    await page.goto(
      `${portal.baseUrl}/catalog/default/component/catalog-service`,
    );
    await page.getByLabel('Level: Bronze').first().waitFor();
    await page.getByText('Next: Silver — 1 check missing').waitFor();
    const missing = page.getByRole('list', { name: 'Missing for Silver' });
    await missing.getByText('CODEOWNERS', { exact: true }).waitFor();
    // The fix-it template opens with the service filled in.
    await missing
      .getByRole('link', { name: 'Open a pull request adding CODEOWNERS' })
      .click();
    await page.waitForURL(/\/create\/templates\/default\/add-codeowners/);
    await eventually(
      'the template form to name Catalog Service',
      async () =>
        /catalog[- ]service/i.test(
          await page.getByRole('textbox', { name: 'Service' }).inputValue(),
        )
          ? true
          : undefined,
      20_000,
    );
  });

  it('adds CODEOWNERS to its repository on the GitHub stand-in, re-runs the scorecard and sees Silver', async () => {
    const github = parse(readFileSync(sandbox.configFile, 'utf8')).integrations
      .github[0];
    const added = await fetch(
      `${github.apiBaseUrl}/repos/acme/catalog-service/contents/.github/CODEOWNERS`,
      {
        method: 'PUT',
        headers: {
          Authorization: `token ${github.token}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({
          message: 'Add CODEOWNERS',
          content: Buffer.from('* @acme/team-storefront\n').toString('base64'),
        }),
      },
    );
    assert.equal(added.status, 201, await added.clone().text());

    await page.goto(
      `${portal.baseUrl}/catalog/default/component/catalog-service/scorecard`,
    );
    await page.getByRole('button', { name: 'Re-run' }).click();
    await page.getByLabel('Level: Silver').first().waitFor({ timeout: 60_000 });
    await page
      .getByRole('row', { name: 'CODEOWNERS' })
      .getByText('Pass')
      .waitFor();
  });

  it("sees today's Silver count in the org trend and the campaign's progress rise by one", async () => {
    await page
      .getByRole('navigation', { name: 'sidebar nav' })
      .getByRole('link', { name: 'Scorecards', exact: true })
      .click();
    await page
      .getByRole('table', { name: 'Services per level by day' })
      .waitFor();
    assert.equal(await todaysSilver(), silverBefore + 1);
    await page.getByRole('tab', { name: 'Campaigns' }).click();
    await page.getByRole('listitem', { name: campaignTitle }).waitFor();
    assert.equal(await campaignProgress(), reachedBefore + 1);
    await page.getByRole('link', { name: campaignTitle }).click();
    await page.getByRole('table', { name: 'Teams behind' }).waitFor();
    assert.equal(
      await page
        .getByRole('table', { name: 'Teams behind' })
        .getByText('catalog-service')
        .count(),
      0,
    );
  });

  it('tells the guest to sign in with GitHub before acting', async () => {
    await signOut();
    await page.getByRole('button', { name: 'Enter' }).click();
    await page.getByText('Welcome to Paved').waitFor();
    await page.getByRole('link', { name: 'Create' }).first().click();
    await page
      .getByRole('status')
      .getByText(/sign in with\s+GitHub/)
      .waitFor();
    assert.equal(
      await page.getByRole('link', { name: 'Audit log' }).count(),
      0,
      'the guest sees no Audit log entry',
    );
  });
});

/** The newest commit of a demo repo, asked of the sandbox's GitHub stand-in as the portal does. */
async function latestCommit(configFile: string, repo: string) {
  const overlay = parse(readFileSync(configFile, 'utf8'));
  const github = overlay.integrations.github[0];
  const res = await fetch(`${github.apiBaseUrl}/repos/acme/${repo}/commits`, {
    headers: { Authorization: `token ${github.token}` },
  });
  assert.equal(res.status, 200, await res.clone().text());
  const [commit] = (await res.json()) as {
    sha: string;
    commit: { message: string };
  }[];
  return { sha: commit.sha, message: commit.commit.message };
}
