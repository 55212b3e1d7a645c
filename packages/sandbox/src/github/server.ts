/*
 * The HTTP face of the GitHub stand-in: one server answers the REST API
 * under /api/v3 (the GitHub Enterprise Server layout Backstage's
 * `apiBaseUrl` expects), GraphQL at /api/graphql, git's smart HTTP protocol
 * under /git, all behind the same tokens, repository archives under
 * /_codeload (behind the download tokens the API hands out), and the OAuth
 * web flow under /login/oauth. Also the entry point with the seeding helpers.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import {
  IncomingMessage,
  Server,
  ServerResponse,
  createServer,
} from 'node:http';
import { AddressInfo } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import { CODELOAD_PREFIX, RepositoryArchives } from './archives';
import { ApiError, REST_DOCS } from './errors';
import { serveGit } from './gitHttp';
import { GraphQLEndpoint } from './graphql';
import {
  Account,
  BranchProtectionSettings,
  CreateRepoOptions,
  GitHubModel,
  OrgRole,
  Repository,
  TeamRole,
} from './model';
import { DependabotAlertSeed, DependabotAlerts } from './dependabotAlerts';
import { OAuthApp, OAuthWebFlow } from './oauth';
import { repository } from './render';
import { FileChanges, GitIdentity, GitSignature, RepoStore } from './repoStore';
import { Context, MediaParam, Reply, buildRoutes } from './routes';
import { WebPages } from './webPages';

export interface GitHubToken {
  token: string;
  /** The user the token authenticates as; `GET /user` returns it. */
  login: string;
  name?: string;
  email?: string;
  /** OAuth scopes of a token issued by the OAuth web flow; answered in `X-OAuth-Scopes`. */
  scopes?: string[];
}

export interface GitHubStandInOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** Accepted tokens; a bare string authenticates as the user `sandbox-bot`. */
  tokens: Array<string | GitHubToken>;
  /** Where the bare repositories live; created if missing. Scratch space: a repository created again is replaced. */
  dataDir: string;
  /** An organization to create at start. */
  org?: string;
  /** Author of commits made by the seeding helpers; defaults to "Paved Sandbox". */
  author?: GitIdentity;
  /** The primary rate limit per hour; defaults to 5000, GitHub's for a token. */
  rateLimit?: number;
  /** The one OAuth app whose web flow (`/login/oauth/…`) signs people in; none: the flow answers 404. */
  oauthApp?: OAuthApp;
}

/** The API requests a stand-in has served since it started or since its counts were last reset. */
export interface GitHubRequestCounts {
  /** Every REST and GraphQL request, authenticated or not, whatever its answer. */
  total: number;
  /** Of those, REST GETs answered 304 Not Modified to their `If-None-Match`. */
  notModified: number;
}

export interface GitHubStandIn {
  /** Base URL of the REST API, for Backstage's `apiBaseUrl` or Octokit's `baseUrl`. */
  apiUrl: string;
  /** Repositories are cloned from `${gitBaseUrl}/{owner}/{repo}.git`. */
  gitBaseUrl: string;
  /** Where web pages are (html_url); commit, repository, folder and file pages are served, to loopback clients. */
  webUrl: string;
  stop(): Promise<void>;
  createOrg(
    login: string,
    options?: { name?: string },
  ): { id: number; login: string };
  /** `parent` is the slug of an existing team. */
  createTeam(
    org: string,
    slug: string,
    options: { name: string; description?: string; parent?: string },
  ): { id: number; slug: string };
  /**
   * Adds a user (created on first mention) to an organization, and with
   * `team` to that team; `role` is `admin`/`member` for the organization or
   * `maintainer`/`member` for the team.
   */
  addMember(
    org: string,
    login: string,
    options?: {
      team?: string;
      role?: OrgRole | TeamRole;
      name?: string;
      email?: string;
    },
  ): { id: number; login: string };
  /** Creates the repository with one commit of `files` (none: empty); returns it as `GET /repos/{o}/{r}` would. */
  createRepo(
    org: string,
    name: string,
    options?: CreateRepoOptions,
  ): Promise<RepositoryJson>;
  protectBranch(
    org: string,
    repo: string,
    branch: string,
    settings: BranchProtectionSettings,
  ): Promise<void>;
  /**
   * Adds a commit on top of a branch; a new branch starts from the default
   * branch. `null` content deletes a file. The author (by default the
   * `author` option) is also the committer; `author.date` backdates both.
   * Returns the commit's sha.
   */
  commit(
    org: string,
    repo: string,
    branch: string,
    files: FileChanges,
    message: string,
    author?: GitSignature,
  ): Promise<string>;
  /**
   * Replaces a repository's Dependabot alerts (none until set); `disabled` turns alerts off, so
   * listing them answers GitHub's 403.
   */
  setDependabotAlerts(
    org: string,
    repo: string,
    alerts: DependabotAlertSeed[] | 'disabled',
  ): void;
  /** While on, every API request gets GitHub's secondary rate limit 403. */
  setRateLimited(on: boolean): void;
  /** Sets the requests left in the primary rate limit window; at 0 requests get a 403. */
  setRemaining(remaining: number): void;
  /**
   * Uses up the primary rate limit until `seconds` from now: every API call gets GitHub's 403
   * with `X-RateLimit-Remaining: 0` and that reset time, after which the window starts afresh.
   */
  exhaustRateLimit(seconds: number): void;
  /**
   * The API requests served so far, so a test or benchmark can count what a client asked of
   * GitHub; git and web page requests are not counted.
   */
  requests(): GitHubRequestCounts;
  /** Starts counting requests from zero. */
  resetRequestCounts(): void;
}

/** The repository JSON of GitHub's API; the fields seeders commonly need are typed. */
export interface RepositoryJson extends Record<string, unknown> {
  id: number;
  name: string;
  full_name: string;
  html_url: string;
  clone_url: string;
  default_branch: string;
}

const API_PREFIX = '/api/v3';
/** GitHub Enterprise Server's GraphQL URL, where Octokit sends queries for an `/api/v3` base URL. */
const GRAPHQL_PATHS = ['/api/graphql', '/graphql'];
const GIT_PREFIX = '/git';
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const DEFAULT_AUTHOR: GitIdentity = {
  name: 'Paved Sandbox',
  email: 'sandbox@paved.invalid',
};
const RATE_WINDOW_SECONDS = 3600;

function isLoopback(address: string | undefined): boolean {
  return Boolean(
    address && (address === '::1' || /^(::ffff:)?127\./.test(address)),
  );
}

/** GitHub's request ids look like C0A8:3E2B:1A2F3C:1B3D4E:65F0A1B2. */
function requestId(): string {
  return randomBytes(10)
    .toString('hex')
    .toUpperCase()
    .match(/.{4}/g)!
    .join(':');
}

function mediaParam(accept: string | undefined): MediaParam {
  if (!accept) return 'json';
  if (/application\/vnd\.github(\.v3)?\.raw/.test(accept)) return 'raw';
  if (/application\/vnd\.github(\.v3)?\.object/.test(accept)) return 'object';
  return 'json';
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      throw new ApiError(413, 'Request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The token of an API request: `Authorization: token X` or `Bearer X`. */
function apiToken(req: IncomingMessage): string | undefined {
  const match = /^(?:token|bearer)\s+(\S+)$/i.exec(
    req.headers.authorization ?? '',
  );
  return match?.[1];
}

/**
 * The token of a git request: HTTP Basic with the token as password (as in
 * `x-access-token:TOKEN`) or as user name with an empty password.
 */
function gitToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization ?? '';
  const basic = /^basic\s+(\S+)$/i.exec(header);
  if (!basic) return apiToken(req);
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const [user, password] =
    colon < 0
      ? [decoded, '']
      : [decoded.slice(0, colon), decoded.slice(colon + 1)];
  return password || user;
}

export async function startGitHubStandIn(
  options: GitHubStandInOptions,
): Promise<GitHubStandIn> {
  const host = options.host ?? '127.0.0.1';
  const dataDir = resolvePath(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const model = new GitHubModel(
    new RepoStore(dataDir),
    options.author ?? DEFAULT_AUTHOR,
  );

  const tokens = new Map<string, GitHubToken>();
  for (const entry of options.tokens) {
    const token =
      typeof entry === 'string'
        ? { token: entry, login: 'sandbox-bot' }
        : entry;
    tokens.set(token.token, token);
    model.user(token.login, { name: token.name, email: token.email });
  }
  if (options.org) model.createOrg(options.org);

  const limit = options.rateLimit ?? 5000;
  const rate = { remaining: limit, reset: 0, secondary: false };
  const rateHeaders = (): Record<string, string> => {
    const now = Math.floor(Date.now() / 1000);
    if (now >= rate.reset) {
      if (rate.reset !== 0) rate.remaining = limit;
      rate.reset = now + RATE_WINDOW_SECONDS;
    }
    return {
      'X-RateLimit-Limit': String(limit),
      'X-RateLimit-Remaining': String(rate.remaining),
      'X-RateLimit-Reset': String(rate.reset),
      'X-RateLimit-Used': String(limit - rate.remaining),
      'X-RateLimit-Resource': 'core',
    };
  };

  // Requests in flight when the limit is used up must not take it below 0, as GitHub's never is.
  const spend = () => {
    rate.remaining = Math.max(0, rate.remaining - 1);
  };

  let counts: GitHubRequestCounts = { total: 0, notModified: 0 };

  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const webUrl = `http://${host}:${port}`;
  const urls = {
    web: webUrl,
    api: `${webUrl}${API_PREFIX}`,
    git: `${webUrl}${GIT_PREFIX}`,
  };
  const archives = new RepositoryArchives(model, urls);
  const dependabotAlerts = new DependabotAlerts(model, urls);
  const routes = [
    ...buildRoutes(model, urls),
    ...archives.routes(),
    ...dependabotAlerts.routes(),
  ];
  const webPages = new WebPages(model);
  const graphql = new GraphQLEndpoint(model, urls);
  const oauth = options.oauthApp
    ? new OAuthWebFlow(model, options.oauthApp, (login, scopes) => {
        // GitHub's OAuth app tokens: `gho_` and 36 characters.
        const token = `gho_${randomBytes(27).toString('base64url')}`;
        tokens.set(token, { token, login, scopes });
        return token;
      })
    : undefined;

  function identityOf(token: GitHubToken, user: Account): GitIdentity {
    return {
      name: token.name ?? user.login,
      email: token.email ?? `${user.id}+${user.login}@users.noreply.${host}`,
    };
  }

  function send(
    res: ServerResponse,
    status: number,
    headers: Record<string, string>,
    body?: Buffer,
  ) {
    res.writeHead(
      status,
      body ? { ...headers, 'Content-Length': String(body.length) } : headers,
    );
    res.end(body);
  }

  async function handleApi(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
  ) {
    const media = mediaParam(req.headers.accept);
    const headers: Record<string, string> = {
      'X-GitHub-Request-Id': requestId(),
      'X-GitHub-Media-Type':
        media === 'json'
          ? 'github.v3; format=json'
          : `github.v3; param=${media}; format=json`,
      'X-GitHub-Api-Version-Selected': '2022-11-28',
      'Cache-Control': 'private, max-age=60, s-maxage=60',
      Vary: 'Accept, Authorization, Cookie, X-GitHub-OTP',
    };
    const path = url.pathname.slice(API_PREFIX.length) || '/';
    const method = req.method ?? 'GET';
    const matched = routes
      .filter(r => r.method === method)
      .map(r => ({ route: r, match: r.pattern.exec(path) }))
      .find(m => m.match);
    const docs = matched?.route.docs ?? REST_DOCS;

    const reply = (
      status: number,
      body: unknown,
      extra: Record<string, string> = {},
    ) =>
      send(
        res,
        status,
        {
          ...headers,
          ...rateHeaders(),
          'Content-Type': 'application/json; charset=utf-8',
          ...extra,
        },
        Buffer.from(JSON.stringify(body)),
      );
    const replyError = (error: ApiError) =>
      reply(error.status, error.body(docs), error.headers);

    const token = tokens.get(apiToken(req) ?? '');
    if (!token) {
      replyError(
        new ApiError(401, 'Bad credentials', { documentationUrl: REST_DOCS }),
      );
      return;
    }
    const user = model.user(token.login);
    if (token.scopes) headers['X-OAuth-Scopes'] = token.scopes.join(', ');
    if (rate.secondary) {
      replyError(
        new ApiError(
          403,
          `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${headers['X-GitHub-Request-Id']}.`,
          {
            documentationUrl:
              'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
          },
          { 'Retry-After': '60' },
        ),
      );
      return;
    }
    rateHeaders();
    if (rate.remaining <= 0) {
      replyError(
        new ApiError(403, `API rate limit exceeded for user ID ${user.id}.`, {
          documentationUrl:
            'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-primary-rate-limits',
        }),
      );
      return;
    }

    let result: Reply;
    try {
      if (!matched) throw new ApiError(404, 'Not Found');
      const { route, match } = matched;
      const params = Object.fromEntries(
        route.names.map((name, i) => [
          name,
          decodeURIComponent(match![i + 1] ?? ''),
        ]),
      );
      const context: Context = {
        params,
        query: url.searchParams,
        path,
        user,
        identity: identityOf(token, user),
        media,
        body: async () => {
          const text = (await readBody(req)).toString('utf8');
          if (!text) return {};
          try {
            const parsed = JSON.parse(text);
            if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
              return parsed;
          } catch {
            // Answered below like any body that is not a JSON object.
          }
          throw new ApiError(400, 'Problems parsing JSON');
        },
      };
      result = await route.handle(context);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      spend();
      replyError(error);
      return;
    }

    const body =
      result.raw ??
      (result.body === undefined
        ? undefined
        : Buffer.from(JSON.stringify(result.body)));
    const contentType = result.raw
      ? 'application/vnd.github.raw; charset=utf-8'
      : 'application/json; charset=utf-8';
    const extra: Record<string, string> = { ...result.headers };
    if (method === 'GET' && result.status === 200 && body) {
      const etag = `W/"${createHash('sha256').update(body).digest('hex')}"`;
      extra.ETag = etag;
      const wanted = (req.headers['if-none-match'] ?? '')
        .split(',')
        .map(t => t.trim().replace(/^W\//, ''));
      // A conditional request answered with 304 does not count against the rate limit.
      if (wanted.includes(etag.replace(/^W\//, ''))) {
        counts.notModified++;
        send(res, 304, { ...headers, ...rateHeaders(), ...extra });
        return;
      }
    }
    spend();
    const all = { ...headers, ...rateHeaders(), ...extra };
    if (body) all['Content-Type'] = contentType;
    send(res, result.status, all, body);
  }

  /** GraphQL: validated and executed against GitHub's schema, behind the API's tokens. */
  async function handleGraphQL(req: IncomingMessage, res: ServerResponse) {
    const json = (status: number, body: unknown) =>
      send(
        res,
        status,
        {
          'Content-Type': 'application/json; charset=utf-8',
          'X-GitHub-Request-Id': requestId(),
        },
        Buffer.from(JSON.stringify(body)),
      );
    const token = tokens.get(apiToken(req) ?? '');
    if (!token) {
      json(401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/graphql',
      });
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse((await readBody(req)).toString('utf8'));
    } catch {
      json(400, {
        message: 'Problems parsing JSON',
        documentation_url: 'https://docs.github.com/graphql',
      });
      return;
    }
    const answer = await graphql.answer(body, model.user(token.login));
    json(answer.status, answer.body);
  }

  async function handleGit(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
  ) {
    const token = tokens.get(gitToken(req) ?? '');
    if (!token) {
      send(
        res,
        401,
        {
          'WWW-Authenticate': 'Basic realm="GitHub"',
          'Content-Type': 'text/plain',
        },
        Buffer.from('Invalid username or token.\n'),
      );
      return;
    }
    const match = /^\/([^/]+)\/([^/]+?)(?:\.git)?(\/.*)$/.exec(
      url.pathname.slice(GIT_PREFIX.length),
    );
    let repo: Repository | undefined;
    try {
      repo = match
        ? model.repo(decodeURIComponent(match[1]), decodeURIComponent(match[2]))
        : undefined;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
    }
    if (!match || !repo) {
      send(
        res,
        404,
        { 'Content-Type': 'text/plain' },
        Buffer.from('Repository not found.\n'),
      );
      return;
    }
    await serveGit(req, res, {
      projectRoot: dataDir,
      pathInfo: `/${repo.owner.login}/${repo.name}.git${match[3]}`,
      query: url.search.slice(1),
      remoteUser: token.login,
    });
    if (match[3] === '/git-receive-pack') await afterPush(repo);
  }

  /** A push moves pushed_at; into an empty repository it also picks the default branch, as GitHub does. */
  async function afterPush(repo: Repository) {
    model.touchPushed(repo);
    const [owner, name] = [repo.owner.login, repo.name];
    const branches = await model.git.branches(owner, name);
    if (
      branches.length > 0 &&
      !branches.some(b => b.name === repo.defaultBranch)
    ) {
      repo.defaultBranch = branches[0].name;
      await model.git.setHead(owner, name, repo.defaultBranch);
    }
  }

  /**
   * Web pages, served without a token to loopback clients only (a browser
   * following the portal's links carries no token). Anything else gets the
   * JSON 404 GitHub gives for a path it does not know.
   */
  async function handleWeb(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
  ) {
    const page =
      req.method === 'GET' && isLoopback(req.socket.remoteAddress)
        ? await webPages.render(url.pathname)
        : undefined;
    if (page) {
      send(
        res,
        page.status,
        { 'Content-Type': 'text/html; charset=utf-8' },
        Buffer.from(page.html, 'utf8'),
      );
      return;
    }
    send(
      res,
      404,
      { 'Content-Type': 'application/json; charset=utf-8' },
      Buffer.from(
        JSON.stringify({
          message: 'Not Found',
          documentation_url: REST_DOCS,
          status: '404',
        }),
      ),
    );
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', webUrl);
    let handled: Promise<void>;
    if (req.method === 'POST' && GRAPHQL_PATHS.includes(url.pathname)) {
      counts.total++;
      handled = handleGraphQL(req, res);
    } else if (
      url.pathname === API_PREFIX ||
      url.pathname.startsWith(`${API_PREFIX}/`)
    ) {
      counts.total++;
      handled = handleApi(req, res, url);
    } else if (oauth && url.pathname.startsWith('/login/oauth/')) {
      handled = oauth.handle(req, res, url).then(done => {
        if (!done) return handleWeb(req, res, url);
        return undefined;
      });
    } else if (url.pathname.startsWith(`${GIT_PREFIX}/`)) {
      handled = handleGit(req, res, url);
    } else if (url.pathname.startsWith(`${CODELOAD_PREFIX}/`)) {
      handled = archives.serve(req, res, url);
    } else {
      handled = handleWeb(req, res, url);
    }
    handled.catch(error => {
      if (!res.headersSent) {
        send(
          res,
          500,
          { 'Content-Type': 'application/json; charset=utf-8' },
          Buffer.from(
            JSON.stringify({
              message: `Stand-in failure: ${error?.message ?? error}`,
              documentation_url: REST_DOCS,
            }),
          ),
        );
      } else {
        res.destroy(error);
      }
    });
  });

  return {
    apiUrl: urls.api,
    gitBaseUrl: urls.git,
    webUrl,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close(error => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
    createOrg: (login, orgOptions) => {
      const org = model.createOrg(login, orgOptions);
      return { id: org.id, login: org.login };
    },
    createTeam: (org, slug, teamOptions) => {
      const created = model.createTeam(org, slug, teamOptions);
      return { id: created.id, slug: created.slug };
    },
    addMember: (org, login, memberOptions) => {
      const user = model.addMember(org, login, memberOptions);
      return { id: user.id, login: user.login };
    },
    createRepo: async (org, name, repoOptions) =>
      repository(urls, await model.createRepo(org, name, repoOptions), {
        full: true,
      }) as RepositoryJson,
    protectBranch: async (org, repo, branch, settings) => {
      await model.protectBranch(org, repo, branch, settings);
    },
    commit: (org, repo, branch, files, message, author) =>
      model.commit(org, repo, branch, files, message, author),
    setDependabotAlerts: (org, repo, alerts) =>
      dependabotAlerts.set(org, repo, alerts),
    setRateLimited: on => {
      rate.secondary = on;
    },
    setRemaining: remaining => {
      rateHeaders();
      rate.remaining = remaining;
    },
    exhaustRateLimit: seconds => {
      rateHeaders();
      rate.remaining = 0;
      rate.reset = Math.floor(Date.now() / 1000) + Math.max(1, seconds);
    },
    requests: () => ({ ...counts }),
    resetRequestCounts: () => {
      counts = { total: 0, notModified: 0 };
    },
  };
}
