// Signs in to a running portal through its GitHub auth provider and the sandbox's GitHub
// stand-in, over plain HTTP as a browser would: start → the stand-in's sign-in page → choose
// the person → Backstage's handler → refresh. No dependencies, so it runs under `node --test`.

/** Cookies by name: Backstage sets each auth cookie on one origin, and a name is enough here. */
class CookieJar {
  private readonly cookies = new Map<string, string>();

  keep(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some(a => {
        const [key, val = ''] = a.trim().split('=');
        if (key.toLowerCase() === 'max-age') return Number(val) <= 0;
        if (key.toLowerCase() === 'expires')
          return Date.parse(val) <= Date.now();
        return false;
      });
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

function unescapeHtml(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

async function expectRedirect(res: Response, step: string): Promise<string> {
  const location = res.headers.get('location');
  if (res.status !== 302 || !location) {
    throw new Error(
      `${step}: expected a redirect, got ${res.status}: ${(
        await res.text()
      ).slice(0, 500)}`,
    );
  }
  return location;
}

/** A Backstage session from GitHub sign-in: the token and who it is for. */
export interface GitHubSignIn {
  token: string;
  identity: { userEntityRef: string; ownershipEntityRefs: string[] };
}

/**
 * Signs `login` in to the portal at `portalBaseUrl` with GitHub, as the sandbox's overlay
 * configures it (`auth.providers.github.development`, the stand-in as `enterpriseInstanceUrl`),
 * and returns the Backstage token. `env` picks another auth environment (default `development`). Throws with the step and what the server answered when the
 * person is not offered or Backstage refuses the sign-in (for example no catalog User of that
 * name).
 */
export async function signInWithGitHub(
  portalBaseUrl: string,
  login: string,
  options: { env?: string } = {},
): Promise<string> {
  return (await gitHubSession(portalBaseUrl, login, options)).token;
}

/** The same sign-in, returning the whole Backstage identity (user and ownership references). */
export async function gitHubSession(
  portalBaseUrl: string,
  login: string,
  options: { env?: string } = {},
): Promise<GitHubSignIn> {
  const env = options.env ?? 'development';
  const portal = new URL(portalBaseUrl);
  const authBase = new URL(
    'api/auth/github/',
    `${portal.href.replace(/\/?$/, '/')}`,
  );
  const jar = new CookieJar();

  const start = new URL('start', authBase);
  // No `origin`: the handler then answers to the app's own origin, as for a same-origin portal.
  start.search = new URLSearchParams({ scope: 'read:user', env }).toString();
  const started = await fetch(start, { redirect: 'manual' });
  jar.keep(started);
  const authorizeUrl = new URL(await expectRedirect(started, 'start'));

  const page = await fetch(authorizeUrl, { redirect: 'manual' });
  const html = await page.text();
  if (page.status !== 200) {
    throw new Error(
      `GitHub sign-in page: ${page.status}: ${html.slice(0, 500)}`,
    );
  }
  const button = new RegExp(
    `<button[^>]*name="login" value="${login.replace(
      /[.*+?^${}()|[\]\\]/g,
      '\\$&',
    )}"`,
  );
  if (!button.test(html)) {
    throw new Error(`GitHub sign-in page offers no person with login ${login}`);
  }
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error('GitHub sign-in page has no form');
  const form = new URLSearchParams();
  for (const match of html.matchAll(
    /<input type="hidden" name="([^"]+)" value="([^"]*)">/g,
  )) {
    form.set(unescapeHtml(match[1]), unescapeHtml(match[2]));
  }
  form.set('login', login);
  const chosen = await fetch(new URL(unescapeHtml(action), authorizeUrl), {
    method: 'POST',
    body: form,
    redirect: 'manual',
  });
  const callback = await expectRedirect(chosen, 'choosing the person');

  const handled = await fetch(callback, {
    headers: { cookie: jar.header() },
    redirect: 'manual',
  });
  jar.keep(handled);
  const frame = await handled.text();
  // The handler answers with a page that posts the result to the opener; an error is in it.
  const payload = /decodeURIComponent\('([^']*)'\)/.exec(frame)?.[1];
  const message = payload ? JSON.parse(decodeURIComponent(payload)) : {};
  if (handled.status !== 200 || message.error) {
    throw new Error(
      `Backstage's GitHub handler refused the sign-in: ${
        message.error?.message ?? `${handled.status} ${frame.slice(0, 500)}`
      }`,
    );
  }

  const refresh = new URL('refresh', authBase);
  refresh.search = `optional&env=${encodeURIComponent(env)}`;
  const refreshed = await fetch(refresh, {
    headers: { cookie: jar.header(), 'X-Requested-With': 'XMLHttpRequest' },
  });
  if (!refreshed.ok) {
    throw new Error(
      `GitHub session refresh: ${refreshed.status} ${await refreshed.text()}`,
    );
  }
  const session = (await refreshed.json()) as {
    backstageIdentity?: GitHubSignIn;
  };
  if (!session.backstageIdentity?.token) {
    throw new Error('GitHub session refresh returned no Backstage identity');
  }
  const { token, identity } = session.backstageIdentity;
  return { token, identity };
}
