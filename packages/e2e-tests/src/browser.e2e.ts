// A newcomer's first visit, in Debian's Chromium against the built portal: sign in as guest,
// browse the demo catalog, filter it by owner, open a service, read its docs, search the docs.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import {
  eventually,
  readDemoEntities,
  repoRoot,
  startPortal,
  type Portal,
} from './portal.ts';

const demo = readDemoEntities();
const components = demo.filter(e => e.kind === 'Component');
const titleOf = (name: string) => {
  const entity = components.find(e => e.metadata.name === name);
  assert.ok(entity, `demo component ${name}`);
  return (entity.metadata as { title?: string }).title ?? name;
};
const owner = 'team-payments';
const ownedByOwner = components.filter(e => String(e.spec?.owner).endsWith(owner));
const notOwned = components.find(e => !String(e.spec?.owner).endsWith(owner))!;
const service = 'payments-service';
const screenshots = join(repoRoot, '.test-output/screenshots');

describe('a newcomer in Chromium', () => {
  let portal: Portal;
  let browser: Browser;
  let page: Page;

  before(async () => {
    portal = await startPortal({ database: 'sqlite' });
    browser = await chromium.launch({
      executablePath: process.env.PAVED_CHROMIUM ?? '/usr/bin/chromium',
      // A closed network and root: no sandbox, no background calls home.
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
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(30_000);
  });

  after(async () => {
    await browser?.close();
    await portal?.stop();
  });

  const shoot = async (name: string) => {
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: join(screenshots, `${name}.png`) });
  };

  it('signs in as guest and lands on the home page', async () => {
    await page.goto(portal.baseUrl);
    await page.getByRole('button', { name: 'Enter' }).click();
    await page.getByText('Welcome to Paved').waitFor();
    await shoot('home');
  });

  it('lists the demo components in the catalog', async () => {
    await page.goto(`${portal.baseUrl}/catalog?filters[kind]=component&filters[user]=all`);
    // The catalog ingests the demo in the background; reload until it is all there.
    await eventually('the catalog table to list every demo component', async () => {
      await page.reload();
      await page.getByRole('cell', { name: titleOf(service) }).waitFor({ timeout: 10_000 });
      const text = await page.locator('table').innerText();
      const missing = components
        .map(e => titleOf(e.metadata.name))
        .filter(title => !text.includes(title));
      if (missing.length > 0 && missing.length < components.length) {
        // The table pages at 20 rows; the rest are on the next page.
        return true;
      }
      return missing.length === 0 ? true : undefined;
    }, 90_000);
    await page.getByText(`All components (${components.length})`).waitFor();
    await shoot('catalog');
  });

  it('filters the catalog by owner', async () => {
    await page.getByLabel('Owner').click();
    await page.getByRole('option', { name: new RegExp(owner) }).click();
    await page.keyboard.press('Escape');
    await page.getByText(`All components (${ownedByOwner.length})`).waitFor();
    for (const entity of ownedByOwner) {
      await page.getByRole('cell', { name: titleOf(entity.metadata.name) }).waitFor();
    }
    assert.equal(
      await page.getByRole('cell', { name: titleOf(notOwned.metadata.name), exact: true }).count(),
      0,
    );
    await shoot('catalog-by-owner');
  });

  it("opens a service and reads its docs, moving between pages", async () => {
    await page.getByRole('link', { name: titleOf(service), exact: true }).click();
    await page.getByRole('tab', { name: 'Docs' }).click();
    // TechDocs builds the site on first view, then renders it with its navigation.
    const article = page.locator('article');
    await article.locator('h1').first().waitFor({ timeout: 120_000 });
    const nav = page.locator('nav.md-nav--primary a.md-nav__link');
    assert.ok((await nav.count()) >= 2, 'docs navigation lists the pages');
    const firstHeading = await article.locator('h1').first().innerText();
    await nav.nth(1).click();
    await eventually('the second docs page', async () => {
      const heading = await article.locator('h1').first().innerText();
      return heading !== firstHeading ? heading : undefined;
    }, 20_000);
    await shoot('docs');
  });

  it('finds a docs page through search', async () => {
    // The techdocs collator indexes built docs on its schedule (every few seconds in tests).
    const result = await eventually('a search hit in the service docs', async () => {
      await page.goto(`${portal.baseUrl}/search?query=idempotency`);
      const hit = page.locator(`a[href*="/docs/default/component/${service}"]`).first();
      await hit.waitFor({ timeout: 5_000 });
      return hit;
    }, 90_000);
    await shoot('search');
    await result.click();
    await page.locator('article').getByText(/idempotency/i).first().waitFor({ timeout: 60_000 });
  });
});
