/*
 * Git's smart HTTP protocol, served by running `git http-backend` as a CGI
 * program for each request: the request body streams into it and its
 * output (CGI headers, then the body) streams back out.
 */
import { execFileSync, spawn } from 'node:child_process';
import { IncomingMessage, ServerResponse } from 'node:http';

export interface GitRequest {
  projectRoot: string;
  /** e.g. /acme/web.git/info/refs, with canonical owner and repository names. */
  pathInfo: string;
  query: string;
  remoteUser: string;
}

// git installs its helper programs in a folder that differs by system and package manager.
const BACKEND = `${execFileSync('git', ['--exec-path'], {
  encoding: 'utf8',
}).trim()}/git-http-backend`;

/** Runs one request through git http-backend; resolves when the response is sent. */
export function serveGit(
  req: IncomingMessage,
  res: ServerResponse,
  request: GitRequest,
): Promise<void> {
  return new Promise(resolve => {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_PROJECT_ROOT: request.projectRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: request.pathInfo,
      REQUEST_METHOD: req.method ?? 'GET',
      QUERY_STRING: request.query,
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_USER: request.remoteUser,
      REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    };
    if (req.headers['content-length'])
      env.CONTENT_LENGTH = req.headers['content-length'];
    // git gzips large request bodies; http-backend inflates them when told.
    if (req.headers['content-encoding'])
      env.HTTP_CONTENT_ENCODING = req.headers['content-encoding'];
    // Protocol v2 is negotiated through this header.
    const protocol = req.headers['git-protocol'];
    if (typeof protocol === 'string') env.GIT_PROTOCOL = protocol;

    const child = spawn(BACKEND, [], { env });
    child.on('error', error => {
      if (!res.headersSent)
        res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`cannot run git http-backend: ${error.message}`);
      resolve();
    });
    req.pipe(child.stdin);
    child.stdin.on('error', () => {
      // The backend may stop reading early on a bad request; its output says why.
    });

    let head = Buffer.alloc(0);
    let headersSent = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersSent) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const match = /\r?\n\r?\n/.exec(head.toString('latin1'));
      if (!match) return;
      const headerText = head.subarray(0, match.index).toString('latin1');
      const rest = head.subarray(match.index + match[0].length);
      let status = 200;
      for (const line of headerText.split(/\r?\n/)) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = parseInt(value, 10);
        else res.setHeader(name, value);
      }
      res.writeHead(status);
      headersSent = true;
      res.write(rest);
    });
    const stderr: Buffer[] = [];
    child.stderr.on('data', chunk => stderr.push(chunk));
    child.on('close', code => {
      if (res.writableEnded) return;
      if (!headersSent) {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.write(
          `git http-backend exited with ${code}: ${Buffer.concat(stderr)}`,
        );
      }
      res.end();
      resolve();
    });
  });
}
