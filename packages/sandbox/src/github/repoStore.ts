/*
 * Real bare git repositories on disk, driven through the git command line.
 * Everything the API says about files, branches and commits is read from
 * here, so a push over smart HTTP and a commit made through the API are seen
 * the same way.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';

export interface GitIdentity {
  name: string;
  email: string;
}

/** Who made a commit and, optionally, when (now if not given); git's author line. */
export interface GitSignature extends GitIdentity {
  date?: Date;
}

export interface GitCommit {
  sha: string;
  tree: string;
  parents: string[];
  author: GitIdentity & { date: string };
  committer: GitIdentity & { date: string };
  message: string;
}

export interface TreeEntry {
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
  /** Bytes for blobs; undefined for trees and submodules. */
  size?: number;
  /** Path from the repository root. */
  path: string;
}

/** Content of a file to write, or null to delete it. */
export type FileChanges = Record<string, string | Buffer | null>;

export class GitError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(message);
  }
}

interface RunOptions {
  input?: string | Buffer;
  env?: Record<string, string>;
  /** Exit codes other than 0 that are answers rather than failures. */
  okCodes?: number[];
}

interface RunResult {
  stdout: Buffer;
  code: number;
}

function gitEnv(extra?: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...process.env,
    // Keep the user's and the system's git configuration out of it.
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    ...extra,
  };
}

// Fields of `git log` output, separated so that any message text is safe.
const FIELD = '\x00';
const RECORD = '\x1e';
const LOG_FORMAT = [
  '%H',
  '%T',
  '%P',
  '%an',
  '%ae',
  '%aI',
  '%cn',
  '%ce',
  '%cI',
  '%B',
]
  .join('%x00')
  .concat('%x1e');

/** git prints dates with a local offset; GitHub shows UTC with a Z. */
function utc(isoDate: string): string {
  return new Date(isoDate).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class RepoStore {
  constructor(readonly root: string) {}

  /** Directory of a bare repository, the layout `git http-backend` serves. */
  path(owner: string, name: string): string {
    return join(this.root, owner, `${name}.git`);
  }

  async run(
    dir: string,
    args: string[],
    options: RunOptions = {},
  ): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const child = spawn('git', args, {
        cwd: dir,
        env: gitEnv(options.env),
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', chunk => out.push(chunk));
      child.stderr.on('data', chunk => err.push(chunk));
      child.on('error', reject);
      child.on('close', code => {
        const stderr = Buffer.concat(err).toString('utf8');
        if (code === 0 || (code !== null && options.okCodes?.includes(code))) {
          resolve({ stdout: Buffer.concat(out), code });
        } else {
          reject(
            new GitError(
              `git ${args[0]} failed: ${stderr.trim()}`,
              code,
              stderr,
            ),
          );
        }
      });
      child.stdin.end(options.input);
    });
  }

  private async text(
    dir: string,
    args: string[],
    input?: string | Buffer,
    env?: Record<string, string>,
  ): Promise<string> {
    return (await this.run(dir, args, { input, env })).stdout.toString('utf8');
  }

  /** Creates an empty bare repository, replacing any leftover at that path. */
  async init(
    owner: string,
    name: string,
    defaultBranch: string,
  ): Promise<void> {
    const dir = this.path(owner, name);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    await this.run(dir, [
      'init',
      '--bare',
      '--quiet',
      `--initial-branch=${defaultBranch}`,
    ]);
    await this.run(dir, ['config', 'http.receivepack', 'true']);
  }

  async setHead(owner: string, name: string, branch: string): Promise<void> {
    await this.run(this.path(owner, name), [
      'symbolic-ref',
      'HEAD',
      `refs/heads/${branch}`,
    ]);
  }

  /** The commit (or with `type` tree, the tree) a branch, tag or sha names, or undefined. */
  async resolve(
    owner: string,
    name: string,
    ref: string,
    type: 'commit' | 'tree' = 'commit',
  ): Promise<string | undefined> {
    const { stdout, code } = await this.run(
      this.path(owner, name),
      [
        'rev-parse',
        '--verify',
        '--quiet',
        '--end-of-options',
        `${ref}^{${type}}`,
      ],
      { okCodes: [1, 128] },
    );
    return code === 0 ? stdout.toString('utf8').trim() : undefined;
  }

  /** Branch names and their tip commits, sorted by name as GitHub lists them. */
  async branches(
    owner: string,
    name: string,
  ): Promise<Array<{ name: string; sha: string }>> {
    const out = await this.text(this.path(owner, name), [
      'for-each-ref',
      '--sort=refname',
      '--format=%(refname:lstrip=2)%00%(objectname)',
      'refs/heads',
    ]);
    return out
      .split('\n')
      .filter(Boolean)
      .map(line => {
        const [branch, sha] = line.split(FIELD);
        return { name: branch, sha };
      });
  }

  /**
   * Commits newest first from a starting commit, optionally only those that
   * touch a path.
   */
  async log(
    owner: string,
    name: string,
    from: string,
    options: { path?: string; skip?: number; limit?: number } = {},
  ): Promise<GitCommit[]> {
    const args = ['log', `--format=${LOG_FORMAT}`];
    if (options.skip) args.push(`--skip=${options.skip}`);
    if (options.limit !== undefined) args.push(`--max-count=${options.limit}`);
    args.push(from, '--');
    if (options.path) args.push(options.path);
    const out = await this.text(this.path(owner, name), args);
    return out
      .split(RECORD)
      .map(record => record.replace(/^\n/, ''))
      .filter(Boolean)
      .map(record => {
        const [sha, tree, parents, an, ae, ad, cn, ce, cd, message] =
          record.split(FIELD);
        return {
          sha,
          tree,
          parents: parents ? parents.split(' ') : [],
          author: { name: an, email: ae, date: utc(ad) },
          committer: { name: cn, email: ce, date: utc(cd) },
          message: message.replace(/\n+$/, ''),
        };
      });
  }

  async commitInfo(
    owner: string,
    name: string,
    sha: string,
  ): Promise<GitCommit> {
    const [commit] = await this.log(owner, name, sha, { limit: 1 });
    return commit;
  }

  async countCommits(
    owner: string,
    name: string,
    range: string,
    path?: string,
  ): Promise<number> {
    const args = ['rev-list', '--count', range, '--'];
    if (path) args.push(path);
    const out = await this.text(this.path(owner, name), args);
    return Number(out.trim());
  }

  /** The entry at a path in a commit; the empty path is the root tree. */
  async entry(
    owner: string,
    name: string,
    commit: string,
    path: string,
  ): Promise<TreeEntry | undefined> {
    if (path === '') {
      const sha = (
        await this.text(this.path(owner, name), [
          'rev-parse',
          `${commit}^{tree}`,
        ])
      ).trim();
      return { mode: '040000', type: 'tree', sha, path: '' };
    }
    const out = await this.text(this.path(owner, name), [
      'ls-tree',
      '-l',
      '-z',
      commit,
      '--',
      path,
    ]);
    return parseTree(out, '')[0];
  }

  /** The entries directly inside a tree. */
  async list(
    owner: string,
    name: string,
    tree: string,
    directory: string,
  ): Promise<TreeEntry[]> {
    const out = await this.text(this.path(owner, name), [
      'ls-tree',
      '-l',
      '-z',
      tree,
    ]);
    return parseTree(out, directory);
  }

  /** Every entry below a tree, directories included, with paths from that tree. */
  async walk(owner: string, name: string, tree: string): Promise<TreeEntry[]> {
    const out = await this.text(this.path(owner, name), [
      'ls-tree',
      '-r',
      '-t',
      '-l',
      '-z',
      tree,
    ]);
    return parseTree(out, '');
  }

  /** `blob`, `tree`, `commit` or `tag` for an object id in the repository, undefined when absent. */
  async objectType(
    owner: string,
    name: string,
    sha: string,
  ): Promise<string | undefined> {
    if (!/^[0-9a-f]{40}$/.test(sha)) return undefined;
    const { stdout, code } = await this.run(
      this.path(owner, name),
      ['cat-file', '-t', sha],
      { okCodes: [128] },
    );
    return code === 0 ? stdout.toString('utf8').trim() : undefined;
  }

  /**
   * A commit's files as `git archive` writes them, streamed rather than
   * buffered; the stream fails if git does.
   */
  archive(
    owner: string,
    name: string,
    commit: string,
    format: 'tar.gz' | 'zip',
    prefix: string,
  ): Readable {
    const child = spawn(
      'git',
      [
        'archive',
        `--format=${format}`,
        `--prefix=${prefix}`,
        '--end-of-options',
        commit,
      ],
      { cwd: this.path(owner, name), env: gitEnv() },
    );
    // Ends only once git has exited, so a failure reaches the reader as an error, not a short archive.
    const out = new PassThrough();
    child.stdout.pipe(out, { end: false });
    const err: Buffer[] = [];
    child.stderr.on('data', chunk => err.push(chunk));
    child.on('error', error => out.destroy(error));
    child.on('close', code => {
      if (code === 0) {
        out.end();
        return;
      }
      const stderr = Buffer.concat(err).toString('utf8');
      out.destroy(
        new GitError(`git archive failed: ${stderr.trim()}`, code, stderr),
      );
    });
    return out;
  }

  async blob(owner: string, name: string, sha: string): Promise<Buffer> {
    return (await this.run(this.path(owner, name), ['cat-file', 'blob', sha]))
      .stdout;
  }

  /**
   * Writes one commit on a branch (creating the branch if needed) with
   * `git fast-import`, which builds all blobs and trees in one process.
   * A new branch starts from `startFrom` (a commit), or as a new root.
   * The author is also the committer, at the same time. Returns the new
   * commit's sha.
   */
  async commit(
    owner: string,
    name: string,
    branch: string,
    changes: FileChanges,
    message: string,
    author: GitSignature,
    startFrom?: string,
  ): Promise<string> {
    const dir = this.path(owner, name);
    const parent =
      (await this.resolve(owner, name, `refs/heads/${branch}`)) ?? startFrom;
    const seconds = Math.floor((author.date ?? new Date()).getTime() / 1000);
    const when = `${seconds} +0000`;
    const parts: Buffer[] = [];
    const line = (text: string) => parts.push(Buffer.from(`${text}\n`, 'utf8'));
    const data = (bytes: Buffer) => {
      line(`data ${bytes.length}`);
      parts.push(bytes);
      line('');
    };
    line(`commit refs/heads/${branch}`);
    line(`author ${author.name} <${author.email}> ${when}`);
    line(`committer ${author.name} <${author.email}> ${when}`);
    data(Buffer.from(message, 'utf8'));
    if (parent) line(`from ${parent}`);
    for (const [path, content] of Object.entries(changes)) {
      const quoted = JSON.stringify(path.replace(/^\/+/, ''));
      if (content === null) {
        line(`D ${quoted}`);
      } else {
        line(`M 100644 inline ${quoted}`);
        data(Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'));
      }
    }
    line('done');
    await this.run(dir, ['fast-import', '--quiet', '--done'], {
      input: Buffer.concat(parts),
    });
    return (await this.resolve(owner, name, `refs/heads/${branch}`))!;
  }

  /**
   * The tree of merging `theirs` into `ours`, or undefined when they
   * conflict (`git merge-tree --write-tree` exits 1 then).
   */
  async mergeTree(
    owner: string,
    name: string,
    ours: string,
    theirs: string,
  ): Promise<string | undefined> {
    const { stdout, code } = await this.run(
      this.path(owner, name),
      ['merge-tree', '--write-tree', '--no-messages', ours, theirs],
      { okCodes: [1] },
    );
    return code === 0
      ? stdout.toString('utf8').split('\n')[0].trim()
      : undefined;
  }

  /**
   * Records a commit of a tree with the given parents and moves the branch to
   * it, provided the branch still points at its first parent.
   */
  async commitTree(
    owner: string,
    name: string,
    branch: string,
    tree: string,
    parents: string[],
    message: string,
    author: GitIdentity,
  ): Promise<string> {
    const dir = this.path(owner, name);
    const identity = {
      GIT_AUTHOR_NAME: author.name,
      GIT_AUTHOR_EMAIL: author.email,
      GIT_COMMITTER_NAME: author.name,
      GIT_COMMITTER_EMAIL: author.email,
    };
    const args = ['commit-tree', tree, ...parents.flatMap(p => ['-p', p])];
    const sha = (
      await this.run(dir, args, { input: message, env: identity })
    ).stdout
      .toString('utf8')
      .trim();
    await this.run(dir, [
      'update-ref',
      `refs/heads/${branch}`,
      sha,
      parents[0],
    ]);
    return sha;
  }

  /** Stores a blob and returns its sha (`POST git/blobs`). */
  async writeBlob(owner: string, name: string, bytes: Buffer): Promise<string> {
    return (
      await this.text(
        this.path(owner, name),
        ['hash-object', '-w', '--stdin'],
        bytes,
      )
    ).trim();
  }

  /**
   * Writes a tree: `base` (a tree sha, or none for an empty one) with entries set or removed by
   * path, nested paths included (`POST git/trees`). Built in a scratch index, as `git` itself
   * would, so the repository's own index and refs are untouched.
   */
  async writeTree(
    owner: string,
    name: string,
    base: string | undefined,
    entries: { path: string; mode: string; sha: string | null }[],
  ): Promise<string> {
    const dir = this.path(owner, name);
    const scratch = await mkdtemp(join(tmpdir(), 'stand-in-index-'));
    // update-index wants a work tree, though it never reads one with --cacheinfo.
    const env = {
      GIT_INDEX_FILE: join(scratch, 'index'),
      GIT_WORK_TREE: scratch,
    };
    try {
      await this.run(
        dir,
        base ? ['read-tree', base] : ['read-tree', '--empty'],
        {
          env,
        },
      );
      for (const entry of entries) {
        await this.run(
          dir,
          entry.sha === null
            ? ['update-index', '--force-remove', '--', entry.path]
            : [
                'update-index',
                '--add',
                '--cacheinfo',
                `${entry.mode},${entry.sha},${entry.path}`,
              ],
          { env },
        );
      }
      return (await this.text(dir, ['write-tree'], undefined, env)).trim();
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  /** Records a commit without moving any ref (`POST git/commits`); returns its sha. */
  async writeCommit(
    owner: string,
    name: string,
    tree: string,
    parents: string[],
    message: string,
    author: GitSignature,
  ): Promise<string> {
    const date = `${Math.floor(
      (author.date ?? new Date()).getTime() / 1000,
    )} +0000`;
    const env = {
      GIT_AUTHOR_NAME: author.name,
      GIT_AUTHOR_EMAIL: author.email,
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_NAME: author.name,
      GIT_COMMITTER_EMAIL: author.email,
      GIT_COMMITTER_DATE: date,
    };
    return (
      await this.text(
        this.path(owner, name),
        ['commit-tree', tree, ...parents.flatMap(p => ['-p', p])],
        message,
        env,
      )
    ).trim();
  }

  /**
   * Moves an existing ref to a commit (`PATCH git/refs`): only forward unless `force`. Answers
   * what happened, so the API can say why it refused.
   */
  async moveRef(
    owner: string,
    name: string,
    ref: string,
    sha: string,
    force: boolean,
  ): Promise<'moved' | 'missing' | 'not-fast-forward'> {
    const dir = this.path(owner, name);
    const current = await this.ref(owner, name, ref);
    if (!current) return 'missing';
    if (!force) {
      const { code } = await this.run(
        dir,
        ['merge-base', '--is-ancestor', current.sha, sha],
        { okCodes: [1] },
      );
      if (code !== 0) return 'not-fast-forward';
    }
    await this.run(dir, ['update-ref', ref, sha, current.sha]);
    return 'moved';
  }

  /**
   * Creates a fully named ref (e.g. `refs/heads/feature`) at a commit; false when the ref
   * already exists (`update-ref` with an empty old value refuses to overwrite).
   */
  async createRef(
    owner: string,
    name: string,
    ref: string,
    sha: string,
  ): Promise<boolean> {
    const { code } = await this.run(
      this.path(owner, name),
      ['update-ref', ref, sha, ''],
      { okCodes: [1, 128] },
    );
    return code === 0;
  }

  /** The object a fully named ref (e.g. `refs/heads/main`) points at, matched exactly. */
  async ref(
    owner: string,
    name: string,
    ref: string,
  ): Promise<{ sha: string; type: string } | undefined> {
    const out = await this.text(this.path(owner, name), [
      'for-each-ref',
      '--format=%(refname)%00%(objectname)%00%(objecttype)',
      ref,
    ]);
    const line = out.split('\n').find(l => l.startsWith(`${ref}\x00`));
    if (!line) return undefined;
    const [, sha, type] = line.split(FIELD);
    return { sha, type };
  }

  /** Every file path in a commit's tree, sorted as git lists them. */
  async files(owner: string, name: string, commit: string): Promise<string[]> {
    const out = await this.text(this.path(owner, name), [
      'ls-tree',
      '-r',
      '-z',
      '--name-only',
      commit,
    ]);
    return out.split('\x00').filter(Boolean);
  }

  /** What a commit changed, as `git show --stat --patch` prints it without the header. */
  async changes(owner: string, name: string, sha: string): Promise<string> {
    return this.text(this.path(owner, name), [
      'show',
      '--stat',
      '--patch',
      '--format=',
      '--no-color',
      '--end-of-options',
      sha,
      '--',
    ]);
  }

  /** Lines added and removed and files changed between a merge base and a commit (`base...head`). */
  async diffStat(
    owner: string,
    name: string,
    base: string,
    head: string,
  ): Promise<{ additions: number; deletions: number; files: number }> {
    const out = await this.text(this.path(owner, name), [
      'diff',
      '--numstat',
      `${base}...${head}`,
      '--',
    ]);
    const stat = { additions: 0, deletions: 0, files: 0 };
    for (const line of out.split('\n').filter(Boolean)) {
      const [added, removed] = line.split('\t');
      // Binary files show "-" for both counts.
      stat.additions += Number(added) || 0;
      stat.deletions += Number(removed) || 0;
      stat.files += 1;
    }
    return stat;
  }
}

/** Parses `git ls-tree -l -z` output, prefixing each name with a directory. */
function parseTree(out: string, directory: string): TreeEntry[] {
  return out
    .split('\x00')
    .filter(Boolean)
    .map(record => {
      const tab = record.indexOf('\t');
      const [mode, type, sha, size] = record.slice(0, tab).split(/\s+/);
      const name = record.slice(tab + 1);
      return {
        mode,
        type: type as TreeEntry['type'],
        sha,
        size: size === '-' ? undefined : Number(size),
        path: directory ? `${directory}/${name}` : name,
      };
    });
}
