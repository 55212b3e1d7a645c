import { navigation, pageFor } from './pages.ts';
import { site } from './site.ts';

/**
 * Renders the app into `root` and keeps it in step with the address bar: links to local paths
 * change the page without a reload, and the browser's back and forward buttons work.
 * Returns a function that stops following the address bar.
 */
export function startApp(root: HTMLElement): () => void {
  const nav = document.createElement('nav');
  nav.setAttribute('aria-label', 'Main');
  for (const { path, label } of navigation) {
    const link = document.createElement('a');
    link.href = path;
    link.textContent = label;
    nav.append(link);
  }
  const main = document.createElement('main');
  const footer = document.createElement('footer');
  footer.textContent = `${site.name} · owned by ${site.owner} · part of ${site.system}`;
  root.replaceChildren(nav, main, footer);

  const show = (moveFocus: boolean) => {
    const path = window.location.pathname;
    const page = pageFor(path);
    document.title = page.title;
    main.replaceChildren(...page.render());
    for (const link of nav.querySelectorAll('a')) {
      if (link.pathname === path) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    // Screen readers announce the new page when focus lands on its heading.
    const heading = main.querySelector('h1');
    if (moveFocus && heading) {
      heading.tabIndex = -1;
      heading.focus();
    }
  };

  root.addEventListener('click', event => {
    const link = (event.target as Element).closest('a');
    if (
      !link ||
      link.origin !== window.location.origin ||
      // An anchor on the current page: the browser scrolls to it.
      (link.hash && link.pathname === window.location.pathname) ||
      link.target ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    ) {
      return;
    }
    event.preventDefault();
    if (link.href !== window.location.href) {
      window.history.pushState(null, '', link.href);
    }
    show(true);
  });
  const onPopState = () => show(true);
  window.addEventListener('popstate', onPopState);

  show(false);
  return () => window.removeEventListener('popstate', onPopState);
}
