import { site } from './site.ts';

export interface Page {
  title: string;
  render(): Node[];
}

/** Builds an element with text content only, so no value is ever parsed as HTML. */
function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  attributes: Record<string, string> = {},
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  for (const [name, value] of Object.entries(attributes))
    node.setAttribute(name, value);
  return node;
}

const home: Page = {
  title: site.name,
  render: () => [
    element('h1', site.name),
    element('p', site.description),
    element(
      'p',
      'This page is the starting point: replace it with the first screen of your app.',
    ),
  ],
};

const about: Page = {
  title: `About · ${site.name}`,
  render: () => {
    const facts = element('dl');
    facts.append(
      element('dt', 'Owner'),
      element('dd', site.owner),
      element('dt', 'System'),
      element('dd', site.system),
    );
    const source = element('p', 'Source code: ');
    source.append(
      element('a', site.repositoryUrl, { href: site.repositoryUrl }),
    );
    return [element('h1', 'About'), facts, source];
  },
};

const notFound: Page = {
  title: `Page not found · ${site.name}`,
  render: () => {
    const back = element('p');
    back.append(element('a', 'Back to the start page', { href: '/' }));
    return [
      element('h1', 'Page not found'),
      element('p', 'Nothing lives at this address.'),
      back,
    ];
  },
};

const pages: Record<string, Page> = { '/': home, '/about': about };

/** The page for a path; unknown paths get the not-found page (the server sends every path here). */
export function pageFor(path: string): Page {
  return pages[path] ?? notFound;
}

export const navigation = [
  { path: '/', label: 'Home' },
  { path: '/about', label: 'About' },
];
