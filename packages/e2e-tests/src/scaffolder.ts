// Runs software templates through a running portal's real scaffolder over HTTP, as the Create
// page does, and reads what the sandbox then holds: the repository on the GitHub stand-in, the
// Argo CD Application on a cluster.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { parse } from 'yaml';

export interface TaskEvent {
  type: 'log' | 'completion' | 'cancelled' | 'recovered';
  createdAt: string;
  body: {
    message: string;
    stepId?: string;
    status?: string;
    output?: {
      links?: Array<{ title?: string; url?: string; entityRef?: string }>;
    };
  };
}

export interface TaskRun {
  id: string;
  status: 'completed' | 'failed' | 'cancelled';
  events: TaskEvent[];
  /** When the task was submitted and when its completion event was written. */
  submittedAt: number;
  finishedAt: number;
  /** The message of the failed step, for failed tasks. */
  error?: string;
  log: string;
}

/** POSTs a task; answers the scaffolder's status and body when it refuses to start one. */
export async function submitTask(
  baseUrl: string,
  token: string,
  templateRef: string,
  values: Record<string, unknown>,
): Promise<{ status: number; id?: string; error?: string }> {
  const res = await fetch(`${baseUrl}/api/scaffolder/v2/tasks`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify({ templateRef, values }),
  });
  const body = (await res.json().catch(() => ({}))) as any;
  return {
    status: res.status,
    id: body.id,
    error:
      body.error?.message ??
      body.errors?.map((e: any) => e.stack ?? e.message).join('; '),
  };
}

/** Runs a template to its end and returns its events; throws when the task cannot start. */
export async function runTemplate(
  baseUrl: string,
  token: string,
  templateRef: string,
  values: Record<string, unknown>,
  timeoutMs = 180_000,
): Promise<TaskRun> {
  const submittedAt = Date.now();
  const submitted = await submitTask(baseUrl, token, templateRef, values);
  if (submitted.status !== 201 || !submitted.id) {
    throw new Error(
      `the scaffolder refused ${templateRef}: ${submitted.status} ${submitted.error}`,
    );
  }
  return waitForTask(baseUrl, token, submitted.id, submittedAt, timeoutMs);
}

export async function waitForTask(
  baseUrl: string,
  token: string,
  id: string,
  submittedAt: number,
  timeoutMs = 180_000,
): Promise<TaskRun> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${baseUrl}/api/scaffolder/v2/tasks/${id}/events`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    if (!res.ok) {
      throw new Error(`task ${id} events: ${res.status} ${await res.text()}`);
    }
    const events = (await res.json()) as TaskEvent[];
    const end = events.find(
      e => e.type === 'completion' || e.type === 'cancelled',
    );
    if (end) {
      const finishedAt = Date.now();
      // The task's own status says how it ended; the completion event only says that it did.
      const task = await fetch(`${baseUrl}/api/scaffolder/v2/tasks/${id}`, {
        headers: { Authorization: `Bearer ${token}` },
      }).then(r => r.json() as Promise<{ status: TaskRun['status'] }>);
      const log = events.map(e => e.body.message).join('\n');
      return {
        id,
        status: task.status,
        events,
        submittedAt,
        finishedAt,
        error: task.status === 'failed' ? end.body.message : undefined,
        log,
      };
    }
    if (Date.now() > deadline) {
      throw new Error(
        `task ${id} not finished after ${timeoutMs / 1000} s:\n${events
          .map(e => e.body.message)
          .join('\n')}`,
      );
    }
    await new Promise(r => setTimeout(r, 250));
  }
}

/** What the sandbox's overlay says about the GitHub stand-in and where templates publish. */
export interface SandboxGitHub {
  apiUrl: string;
  token: string;
  owner: string;
  cloneUrl(repo: string): string;
  /** The repository as GitHub's API answers, or undefined when it does not exist. */
  repo(name: string): Promise<Record<string, any> | undefined>;
  get(path: string): Promise<{ status: number; body: any }>;
  post(path: string, body: unknown): Promise<{ status: number; body: any }>;
  put(path: string, body: unknown): Promise<{ status: number; body: any }>;
  delete(path: string, body: unknown): Promise<{ status: number; body: any }>;
}

export function sandboxGitHub(configFile: string): SandboxGitHub {
  const config = parse(readFileSync(configFile, 'utf8'));
  const integration = config.integrations.github[0];
  const repository = config.paved.goldenPaths.repository;
  const apiUrl = integration.apiBaseUrl as string;
  const token = integration.token as string;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${apiUrl}${path}`, {
      method,
      headers: {
        Authorization: `token ${token}`,
        ...(body ? { 'Content-Type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  return {
    apiUrl,
    token,
    owner: repository.owner,
    cloneUrl(repo) {
      const url = new URL(
        `${repository.cloneUrlBase}/${repository.owner}/${repo}.git`,
      );
      url.username = 'x-access-token';
      url.password = token;
      return url.toString();
    },
    async repo(name) {
      const res = await call('GET', `/repos/${repository.owner}/${name}`);
      return res.status === 200 ? res.body : undefined;
    },
    get: path => call('GET', path),
    post: (path, body) => call('POST', path, body),
    put: (path, body) => call('PUT', path, body),
    delete: (path, body) => call('DELETE', path, body),
  };
}

/** An Argo CD Application on a sandbox cluster, read with kubectl, or undefined. */
export async function argoApplication(
  kubeconfigFile: string,
  context: string,
  name: string,
): Promise<Record<string, any> | undefined> {
  try {
    const { stdout } = await promisify(execFile)('kubectl', [
      '--kubeconfig',
      kubeconfigFile,
      '--context',
      context,
      'get',
      'applications.argoproj.io',
      '-n',
      'argocd',
      name,
      '-o',
      'json',
    ]);
    return JSON.parse(stdout);
  } catch (error) {
    if (/NotFound|not found/.test(String((error as any).stderr ?? error))) {
      return undefined;
    }
    throw error;
  }
}
