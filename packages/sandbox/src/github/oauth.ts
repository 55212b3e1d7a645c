/*
 * GitHub's OAuth web flow for one registered OAuth app, as Backstage's GitHub
 * auth provider (passport-github2 with `enterpriseInstanceUrl`) drives it:
 * `GET /login/oauth/authorize` shows who may sign in, choosing a person
 * redirects back with a one-time code, and `POST /login/oauth/access_token`
 * trades the code for a token the API accepts. There are no passwords: on
 * the sandbox anyone at the keyboard may be anyone in the demo organisation.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { GitHubModel, Organization } from './model';
import { escapeHtml, layout } from './webPages';

/** The OAuth app registered on the stand-in. */
export interface OAuthApp {
  clientId: string;
  clientSecret: string;
  /**
   * The app's authorization callback URL. As on GitHub, a `redirect_uri` must be on the same
   * host and port and at or below this path; a loopback callback without a port
   * (`http://localhost/…`, `http://127.0.0.1/…`) accepts any port.
   */
  callbackUrl: string;
  /** Shown on the sign-in page; defaults to "Paved". */
  name?: string;
}

/** Issues an API token for a user, with the scopes the person granted. */
export type TokenIssuer = (login: string, scopes: string[]) => string;

interface PendingCode {
  login: string;
  /** The redirect_uri of the authorization request, when it named one. */
  redirectUri?: string;
  scopes: string[];
  expiresAt: number;
}

/** GitHub's codes expire after ten minutes. */
const CODE_LIFETIME_MS = 10 * 60 * 1000;
const MAX_FORM_BYTES = 64 * 1024;
const TROUBLESHOOTING =
  'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/';

/** The errors GitHub answers in the 200 body of an access token request. */
const TOKEN_ERRORS = {
  incorrect_client_credentials:
    'The client_id and/or client_secret passed are incorrect.',
  bad_verification_code: 'The code passed is incorrect or expired.',
  redirect_uri_mismatch:
    'The redirect_uri MUST match the registered callback URL for this application.',
  unsupported_grant_type:
    'The grant type is not supported by the authorization server.',
} as const;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function sameSecret(given: string, expected: string): boolean {
  const [a, b] = [Buffer.from(given), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
}

/** GitHub's rule for a redirect_uri against the registered callback URL, loopback exception included. */
export function redirectUriAllowed(
  redirectUri: string,
  callbackUrl: string,
): boolean {
  let [given, registered]: URL[] = [];
  try {
    [given, registered] = [new URL(redirectUri), new URL(callbackUrl)];
  } catch {
    return false;
  }
  const anyPort =
    LOOPBACK_HOSTS.has(registered.hostname) && registered.port === '';
  const base = registered.pathname.replace(/\/+$/, '');
  return (
    given.protocol === registered.protocol &&
    given.hostname === registered.hostname &&
    (anyPort || given.port === registered.port) &&
    !given.username &&
    !given.password &&
    (given.pathname === registered.pathname ||
      given.pathname.startsWith(`${base}/`)) &&
    !given.pathname.split('/').includes('..')
  );
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) break;
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (/application\/json/.test(req.headers['content-type'] ?? '')) {
    try {
      const json = JSON.parse(text);
      return new URLSearchParams(
        Object.entries(json ?? {}).map(([k, v]) => [k, String(v)]),
      );
    } catch {
      return new URLSearchParams();
    }
  }
  return new URLSearchParams(text);
}

function sendHtml(res: ServerResponse, status: number, html: string) {
  const body = Buffer.from(html, 'utf8');
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': String(body.length),
    // The page must not be framed: choosing a person is a click that signs someone in.
    'X-Frame-Options': 'deny',
  });
  res.end(body);
}

/** The people of the organizations, grouped by the teams they are direct members of. */
function peopleByTeam(model: GitHubModel) {
  const groups: Array<{
    title: string;
    people: Array<{ login: string; name: string }>;
  }> = [];
  for (const org of model.allOrgs()) {
    const inTeam = new Set<string>();
    const teams = [...org.teams.values()]
      .filter(t => t.members.size > 0)
      .sort((a, b) => a.name.localeCompare(b.name));
    for (const team of teams) {
      const people = [...team.members.keys()].map(login => {
        inTeam.add(login);
        const user = model.user(login);
        return { login: user.login, name: user.name ?? user.login };
      });
      groups.push({ title: `${team.name} (${org.login})`, people });
    }
    const others = [...org.members.values()]
      .filter(m => !inTeam.has(m.user.login.toLowerCase()))
      .map(m => ({ login: m.user.login, name: m.user.name ?? m.user.login }));
    if (others.length > 0) {
      groups.push({ title: `Other members of ${org.login}`, people: others });
    }
  }
  for (const group of groups) {
    group.people.sort((a, b) => a.name.localeCompare(b.name));
  }
  return groups;
}

function isMember(model: GitHubModel, login: string): boolean {
  return model
    .allOrgs()
    .some((org: Organization) => org.members.has(login.toLowerCase()));
}

export class OAuthWebFlow {
  private readonly codes = new Map<string, PendingCode>();

  constructor(
    private readonly model: GitHubModel,
    private readonly app: OAuthApp,
    private readonly issueToken: TokenIssuer,
  ) {}

  /** Answers the flow's URLs; false for any other path. */
  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
  ): Promise<boolean> {
    if (url.pathname === '/login/oauth/authorize') {
      if (req.method === 'GET') {
        this.authorizePage(res, url.searchParams);
        return true;
      }
      if (req.method === 'POST') {
        this.choosePerson(res, await readForm(req));
        return true;
      }
    }
    if (url.pathname === '/login/oauth/access_token' && req.method === 'POST') {
      const form = await readForm(req);
      for (const [k, v] of url.searchParams) if (!form.has(k)) form.set(k, v);
      this.accessToken(req, res, form);
      return true;
    }
    return false;
  }

  /** The checks GitHub makes before showing the authorization page; an error page when one fails. */
  private checkAuthorizationRequest(
    res: ServerResponse,
    params: URLSearchParams,
  ): { redirectUri: string } | undefined {
    if (params.get('client_id') !== this.app.clientId) {
      sendHtml(
        res,
        404,
        layout(
          'Page not found',
          '<h1>404</h1><p>This is not the web page you are looking for: no OAuth app has this client_id.</p>',
        ),
      );
      return undefined;
    }
    const redirectUri = params.get('redirect_uri') ?? this.app.callbackUrl;
    if (!redirectUriAllowed(redirectUri, this.app.callbackUrl)) {
      sendHtml(
        res,
        400,
        layout(
          'Redirect URI mismatch',
          `<h1>Be careful!</h1><p id="error">The redirect_uri is not associated with this application.</p><p>The application might be misconfigured or could be trying to redirect you to a website you weren't expecting.</p><p>Registered callback URL: <code>${escapeHtml(
            this.app.callbackUrl,
          )}</code></p>`,
        ),
      );
      return undefined;
    }
    return { redirectUri };
  }

  private authorizePage(res: ServerResponse, params: URLSearchParams) {
    if (!this.checkAuthorizationRequest(res, params)) return;
    const hidden = ['client_id', 'redirect_uri', 'state', 'scope']
      .filter(name => params.has(name))
      .map(
        name =>
          `<input type="hidden" name="${name}" value="${escapeHtml(
            params.get(name)!,
          )}">`,
      )
      .join('\n');
    const teams = peopleByTeam(this.model)
      .map(
        group => `<section class="team">
<h2>${escapeHtml(group.title)}</h2>
<ul>
${group.people
  .map(
    p =>
      `<li><button type="submit" name="login" value="${escapeHtml(
        p.login,
      )}">${escapeHtml(p.name)}</button> <span class="login">@${escapeHtml(
        p.login,
      )}</span></li>`,
  )
  .join('\n')}
</ul>
</section>`,
      )
      .join('\n');
    const scope = params.get('scope');
    sendHtml(
      res,
      200,
      layout(
        'Sign in',
        `<h1>Sign in to ${escapeHtml(this.app.name ?? 'Paved')}</h1>
<p>Choose who you are. The sandbox has no passwords: ${escapeHtml(
          this.app.name ?? 'Paved',
        )} will be authorized ${
          scope ? `for <code>${escapeHtml(scope)}</code> ` : ''
        }as the person you choose.</p>
<form method="post" action="/login/oauth/authorize">
${hidden}
${teams || '<p>Nobody is a member of an organization yet.</p>'}
</form>`,
      ),
    );
  }

  private choosePerson(res: ServerResponse, form: URLSearchParams) {
    const checked = this.checkAuthorizationRequest(res, form);
    if (!checked) return;
    const login = form.get('login') ?? '';
    if (!isMember(this.model, login)) {
      sendHtml(
        res,
        422,
        layout(
          'Unknown person',
          `<h1>Unknown person</h1><p id="error">${escapeHtml(
            login,
          )} is not a member of any organization on this stand-in.</p>`,
        ),
      );
      return;
    }
    const code = randomBytes(10).toString('hex');
    this.codes.set(code, {
      login: this.model.user(login).login,
      redirectUri: form.get('redirect_uri') ?? undefined,
      scopes: (form.get('scope') ?? '')
        .split(/[\s,]+/)
        .filter(Boolean)
        .sort(),
      expiresAt: Date.now() + CODE_LIFETIME_MS,
    });
    const target = new URL(checked.redirectUri);
    target.searchParams.set('code', code);
    if (form.has('state')) target.searchParams.set('state', form.get('state')!);
    res.writeHead(302, { Location: target.toString(), 'Content-Length': '0' });
    res.end();
  }

  private accessToken(
    req: IncomingMessage,
    res: ServerResponse,
    form: URLSearchParams,
  ) {
    const json = /application\/json/.test(req.headers.accept ?? '');
    const answer = (body: Record<string, string>) => {
      const text = json
        ? JSON.stringify(body)
        : new URLSearchParams(body).toString();
      const bytes = Buffer.from(text, 'utf8');
      res.writeHead(200, {
        'Content-Type': json
          ? 'application/json; charset=utf-8'
          : 'application/x-www-form-urlencoded; charset=utf-8',
        'Content-Length': String(bytes.length),
      });
      res.end(bytes);
    };
    const fail = (error: keyof typeof TOKEN_ERRORS) =>
      answer({
        error,
        error_description: TOKEN_ERRORS[error],
        error_uri: `${TROUBLESHOOTING}#${error.replace(/_/g, '-')}`,
      });

    const grantType = form.get('grant_type');
    if (grantType && grantType !== 'authorization_code') {
      fail('unsupported_grant_type');
      return;
    }
    if (
      form.get('client_id') !== this.app.clientId ||
      !sameSecret(form.get('client_secret') ?? '', this.app.clientSecret)
    ) {
      fail('incorrect_client_credentials');
      return;
    }
    const code = form.get('code') ?? '';
    const pending = this.codes.get(code);
    // A code is good for one exchange, even a failed one.
    this.codes.delete(code);
    if (!pending || pending.expiresAt < Date.now()) {
      fail('bad_verification_code');
      return;
    }
    const redirectUri = form.get('redirect_uri');
    if (
      redirectUri &&
      (pending.redirectUri
        ? redirectUri !== pending.redirectUri
        : !redirectUriAllowed(redirectUri, this.app.callbackUrl))
    ) {
      fail('redirect_uri_mismatch');
      return;
    }
    answer({
      access_token: this.issueToken(pending.login, pending.scopes),
      scope: pending.scopes.join(','),
      token_type: 'bearer',
    });
  }
}
