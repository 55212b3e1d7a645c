/*
 * How a REST endpoint is declared: its method, its path under /api/v3, the
 * page of GitHub's docs that error bodies point at, and a handler that
 * answers from the model.
 */
import { Account } from './model';
import { GitIdentity } from './repoStore';

export type MediaParam = 'json' | 'raw' | 'object';

export interface Context {
  params: Record<string, string>;
  query: URLSearchParams;
  /** Path of the request below the API prefix, e.g. /orgs/acme/repos. */
  path: string;
  user: Account;
  identity: GitIdentity;
  media: MediaParam;
  body(): Promise<Record<string, unknown>>;
}

export interface Reply {
  status: number;
  body?: unknown;
  /** Bytes to send instead of JSON, e.g. for the raw media type. */
  raw?: Buffer;
  headers?: Record<string, string>;
}

export interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  docs: string;
  handle(ctx: Context): Promise<Reply>;
}

const DOCS = 'https://docs.github.com/rest';

/**
 * `:name` matches one path segment; `*name` matches the rest of the path,
 * slashes included (file paths, refs and branch names may contain them).
 */
export function route(
  method: string,
  template: string,
  docs: string,
  handle: Route['handle'],
): Route {
  const names: string[] = [];
  const source = template.replace(
    /([:*])(\w+)/g,
    (_, kind: string, name: string) => {
      names.push(name);
      return kind === ':' ? '([^/]+)' : '(.*)';
    },
  );
  return {
    method,
    pattern: new RegExp(`^${source}/?$`),
    names,
    docs: `${DOCS}/${docs}`,
    handle,
  };
}

export const ok = (body: unknown, headers?: Record<string, string>): Reply => ({
  status: 200,
  body,
  headers,
});
