/*
 * Starts a stand-in in a scratch directory and gives Octokit clients whose
 * every response, success or error, is checked against GitHub's OpenAPI
 * description.
 */
import { Octokit } from '@octokit/rest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GitHubStandIn,
  GitHubStandInOptions,
  startGitHubStandIn,
} from '../server';
import { OpenApiChecker } from './openApiChecker';

export interface TestGitHub {
  standIn: GitHubStandIn;
  dataDir: string;
  /** An Octokit whose responses are all schema-checked. */
  client(token: string): Octokit;
  stop(): Promise<void>;
}

export async function startTestGitHub(
  checker: OpenApiChecker,
  options: Omit<GitHubStandInOptions, 'dataDir'>,
): Promise<TestGitHub> {
  const dataDir = await mkdtemp(join(tmpdir(), 'github-stand-in-'));
  const standIn = await startGitHubStandIn({ ...options, dataDir });
  const apiPath = new URL(standIn.apiUrl).pathname;

  const check = (
    url: string,
    method: string,
    status: number,
    headers: Record<string, unknown>,
    data: unknown,
  ) => {
    // Raw media types return file bytes, not JSON documents.
    if (!String(headers['content-type'] ?? '').startsWith('application/json'))
      return;
    const path = new URL(url).pathname.slice(apiPath.length);
    checker.check(method, path, status, data);
  };

  const client = (token: string) => {
    const octokit = new Octokit({ auth: token, baseUrl: standIn.apiUrl });
    octokit.hook.wrap('request', async (request, requestOptions) => {
      try {
        const response = await request(requestOptions);
        check(
          response.url,
          requestOptions.method,
          response.status,
          response.headers,
          response.data,
        );
        return response;
      } catch (error: any) {
        if (error?.response) {
          check(
            error.response.url,
            requestOptions.method,
            error.status,
            error.response.headers,
            error.response.data,
          );
        }
        throw error;
      }
    });
    return octokit;
  };

  return {
    standIn,
    dataDir,
    client,
    stop: async () => {
      await standIn.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
