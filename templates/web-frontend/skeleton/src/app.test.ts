import { afterEach, expect, test } from 'vitest';
import { startApp } from './app.ts';
import { site } from './site.ts';

let stop: (() => void) | undefined;

function openAt(path: string): HTMLElement {
  window.history.replaceState(null, '', path);
  document.body.innerHTML = '<div id="app"></div>';
  const root = document.querySelector<HTMLElement>('#app')!;
  stop = startApp(root);
  return root;
}

/** Clicks a link and says whether the app kept the browser from loading a new document. */
function click(link: HTMLAnchorElement, init: MouseEventInit = {}): boolean {
  let handledByApp = false;
  const record = (event: Event) => {
    handledByApp = event.defaultPrevented;
    event.preventDefault(); // the test environment must not navigate either way
  };
  document.addEventListener('click', record, { once: true });
  link.dispatchEvent(
    new MouseEvent('click', { bubbles: true, cancelable: true, ...init }),
  );
  return handledByApp;
}

function link(root: HTMLElement, text: string): HTMLAnchorElement {
  const found = [...root.querySelectorAll('a')].find(
    a => a.textContent === text,
  );
  if (!found) throw new Error(`no link "${text}"`);
  return found;
}

const heading = (root: HTMLElement) => root.querySelector('h1')?.textContent;

afterEach(() => stop?.());

test('the start page names the app and says what it is', () => {
  const root = openAt('/');
  expect(heading(root)).toBe(site.name);
  expect(root.querySelector('main')?.textContent).toContain(site.description);
  expect(document.title).toBe(site.name);
  expect(link(root, 'Home').getAttribute('aria-current')).toBe('page');
});

test('a navigation link changes page and address without a reload, and Back returns', async () => {
  const root = openAt('/');

  expect(click(link(root, 'About'))).toBe(true);
  expect(window.location.pathname).toBe('/about');
  expect(heading(root)).toBe('About');
  expect(document.title).toBe(`About · ${site.name}`);
  expect(root.querySelector('main')?.textContent).toContain(site.owner);
  expect(link(root, 'About').getAttribute('aria-current')).toBe('page');
  expect(link(root, 'Home').hasAttribute('aria-current')).toBe(false);
  expect(document.activeElement).toBe(root.querySelector('h1'));

  const popped = new Promise(resolve =>
    window.addEventListener('popstate', resolve, { once: true }),
  );
  window.history.back();
  await popped;
  expect(window.location.pathname).toBe('/');
  expect(heading(root)).toBe(site.name);
});

test('an unknown address shows the not-found page with a way back to the start', () => {
  const root = openAt('/no/such/page');
  expect(heading(root)).toBe('Page not found');
  expect(document.title).toBe(`Page not found · ${site.name}`);

  expect(click(link(root, 'Back to the start page'))).toBe(true);
  expect(window.location.pathname).toBe('/');
  expect(heading(root)).toBe(site.name);
});

test('links opened in a new tab or pointing elsewhere are left to the browser', () => {
  const root = openAt('/');
  expect(click(link(root, 'About'), { ctrlKey: true })).toBe(false);
  expect(window.location.pathname).toBe('/');

  click(link(root, 'About'));
  expect(click(link(root, site.repositoryUrl))).toBe(false);
  expect(window.location.pathname).toBe('/about');
});
