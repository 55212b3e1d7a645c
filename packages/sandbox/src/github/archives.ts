/*
 * Repository archives. As on GitHub, `GET /repos/{o}/{r}/tarball/{ref}`
 * (and `zipball`) answers 302 with a short-lived download URL carrying its
 * own token; the download, under /_codeload since the stand-in has no
 * codeload host of its own, streams `git archive` of the commit. Backstage's GitHub UrlReader reads whole trees this way
 * (TechDocs, `readTree`).
 */
import { randomBytes } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { notFound } from './errors';
import { GitHubModel, Repository } from './model';
import * as render from './render';
import { Context, Route, route } from './route';

export const CODELOAD_PREFIX = '/_codeload';
/** GitHub's download tokens expire after five minutes. */
const TOKEN_LIFETIME_MS = 5 * 60 * 1000;

/** Each archive's `git archive --format`, which is also its file extension, and content type. */
const FORMATS = {
  tarball: { format: 'tar.gz', contentType: 'application/x-gzip' },
  zipball: { format: 'zip', contentType: 'application/zip' },
} as const;
type ArchiveKind = keyof typeof FORMATS;

const DOWNLOAD_PATH = new RegExp(
  `^${CODELOAD_PREFIX}/([^/]+)/([^/]+)/legacy\\.(tar\\.gz|zip)/([0-9a-f]{40})$`,
);

export class RepositoryArchives {
  /** Download tokens, each for one repository until it expires. */
  private readonly tokens = new Map<
    string,
    { repo: Repository; expires: number }
  >();

  constructor(
    private readonly model: GitHubModel,
    private readonly urls: render.Urls,
  ) {}

  routes(): Route[] {
    return (Object.keys(FORMATS) as ArchiveKind[]).map(kind =>
      route(
        'GET',
        `/repos/:owner/:repo/${kind}/*ref`,
        `repos/contents#download-a-repository-archive-${
          kind === 'tarball' ? 'tar' : 'zip'
        }`,
        ctx => this.redirect(ctx, kind),
      ),
    );
  }

  private async redirect(ctx: Context, kind: ArchiveKind) {
    const repo = this.model.repo(ctx.params.owner, ctx.params.repo);
    const [owner, name] = [repo.owner.login, repo.name];
    const sha = await this.model.git.resolve(
      owner,
      name,
      ctx.params.ref || repo.defaultBranch,
    );
    if (!sha) throw notFound();
    const now = Date.now();
    for (const [token, grant] of this.tokens) {
      if (grant.expires <= now) this.tokens.delete(token);
    }
    const token = randomBytes(20).toString('base64url');
    this.tokens.set(token, { repo, expires: now + TOKEN_LIFETIME_MS });
    const location = `${this.urls.web}${CODELOAD_PREFIX}/${owner}/${name}/legacy.${FORMATS[kind].format}/${sha}?token=${token}`;
    return { status: 302, headers: { Location: location } };
  }

  /** Streams a download; a missing, expired or other repository's token gets 404, as codeload answers. */
  async serve(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
  ): Promise<void> {
    const download = this.granted(req, url);
    const exists =
      download &&
      (await this.model.git.resolve(
        download.repo.owner.login,
        download.repo.name,
        download.sha,
      ));
    if (!download || !exists) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('404: Not Found');
      return;
    }
    const { repo, sha, kind } = download;
    const [owner, name] = [repo.owner.login, repo.name];
    // GitHub's legacy archives put everything under `{owner}-{repo}-{short sha}/`.
    const top = `${owner}-${name}-${sha.slice(0, 7)}`;
    res.writeHead(200, {
      'Content-Type': FORMATS[kind].contentType,
      'Content-Disposition': `attachment; filename=${top}.${FORMATS[kind].format}`,
      ETag: `"${sha}"`,
    });
    await pipeline(
      this.model.git.archive(owner, name, sha, FORMATS[kind].format, `${top}/`),
      res,
    );
  }

  /** The download a request asks for, if its token is live and for the repository its path names. */
  private granted(
    req: IncomingMessage,
    url: URL,
  ): { repo: Repository; sha: string; kind: ArchiveKind } | undefined {
    const match = DOWNLOAD_PATH.exec(url.pathname);
    const grant = this.tokens.get(url.searchParams.get('token') ?? '');
    if (req.method !== 'GET' || !match || !grant) return undefined;
    if (grant.expires <= Date.now()) return undefined;
    try {
      // A repository created again since the token was issued is another repository.
      const named = this.model.repo(
        decodeURIComponent(match[1]),
        decodeURIComponent(match[2]),
      );
      if (named !== grant.repo) return undefined;
    } catch {
      return undefined;
    }
    return {
      repo: grant.repo,
      sha: match[4],
      kind: match[3] === 'zip' ? 'zipball' : 'tarball',
    };
  }
}
