/*
 * The web pages the portal links to: a commit (Argo CD revisions link to
 * `{repo}/commit/{sha}`), a repository's front page, and its folders and
 * files at a ref (the entity page's "View Source" opens `{repo}/tree/{ref}/`).
 * Plain HTML under a banner that names the stand-in, so nobody mistakes it
 * for GitHub; the API's JSON stays the source of truth for tests.
 */
import { ApiError } from './errors';
import { GitHubModel, Repository } from './model';
import { encodePath } from './render';
import { GitCommit, TreeEntry } from './repoStore';

export interface WebPage {
  status: number;
  html: string;
}

const COMMIT_PAGE = /^\/([^/]+)\/([^/]+)\/commit\/([^/]+)\/?$/;
const REPO_PAGE = /^\/([^/]+)\/([^/]+)\/?$/;
/** `tree/` or `blob/`, then a ref (which may contain slashes) and a path. */
const BROWSE_PAGE = /^\/([^/]+)\/([^/]+)\/(?:tree|blob)\/(.+?)\/?$/;
/** How many commits the repository page lists. */
const RECENT_COMMITS = 20;

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    c =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[
        c
      ]!),
  );
}

export function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)} · GitHub stand-in</title>
<style>
body { font: 14px/1.5 system-ui, sans-serif; margin: 0; color: #1f2328; }
.banner { background: #6e40c9; color: #fff; padding: 8px 16px; font-weight: 600; }
main { max-width: 1000px; margin: 0 auto; padding: 16px; }
pre { background: #f6f8fa; padding: 12px; overflow-x: auto; font-size: 12px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; }
dt { color: #59636e; }
.add { color: #116329; background: #dafbe1; }
.del { color: #82071e; background: #ffebe9; }
.hunk { color: #0550ae; }
</style>
</head>
<body>
<header class="banner" role="banner">GitHub stand-in — a fake of GitHub for development and tests (Paved sandbox), not github.com</header>
<main>
${body}
</main>
</body>
</html>
`;
}

function notFoundPage(): WebPage {
  return {
    status: 404,
    html: layout('Not Found', '<h1>Not Found</h1>'),
  };
}

function repoPath(repo: Repository) {
  return `/${encodeURIComponent(repo.owner.login)}/${encodeURIComponent(
    repo.name,
  )}`;
}

function breadcrumb(repo: Repository) {
  return `<p><a href="${repoPath(repo)}">${escapeHtml(
    repo.owner.login,
  )} / ${escapeHtml(repo.name)}</a></p>`;
}

/** A `git show --patch` text with added, removed and hunk lines marked for colour. */
function diffHtml(text: string): string {
  return text
    .split('\n')
    .map(line => {
      const escaped = escapeHtml(line);
      if (line.startsWith('+') && !line.startsWith('+++')) {
        return `<span class="add">${escaped}</span>`;
      }
      if (line.startsWith('-') && !line.startsWith('---')) {
        return `<span class="del">${escaped}</span>`;
      }
      if (line.startsWith('@@')) {
        return `<span class="hunk">${escaped}</span>`;
      }
      return escaped;
    })
    .join('\n');
}

function browseHref(
  repo: Repository,
  kind: 'tree' | 'blob',
  ref: string,
  path: string,
) {
  return `${repoPath(repo)}/${kind}/${encodePath(ref)}/${encodePath(path)}`;
}

/** Links to the repository at the ref and to each folder above a path. */
function pathCrumbs(repo: Repository, ref: string, path: string) {
  const segments = path.split('/');
  const links = segments
    .slice(0, -1)
    .map(
      (segment, i) =>
        `<a href="${browseHref(
          repo,
          'tree',
          ref,
          segments.slice(0, i + 1).join('/'),
        )}">${escapeHtml(segment)}</a>`,
    );
  const root = `<a href="${browseHref(repo, 'tree', ref, '')}">${escapeHtml(
    repo.owner.login,
  )} / ${escapeHtml(repo.name)}</a>`;
  return `<p>${[root, ...links, escapeHtml(segments[segments.length - 1])].join(
    ' / ',
  )}</p>`;
}

function commitLink(repo: Repository, sha: string) {
  return `<a href="${repoPath(repo)}/commit/${sha}"><code>${sha.slice(
    0,
    7,
  )}</code></a>`;
}

export class WebPages {
  constructor(private readonly model: GitHubModel) {}

  /** The page at `path`, or undefined when no page lives there. */
  async render(path: string): Promise<WebPage | undefined> {
    const commit = COMMIT_PAGE.exec(path);
    if (commit) {
      return this.withRepo(commit, repo =>
        this.commitPage(repo, decodeURIComponent(commit[3])),
      );
    }
    const browse = BROWSE_PAGE.exec(path);
    if (browse) {
      return this.withRepo(browse, repo =>
        this.browsePage(repo, browse[3].split('/').map(decodeURIComponent)),
      );
    }
    const repoPage = REPO_PAGE.exec(path);
    if (repoPage) {
      return this.withRepo(repoPage, repo => this.repoPage(repo));
    }
    return undefined;
  }

  private async withRepo(
    match: RegExpExecArray,
    page: (repo: Repository) => Promise<WebPage>,
  ): Promise<WebPage> {
    let repo: Repository;
    try {
      repo = this.model.repo(
        decodeURIComponent(match[1]),
        decodeURIComponent(match[2]),
      );
    } catch (error) {
      if (error instanceof ApiError) return notFoundPage();
      throw error;
    }
    return page(repo);
  }

  private authorHtml(commit: GitCommit) {
    const account = this.model.userByEmail(commit.author.email);
    const who = `${escapeHtml(commit.author.name)} &lt;${escapeHtml(
      commit.author.email,
    )}&gt;`;
    return account ? `${who} (@${escapeHtml(account.login)})` : who;
  }

  private async commitPage(repo: Repository, ref: string): Promise<WebPage> {
    const git = this.model.git;
    const [owner, name] = [repo.owner.login, repo.name];
    const sha = await git.resolve(owner, name, ref);
    if (!sha) return notFoundPage();
    const commit = await git.commitInfo(owner, name, sha);
    const [subject, ...rest] = commit.message.split('\n');
    const body = rest.join('\n').trim();
    const parents = commit.parents.length
      ? commit.parents.map(p => commitLink(repo, p)).join(', ')
      : 'none (the first commit)';
    const html = [
      breadcrumb(repo),
      `<h1>${escapeHtml(subject)}</h1>`,
      body ? `<pre class="message">${escapeHtml(body)}</pre>` : '',
      '<dl>',
      `<dt>Commit</dt><dd><code>${sha}</code></dd>`,
      `<dt>Author</dt><dd>${this.authorHtml(commit)}</dd>`,
      `<dt>Date</dt><dd><time datetime="${commit.author.date}">${commit.author.date}</time></dd>`,
      `<dt>Parent</dt><dd>${parents}</dd>`,
      '</dl>',
      '<h2>Changed files</h2>',
      `<pre class="diff">${diffHtml(
        await git.changes(owner, name, sha),
      )}</pre>`,
    ].join('\n');
    return {
      status: 200,
      html: layout(`${subject} · ${owner}/${name}@${sha.slice(0, 7)}`, html),
    };
  }

  /**
   * A folder or file at a ref, the front page for the root. As on GitHub the
   * ref may contain slashes: the shortest leading segments naming a commit
   * are the ref, the rest the path.
   */
  private async browsePage(
    repo: Repository,
    segments: string[],
  ): Promise<WebPage> {
    const git = this.model.git;
    const [owner, name] = [repo.owner.login, repo.name];
    for (let i = 1; i <= segments.length; i++) {
      const ref = segments.slice(0, i).join('/');
      const sha = await git.resolve(owner, name, ref);
      if (!sha) continue;
      const path = segments.slice(i).join('/');
      const entry = await git.entry(owner, name, sha, path);
      // A tree URL naming a file shows the file, and a blob URL naming a folder the folder, as GitHub redirects.
      if (entry?.type === 'tree' && path === '')
        return this.repoPage(repo, { name: ref, sha });
      if (entry?.type === 'tree')
        return this.folderPage(repo, { name: ref, sha }, entry);
      if (entry?.type === 'blob')
        return this.filePage(repo, { name: ref, sha }, entry);
      return notFoundPage();
    }
    return notFoundPage();
  }

  private async repoPage(
    repo: Repository,
    at?: { name: string; sha: string },
  ): Promise<WebPage> {
    const git = this.model.git;
    const [owner, name] = [repo.owner.login, repo.name];
    const ref = at?.name ?? repo.defaultBranch;
    const head =
      at?.sha ?? (await git.resolve(owner, name, `refs/heads/${ref}`));
    const parts = [
      `<h1>${escapeHtml(owner)} / ${escapeHtml(name)}</h1>`,
      repo.description ? `<p>${escapeHtml(repo.description)}</p>` : '',
    ];
    if (!head) {
      parts.push('<p>This repository is empty.</p>');
    } else {
      const files = await git.files(owner, name, head);
      const commits = await git.log(owner, name, head, {
        limit: RECENT_COMMITS,
      });
      const readme = files.find(f => /^readme(\.md)?$/i.test(f));
      parts.push(
        `<h2>Files on ${escapeHtml(ref)}</h2>`,
        `<ul>${files
          .map(
            f =>
              `<li><a href="${browseHref(
                repo,
                'blob',
                ref,
                f,
              )}"><code>${escapeHtml(f)}</code></a></li>`,
          )
          .join('')}</ul>`,
        '<h2>Recent commits</h2>',
        `<ul>${commits
          .map(
            c =>
              `<li>${commitLink(repo, c.sha)} ${escapeHtml(
                c.message.split('\n')[0],
              )} — ${escapeHtml(c.author.name)}, ${c.author.date}</li>`,
          )
          .join('')}</ul>`,
      );
      if (readme) {
        const entry = await git.entry(owner, name, head, readme);
        const text = entry
          ? (await git.blob(owner, name, entry.sha)).toString('utf8')
          : '';
        parts.push(
          `<h2>${escapeHtml(readme)}</h2>`,
          `<pre>${escapeHtml(text)}</pre>`,
        );
      }
    }
    return {
      status: 200,
      html: layout(`${owner}/${name}`, parts.join('\n')),
    };
  }

  private async folderPage(
    repo: Repository,
    at: { name: string; sha: string },
    folder: TreeEntry,
  ): Promise<WebPage> {
    const git = this.model.git;
    const [owner, name] = [repo.owner.login, repo.name];
    const entries = await git.list(owner, name, folder.sha, folder.path);
    // Folders first, as GitHub lists them.
    const sorted = [
      ...entries.filter(e => e.type === 'tree'),
      ...entries.filter(e => e.type !== 'tree'),
    ];
    const items = sorted.map(e => {
      const base = e.path.split('/').pop()!;
      const label =
        e.type === 'tree' ? `${escapeHtml(base)}/` : escapeHtml(base);
      const kind = e.type === 'tree' ? 'tree' : 'blob';
      return `<li><a href="${browseHref(
        repo,
        kind,
        at.name,
        e.path,
      )}"><code>${label}</code></a></li>`;
    });
    const html = [
      pathCrumbs(repo, at.name, folder.path),
      `<h1>${escapeHtml(folder.path)}</h1>`,
      `<p>At <code>${escapeHtml(at.name)}</code> (${commitLink(
        repo,
        at.sha,
      )})</p>`,
      `<ul>${items.join('')}</ul>`,
    ].join('\n');
    return {
      status: 200,
      html: layout(`${folder.path} at ${at.name} · ${owner}/${name}`, html),
    };
  }

  private async filePage(
    repo: Repository,
    at: { name: string; sha: string },
    file: TreeEntry,
  ): Promise<WebPage> {
    const [owner, name] = [repo.owner.login, repo.name];
    const bytes = await this.model.git.blob(owner, name, file.sha);
    const content = bytes.includes(0)
      ? `<p>Binary file, ${bytes.length} bytes, not shown.</p>`
      : `<pre class="file">${escapeHtml(bytes.toString('utf8'))}</pre>`;
    const html = [
      pathCrumbs(repo, at.name, file.path),
      `<h1>${escapeHtml(file.path)}</h1>`,
      `<p>At <code>${escapeHtml(at.name)}</code> (${commitLink(
        repo,
        at.sha,
      )}), ${bytes.length} bytes</p>`,
      content,
    ].join('\n');
    return {
      status: 200,
      html: layout(`${file.path} at ${at.name} · ${owner}/${name}`, html),
    };
  }
}
