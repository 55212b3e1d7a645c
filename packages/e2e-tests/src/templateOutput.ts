// Proves that a repository generated from a golden-path template works, by running in its clone
// what its own CI and Paved's portal would: npm install/lint/test/build, kustomize + Kubernetes
// schemas + Paved's workload rules, Argo CD Applications, the catalog's validators, the TechDocs
// generator, and a Dockerfile lint. Every failed check is collected into one error.
//
// Paved's Dockerfile rules (on top of dockerfile-utils' validator with every rule raised to error):
// - At least two stages: compilers and devDependencies stay out of the image that runs.
// - Every FROM names a tag or digest, never `latest`: a rebuild must not change the base silently.
// - The final stage sets USER to someone other than root/0: a compromised process must not own
//   the container (and Kubernetes' runAsNonRoot refuses root images).
// - No ADD of URLs: downloads in a build are unverified and defeat the layer cache.
// - The final stage EXPOSEs a port: it documents what the Service must target.
// - Dependencies come from `npm ci`, never `npm install`: only the committed lockfile is installed.
// - .dockerignore lists node_modules and .git: host binaries and history stay out of the context.
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import {
  basename,
  dirname,
  isAbsolute,
  join,
  relative,
  resolve,
} from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import {
  apiEntityV1alpha1Validator,
  componentEntityV1alpha1Validator,
  DefaultNamespaceEntityPolicy,
  domainEntityV1alpha1Validator,
  EntityPolicies,
  FieldFormatEntityPolicy,
  groupEntityV1alpha1Validator,
  locationEntityV1alpha1Validator,
  makeValidator,
  NoForeignRootFieldsEntityPolicy,
  resourceEntityV1alpha1Validator,
  SchemaValidEntityPolicy,
  systemEntityV1alpha1Validator,
  userEntityV1alpha1Validator,
  type Entity,
} from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import {
  TechdocsGenerator,
  type GeneratorRunOptions,
} from '@backstage/plugin-techdocs-node';
import { validate as validateDockerfile } from 'dockerfile-utils';
import { parse, parseAllDocuments } from 'yaml';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');

export type WorkloadKind = 'service' | 'website';

/** Every check by id, with its title, in report order. */
export const templateChecks = {
  npm: 'npm ci, lint, test, build',
  kubernetes: 'Kubernetes manifests',
  argocd: 'Argo CD Applications',
  catalog: 'catalog-info.yaml',
  techdocs: 'TechDocs',
  dockerfile: 'Dockerfile',
} as const;
export type TemplateCheck = keyof typeof templateChecks;

export interface TemplateOutputOptions {
  /** The `values.name` the repository was generated with. */
  name: string;
  /** `service` (REST API, provides an OpenAPI API entity) or `website`. */
  kind: WorkloadKind;
  /** Runs only these checks (default: all), e.g. to iterate on one part of a skeleton. */
  only?: TemplateCheck[];
  log?: (line: string) => void;
}

export interface CheckTiming {
  check: TemplateCheck;
  ok: boolean;
  durationMs: number;
}

export interface TemplateOutputReport {
  checks: CheckTiming[];
  /** Duration of each npm command that ran, e.g. `npm ci`. */
  npmSteps: Record<string, number>;
  overlays: string[];
  /** Kubernetes objects rendered from all overlays and validated against their schemas. */
  manifestsValidated: number;
  argoApplications: number;
  entitiesValidated: number;
  /** Pages of the nav found in the TechDocs output. */
  docsPagesBuilt: number;
  dockerfileStages: number;
  totalMs: number;
}

export interface CheckFailure {
  check: TemplateCheck;
  problems: string[];
  /** The end of the failing tool's own output. */
  output?: string;
}

/** Thrown with every failed check; `report` holds what was measured anyway. */
export class TemplateOutputError extends Error {
  readonly failures: CheckFailure[];
  readonly report: TemplateOutputReport;

  constructor(failures: CheckFailure[], report: TemplateOutputReport) {
    super(
      [
        `${failures.length} of ${report.checks.length} template output checks failed:`,
        ...failures.map(formatFailure),
      ].join('\n\n'),
    );
    this.name = 'TemplateOutputError';
    this.failures = failures;
    this.report = report;
  }
}

function formatFailure(failure: CheckFailure): string {
  const lines = [
    `✗ ${templateChecks[failure.check]}`,
    ...failure.problems.map(p => `  - ${p}`),
  ];
  if (failure.output) {
    lines.push('  output (tail):', indent(failure.output, '    | '));
  }
  return lines.join('\n');
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map(line => prefix + line)
    .join('\n');
}

/** What one check found; `outputs` collects the tails of tools that failed. */
class Findings {
  readonly problems: string[] = [];
  readonly outputs: string[] = [];

  add(problem: string, output?: string) {
    this.problems.push(problem);
    if (output) this.outputs.push(output);
  }
}

/**
 * Runs every check in the repository cloned at `dir` and resolves to a report, or rejects with
 * one {@link TemplateOutputError} naming each failed check with the tool's own output.
 */
export async function checkTemplateOutput(
  dir: string,
  options: TemplateOutputOptions,
): Promise<TemplateOutputReport> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  const report: TemplateOutputReport = {
    checks: [],
    npmSteps: {},
    overlays: [],
    manifestsValidated: 0,
    argoApplications: 0,
    entitiesValidated: 0,
    docsPagesBuilt: 0,
    dockerfileStages: 0,
    totalMs: 0,
  };
  const repo = { dir, ...options, report };
  const runners: Record<TemplateCheck, (findings: Findings) => Promise<void>> =
    {
      npm: f => checkNpm(repo, f),
      kubernetes: f => checkKubernetes(repo, f),
      argocd: f => checkArgoCd(repo, f),
      catalog: f => checkCatalog(repo, f),
      techdocs: f => checkTechDocs(repo, f),
      dockerfile: f => checkDockerfile(repo, f),
    };
  const order = Object.keys(templateChecks) as TemplateCheck[];
  const selected = order.filter(check => options.only?.includes(check) ?? true);

  // npm dominates the time and uses one core; the other checks share the second one.
  const failures: CheckFailure[] = [];
  await Promise.all(
    selected.map(async check => {
      const findings = new Findings();
      const checkStarted = Date.now();
      try {
        await runners[check](findings);
      } catch (error) {
        findings.add(`check crashed: ${(error as Error).stack ?? error}`);
      }
      const durationMs = Date.now() - checkStarted;
      const ok = findings.problems.length === 0;
      report.checks.push({ check, ok, durationMs });
      log(
        `${ok ? '✓' : '✗'} ${templateChecks[check]} (${seconds(durationMs)})`,
      );
      if (!ok) {
        failures.push({
          check,
          problems: findings.problems,
          output: findings.outputs.join('\n…\n') || undefined,
        });
      }
    }),
  );
  const byOrder = (a: { check: TemplateCheck }, b: { check: TemplateCheck }) =>
    order.indexOf(a.check) - order.indexOf(b.check);
  report.checks.sort(byOrder);
  failures.sort(byOrder);
  report.totalMs = Date.now() - started;
  if (failures.length > 0) {
    throw new TemplateOutputError(failures, report);
  }
  return report;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** The report as one line per check (time and what it covered), then the total. */
export function formatReport(report: TemplateOutputReport): string {
  const covered: Record<TemplateCheck, string> = {
    npm: Object.entries(report.npmSteps)
      .map(([step, ms]) => `${step} ${seconds(ms)}`)
      .join(', '),
    kubernetes: `${
      report.manifestsValidated
    } objects from ${report.overlays.join(', ')}`,
    argocd: `${report.argoApplications} Applications`,
    catalog: `${report.entitiesValidated} entities`,
    techdocs: `${report.docsPagesBuilt} nav pages built`,
    dockerfile: `${report.dockerfileStages} stages`,
  };
  const width = Math.max(
    ...report.checks.map(c => templateChecks[c.check].length),
  );
  return [
    ...report.checks.map(c =>
      [
        c.ok ? '✓' : '✗',
        templateChecks[c.check].padEnd(width),
        seconds(c.durationMs).padStart(7),
        ` ${covered[c.check]}`,
      ].join(' '),
    ),
    `  total ${seconds(report.totalMs)}`,
  ].join('\n');
}

interface GeneratedRepo extends TemplateOutputOptions {
  dir: string;
  report: TemplateOutputReport;
}

// ---------------------------------------------------------------------------------------------
// Running tools

interface ToolResult {
  code: number | null;
  output: string;
  durationMs: number;
}

const outputLimit = 256 * 1024;

function runTool(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<ToolResult> {
  const started = Date.now();
  return new Promise(resolveResult => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs,
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-outputLimit);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', error => {
      output += `\n${error.message}`;
    });
    child.on('close', (code, signal) => {
      if (signal)
        output += `\n(stopped by ${signal} after ${options.timeoutMs} ms)`;
      resolveResult({ code, output, durationMs: Date.now() - started });
    });
  });
}

function stripColours(text: string): string {
  return text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
}

/** The last lines of a tool's output, without colour codes, for an error message. */
function tail(output: string, count = 40): string {
  return excerpt(stripColours(output).trimEnd().split('\n').slice(-count));
}

function excerpt(lines: string[]): string {
  return lines
    .map(line => (line.length > 400 ? `${line.slice(0, 400)}…` : line))
    .join('\n');
}

// How test runners start a failure: node's TAP and spec reporters, vitest, jest.
const failureStart = /^\s*(not ok \d|✖|×|FAIL\s|●)/;

/**
 * The first reported failure and the end of the output. Node's TAP reporter (the default
 * without a terminal) prints a failure's details mid-stream, not in its final summary.
 */
function failureExcerpt(output: string): string {
  const lines = stripColours(output).trimEnd().split('\n');
  const first = lines.findIndex(line => failureStart.test(line));
  const tailStart = Math.max(0, lines.length - 40);
  if (first === -1 || first >= tailStart) return tail(output);
  return [
    excerpt(lines.slice(first, Math.min(first + 30, tailStart))),
    '…',
    tail(output),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// 1. npm ci, lint, test, build

async function checkNpm(repo: GeneratedRepo, findings: Findings) {
  const lockfile = await readJson(join(repo.dir, 'package-lock.json'));
  if (!lockfile) {
    findings.add('package-lock.json is missing or not JSON: `npm ci` needs it');
    return;
  }
  const withHost = Object.entries(
    (lockfile.packages ?? {}) as Record<string, { resolved?: string }>,
  ).filter(([, entry]) => /^[a-z+]+:\/\//i.test(entry.resolved ?? ''));
  if (withHost.length > 0) {
    findings.add(
      `package-lock.json names a registry host in ${withHost.length} "resolved" fields ` +
        `(first: ${withHost[0][0]} → ${withHost[0][1].resolved}); regenerate it with ` +
        '`npm install --omit-lockfile-registry-resolved`',
    );
  }

  // The registry comes from the user's npm config; the default cache (~/.npm) is reused.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CI: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  // Set when this runs under `node --test`: the repo's own `node --test` would then report to
  // a parent that is not listening instead of running its tests.
  delete env.NODE_TEST_CONTEXT;
  const npm = async (args: string[], timeoutMs: number) => {
    const step = `npm ${args.join(' ')}`;
    const result = await runTool('npm', args, {
      cwd: repo.dir,
      env,
      timeoutMs,
    });
    repo.report.npmSteps[step] = result.durationMs;
    if (result.code !== 0) {
      findings.add(
        `\`${step}\` failed (exit ${result.code ?? 'signal'})`,
        `$ ${step}\n${failureExcerpt(result.output)}`,
      );
      return false;
    }
    return true;
  };
  if (!(await npm(['ci'], 10 * 60_000))) return;
  // Each later step is independent of the others: run all so one CI run names every failure.
  for (const script of ['lint', 'test', 'build']) {
    await npm(['run', script], 5 * 60_000);
  }
}

// ---------------------------------------------------------------------------------------------
// 2. Kubernetes manifests

type KubeObject = {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
  };
  spec?: any;
};

type ModelClass = {
  apiVersion: string;
  kind: string;
  new (data: unknown): { validate(): void };
};

/** The kubernetes-models class for an apiVersion and kind, or undefined for an unknown kind. */
async function modelFor(
  apiVersion: string,
  kind: string,
): Promise<ModelClass | undefined> {
  if (
    !/^([a-z0-9.-]+\/)?v[a-z0-9]+$/.test(apiVersion) ||
    !/^[A-Za-z0-9]+$/.test(kind)
  ) {
    return undefined;
  }
  const pkg = apiVersion.startsWith('argoproj.io/')
    ? '@kubernetes-models/argo-cd'
    : 'kubernetes-models';
  try {
    const module = await import(`${pkg}/${apiVersion}/${kind}`);
    const model = module[kind] as ModelClass | undefined;
    // Nested types (e.g. v1/PodSpec) are modules too, but carry no apiVersion/kind of their own.
    return model?.apiVersion === apiVersion && model.kind === kind
      ? model
      : undefined;
  } catch {
    return undefined;
  }
}

/** Validates one object against its schema; returns the problem, if any. */
async function schemaProblem(object: KubeObject): Promise<string | undefined> {
  const id = describe(object);
  if (!object.apiVersion || !object.kind)
    return `${id} has no apiVersion or kind`;
  const model = await modelFor(object.apiVersion, object.kind);
  if (!model)
    return `${id}: unknown kind ${object.kind} in ${object.apiVersion}`;
  try {
    new model(object).validate();
    return undefined;
  } catch (error) {
    return `${id} does not match the ${object.apiVersion} ${
      object.kind
    } schema: ${(error as Error).message}`;
  }
}

function describe(object: KubeObject): string {
  return `${object.kind ?? '?'}/${object.metadata?.name ?? '?'}`;
}

async function overlayDirs(dir: string): Promise<string[]> {
  const root = join(dir, 'deploy/overlays');
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  return entries
    .filter(entry => entry.isDirectory())
    .map(entry => `deploy/overlays/${entry.name}`)
    .sort();
}

async function checkKubernetes(repo: GeneratedRepo, findings: Findings) {
  const overlays = await overlayDirs(repo.dir);
  repo.report.overlays = overlays;
  if (overlays.length === 0) {
    findings.add('no deploy/overlays/* directories to render');
    return;
  }
  const dockerUser = finalUser(await readDockerfile(repo.dir));
  for (const overlay of overlays) {
    const result = await runTool('kubectl', ['kustomize', overlay], {
      cwd: repo.dir,
      timeoutMs: 60_000,
    });
    if (result.code !== 0) {
      findings.add(
        `\`kubectl kustomize ${overlay}\` failed`,
        `$ kubectl kustomize ${overlay}\n${tail(result.output)}`,
      );
      continue;
    }
    const problems: string[] = [];
    const objects: KubeObject[] = yamlMappings(
      result.output,
      overlay,
      problems,
    );
    problems.forEach(problem => findings.add(problem));
    for (const object of objects) {
      const problem = await schemaProblem(object);
      if (problem) findings.add(`${overlay}: ${problem}`);
      repo.report.manifestsValidated += 1;
    }
    for (const problem of workloadProblems(objects, repo.name, dockerUser)) {
      findings.add(`${overlay}: ${problem}`);
    }
  }
}

/** Paved's rules for the rendered workload of one overlay. */
function workloadProblems(
  objects: KubeObject[],
  name: string,
  dockerUser: string | undefined,
): string[] {
  const problems: string[] = [];
  const deployment = objects.find(
    o => o.kind === 'Deployment' && o.metadata?.name === name,
  );
  if (!deployment) return [`no Deployment named ${name}`];
  const pod = deployment.spec?.template ?? {};
  const podLabels: Record<string, string> = pod.metadata?.labels ?? {};
  const namespace = deployment.metadata?.namespace;

  if (podLabels['backstage.io/kubernetes-id'] !== name) {
    problems.push(
      `the Deployment's pod template lacks the label backstage.io/kubernetes-id: ${name} ` +
        "(Backstage's Kubernetes tab finds the pods by it)",
    );
  }
  const containers: any[] = pod.spec?.containers ?? [];
  const podSecurity = pod.spec?.securityContext ?? {};
  for (const container of containers) {
    const where = `container ${container.name}`;
    if (!container.livenessProbe)
      problems.push(`${where} has no livenessProbe`);
    if (!container.readinessProbe)
      problems.push(`${where} has no readinessProbe`);
    for (const bound of ['requests', 'limits']) {
      for (const resource of ['cpu', 'memory']) {
        if (container.resources?.[bound]?.[resource] === undefined) {
          problems.push(`${where} sets no resources.${bound}.${resource}`);
        }
      }
    }
    const security = { ...podSecurity, ...container.securityContext };
    if (security.runAsNonRoot !== true) {
      problems.push(
        `${where} does not set runAsNonRoot: true (pod or container securityContext)`,
      );
    } else if (
      security.runAsUser === undefined &&
      dockerUser !== undefined &&
      !/^\d+(:\d+)?$/.test(dockerUser)
    ) {
      // The kubelet cannot prove a user name is not root and refuses to start the pod.
      problems.push(
        `${where} has runAsNonRoot but no runAsUser, and the image's USER "${dockerUser}" is not ` +
          'numeric: the kubelet would refuse to start it (CreateContainerConfigError)',
      );
    }
  }

  const selects = (selector: any) => labelSelectorMatches(selector, podLabels);
  const companion = (
    kind: string,
    matches: (o: KubeObject) => boolean,
    what: string,
  ) => {
    const candidates = objects.filter(o => o.kind === kind);
    if (candidates.length === 0) {
      problems.push(`no ${kind}`);
    } else if (
      !candidates.some(o => matches(o) && o.metadata?.namespace === namespace)
    ) {
      problems.push(
        `no ${kind} in the Deployment's namespace ${what} (found ${candidates
          .map(describe)
          .join(', ')})`,
      );
    }
  };
  companion(
    'Service',
    o => selects({ matchLabels: o.spec?.selector }),
    "whose selector matches the Deployment's pods",
  );
  companion(
    'HorizontalPodAutoscaler',
    o =>
      o.spec?.scaleTargetRef?.kind === 'Deployment' &&
      o.spec?.scaleTargetRef?.name === name,
    `scaling Deployment/${name}`,
  );
  companion(
    'PodDisruptionBudget',
    o => selects(o.spec?.selector),
    "whose selector matches the Deployment's pods",
  );
  companion(
    'NetworkPolicy',
    o => selects(o.spec?.podSelector),
    "whose podSelector matches the Deployment's pods",
  );
  return problems;
}

/** Kubernetes label selector semantics; an empty selector counts as not selecting this workload. */
function labelSelectorMatches(
  selector:
    | { matchLabels?: Record<string, string>; matchExpressions?: any[] }
    | undefined,
  labels: Record<string, string>,
): boolean {
  const matchLabels = Object.entries(selector?.matchLabels ?? {});
  const expressions = selector?.matchExpressions ?? [];
  if (matchLabels.length === 0 && expressions.length === 0) return false;
  return (
    matchLabels.every(([key, value]) => labels[key] === value) &&
    expressions.every(({ key, operator, values = [] }) => {
      switch (operator) {
        case 'In':
          return key in labels && values.includes(labels[key]);
        case 'NotIn':
          return !(key in labels) || !values.includes(labels[key]);
        case 'Exists':
          return key in labels;
        case 'DoesNotExist':
          return !(key in labels);
        default:
          return false;
      }
    })
  );
}

// ---------------------------------------------------------------------------------------------
// 3. Argo CD Applications

async function checkArgoCd(repo: GeneratedRepo, findings: Findings) {
  const files = (await readdir(join(repo.dir, 'argocd')).catch(() => []))
    .filter(file => /\.ya?ml$/.test(file))
    .sort();
  if (files.length === 0) {
    findings.add('no argocd/*.yaml Application files');
    return;
  }
  const appName = (await readCatalog(repo.dir)).entities.find(
    e => e.kind === 'Component',
  )?.metadata?.annotations?.['argocd/app-name'];
  if (!appName) {
    findings.add(
      'catalog-info.yaml has no Component with an argocd/app-name annotation to compare with',
    );
  }
  for (const file of files) {
    const where = `argocd/${file}`;
    const text = await readFile(join(repo.dir, 'argocd', file), 'utf8');
    const problems: string[] = [];
    const apps: KubeObject[] = yamlMappings(text, where, problems);
    problems.forEach(problem => findings.add(problem));
    for (const app of apps) {
      repo.report.argoApplications += 1;
      if (
        app.apiVersion !== 'argoproj.io/v1alpha1' ||
        app.kind !== 'Application'
      ) {
        findings.add(
          `${where}: expected an argoproj.io/v1alpha1 Application, found ${app.apiVersion} ${app.kind}`,
        );
        continue;
      }
      const problem = await schemaProblem(app);
      if (problem) findings.add(`${where}: ${problem}`);
      if (appName && app.metadata?.name !== appName) {
        findings.add(
          `${where}: metadata.name is "${app.metadata?.name}" but the Component's argocd/app-name ` +
            `is "${appName}": the entity page would not find this Application`,
        );
      }
      const sourcePath: unknown = app.spec?.source?.path;
      if (typeof sourcePath !== 'string') {
        findings.add(`${where}: spec.source.path is not set`);
      } else if (!(await isOverlay(repo.dir, sourcePath))) {
        findings.add(
          `${where}: spec.source.path "${sourcePath}" is not a kustomize overlay in this repository`,
        );
      }
    }
  }
}

async function isOverlay(dir: string, path: string): Promise<boolean> {
  const overlays = await overlayDirs(dir);
  return overlays.some(overlay => resolve(dir, overlay) === resolve(dir, path));
}

// ---------------------------------------------------------------------------------------------
// 4. catalog-info.yaml

const requiredAnnotations = [
  'github.com/project-slug',
  'argocd/app-name',
  'backstage.io/techdocs-ref',
  'backstage.io/kubernetes-id',
  'backstage.io/source-template',
  'paved.dev/template-version',
];

// As the catalog combines them (plugin-catalog-backend CatalogBuilder and BuiltinKindsEntityProcessor).
const entityPolicy = EntityPolicies.allOf([
  new SchemaValidEntityPolicy(),
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(makeValidator()),
]);
const kindValidators = [
  apiEntityV1alpha1Validator,
  componentEntityV1alpha1Validator,
  resourceEntityV1alpha1Validator,
  groupEntityV1alpha1Validator,
  locationEntityV1alpha1Validator,
  userEntityV1alpha1Validator,
  systemEntityV1alpha1Validator,
  domainEntityV1alpha1Validator,
];

/** The documents of catalog-info.yaml with `$text`/`$json`/`$yaml` resolved as the catalog does. */
async function readCatalog(
  dir: string,
): Promise<{ entities: Entity[]; problems: string[] }> {
  const file = join(dir, 'catalog-info.yaml');
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined)
    return { entities: [], problems: ['catalog-info.yaml is missing'] };
  const entities: Entity[] = [];
  const problems: string[] = [];
  for (const mapping of yamlMappings(text, 'catalog-info.yaml', problems)) {
    entities.push(
      (await resolvePlaceholders(mapping, dir, problems)) as Entity,
    );
  }
  return { entities, problems };
}

async function resolvePlaceholders(
  value: unknown,
  dir: string,
  problems: string[],
): Promise<unknown> {
  if (Array.isArray(value)) {
    return Promise.all(
      value.map(item => resolvePlaceholders(item, dir, problems)),
    );
  }
  if (!value || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const [key, target] = entries[0] ?? [];
  if (entries.length === 1 && ['$text', '$json', '$yaml'].includes(key)) {
    const path = resolve(dir, String(target));
    const content = await readFile(path, 'utf8').catch(() => undefined);
    if (content === undefined || relative(dir, path).startsWith('..')) {
      problems.push(
        `catalog-info.yaml: ${key}: ${target} does not name a file in the repository`,
      );
      return '';
    }
    if (key === '$text') return content;
    return key === '$json' ? JSON.parse(content) : parse(content);
  }
  const resolved: Record<string, unknown> = {};
  for (const [k, v] of entries)
    resolved[k] = await resolvePlaceholders(v, dir, problems);
  return resolved;
}

async function checkCatalog(repo: GeneratedRepo, findings: Findings) {
  const { entities, problems } = await readCatalog(repo.dir);
  problems.forEach(problem => findings.add(problem));
  for (const entity of entities) {
    const id = `${entity.kind}/${entity.metadata?.name}`;
    repo.report.entitiesValidated += 1;
    try {
      const enforced = (await entityPolicy.enforce(entity)) ?? entity;
      const results = await Promise.all(
        kindValidators.map(v => v.check(enforced)),
      );
      if (!results.includes(true))
        findings.add(`${id}: the catalog knows no kind ${entity.kind}`);
    } catch (error) {
      findings.add(
        `${id} is rejected by the catalog: ${(error as Error).message}`,
      );
    }
  }

  const components = entities.filter(e => e.kind === 'Component');
  if (components.length !== 1) {
    findings.add(
      `catalog-info.yaml has ${components.length} Components, expected 1`,
    );
    return;
  }
  const [component] = components;
  const annotations = component.metadata?.annotations ?? {};
  const missing = requiredAnnotations.filter(a => !annotations[a]);
  if (missing.length > 0)
    findings.add(`the Component lacks annotations: ${missing.join(', ')}`);
  if (component.metadata?.name !== repo.name) {
    findings.add(
      `the Component is named "${component.metadata?.name}", expected "${repo.name}"`,
    );
  }
  if (
    annotations['backstage.io/kubernetes-id'] &&
    annotations['backstage.io/kubernetes-id'] !== repo.name
  ) {
    findings.add(
      `backstage.io/kubernetes-id is "${annotations['backstage.io/kubernetes-id']}", expected "${repo.name}"`,
    );
  }
  const slug = annotations['github.com/project-slug'];
  if (slug && !new RegExp(`^[A-Za-z0-9-]+/${repo.name}$`).test(slug)) {
    findings.add(`github.com/project-slug "${slug}" is not <org>/${repo.name}`);
  }
  const techdocsRef = annotations['backstage.io/techdocs-ref'];
  if (techdocsRef) {
    const docsDir = techdocsRef.startsWith('dir:')
      ? resolve(repo.dir, techdocsRef.slice(4))
      : undefined;
    if (!docsDir || !(await findMkdocsYml(docsDir))) {
      findings.add(
        `backstage.io/techdocs-ref "${techdocsRef}" does not point to a folder with mkdocs.yml`,
      );
    }
  }
  // The workload kinds are named after the Component types they generate.
  if (component.spec?.type !== repo.kind) {
    findings.add(
      `the Component's spec.type is "${component.spec?.type}", expected "${repo.kind}"`,
    );
  }

  const apis = entities.filter(e => e.kind === 'API');
  const provided = (component.spec?.providesApis as string[] | undefined) ?? [];
  if (repo.kind === 'service' && apis.length === 0) {
    findings.add(
      'a service must describe its API: catalog-info.yaml has no API entity',
    );
  }
  for (const api of apis) {
    const name = api.metadata?.name;
    if (
      !provided.some(
        ref =>
          ref === name || ref.endsWith(`:${name}`) || ref.endsWith(`/${name}`),
      )
    ) {
      findings.add(
        `the Component does not list API ${name} in spec.providesApis`,
      );
    }
    if (api.spec?.type === 'openapi') {
      for (const problem of openApiProblems(
        String(api.spec.definition ?? ''),
      )) {
        findings.add(`API/${name} definition: ${problem}`);
      }
    }
  }
}

const httpMethods = [
  'get',
  'put',
  'post',
  'delete',
  'options',
  'head',
  'patch',
  'trace',
];

/** The structure OpenAPI 3.0/3.1 requires of a document, and of each operation in it. */
function openApiProblems(text: string): string[] {
  let doc: any;
  try {
    doc = parse(text);
  } catch (error) {
    return [`not YAML/JSON: ${(error as Error).message}`];
  }
  if (!doc || typeof doc !== 'object') return ['empty'];
  const problems: string[] = [];
  if (!/^3\.\d+\.\d+$/.test(String(doc.openapi))) {
    problems.push(`openapi is "${doc.openapi}", expected 3.x.y`);
  }
  if (typeof doc.info?.title !== 'string')
    problems.push('info.title is missing');
  if (typeof doc.info?.version !== 'string')
    problems.push('info.version is missing (or not a string)');
  const paths = doc.paths ?? {};
  if (Object.keys(paths).length === 0) problems.push('no paths');
  for (const [path, item] of Object.entries<any>(paths)) {
    if (!path.startsWith('/'))
      problems.push(`path "${path}" does not start with /`);
    for (const method of httpMethods.filter(m => item?.[m])) {
      const responses = item[method].responses;
      if (!responses || Object.keys(responses).length === 0) {
        problems.push(`${method.toUpperCase()} ${path} has no responses`);
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// 5. TechDocs

async function findMkdocsYml(dir: string): Promise<string | undefined> {
  for (const file of ['mkdocs.yml', 'mkdocs.yaml']) {
    if (
      await stat(join(dir, file)).then(
        s => s.isFile(),
        () => false,
      )
    )
      return join(dir, file);
  }
  return undefined;
}

/** The portal's own generator settings, so the check builds docs exactly as TechDocs does. */
async function portalGeneratorConfig() {
  const appConfig = parse(
    await readFile(join(repoRoot, 'app-config.yaml'), 'utf8'),
  );
  return new ConfigReader({
    techdocs: { generator: appConfig.techdocs?.generator },
  });
}

/** Relative `.md` paths named in an mkdocs nav, depth first. */
function navPages(nav: unknown): string[] {
  if (typeof nav === 'string') return /^[a-z]+:\/\//i.test(nav) ? [] : [nav];
  if (Array.isArray(nav)) return nav.flatMap(navPages);
  if (nav && typeof nav === 'object')
    return Object.values(nav).flatMap(navPages);
  return [];
}

function builtPagePath(page: string, directoryUrls: boolean): string {
  const withoutExt = page.replace(/\.md$/, '');
  const isIndex = /(^|\/)(index|README)$/i.test(withoutExt);
  if (isIndex) return join(dirname(withoutExt), 'index.html');
  return directoryUrls ? join(withoutExt, 'index.html') : `${withoutExt}.html`;
}

async function checkTechDocs(repo: GeneratedRepo, findings: Findings) {
  const mkdocsYml = await findMkdocsYml(repo.dir);
  if (!mkdocsYml) {
    findings.add('no mkdocs.yml');
    return;
  }
  const mkdocs =
    parse(await readFile(mkdocsYml, 'utf8'), { logLevel: 'silent' }) ?? {};
  const pages = navPages(mkdocs.nav);
  if (pages.length === 0) findings.add('mkdocs.yml has no nav pages');

  const docsDir = String(mkdocs.docs_dir ?? 'docs');
  if (
    isAbsolute(docsDir) ||
    relative(repo.dir, resolve(repo.dir, docsDir)).startsWith('..')
  ) {
    findings.add(`mkdocs.yml: docs_dir ${docsDir} is outside the repository`);
    return;
  }

  // The generator rewrites mkdocs.yml in place, so it builds a copy. Only the docs are copied:
  // npm is writing node_modules and dist in the clone at the same time.
  const work = await mkdtemp(join(tmpdir(), 'paved-techdocs-'));
  try {
    const inputDir = join(work, 'input');
    const outputDir = join(work, 'site');
    await cp(mkdocsYml, join(inputDir, basename(mkdocsYml)));
    // A missing docs_dir is left for mkdocs to report in its own words.
    if (
      await stat(join(repo.dir, docsDir)).then(
        () => true,
        () => false,
      )
    ) {
      await cp(join(repo.dir, docsDir), join(inputDir, docsDir), {
        recursive: true,
      });
    }

    const messages: string[] = [];
    const logger = {
      error: (message: string) => messages.push(`error: ${message}`),
      warn: (message: string) => messages.push(`warn: ${message}`),
      info: () => {},
      debug: () => {},
      child: () => logger,
    };
    let mkdocsOutput = '';
    const logStream = new Writable({
      write(chunk, _encoding, done) {
        mkdocsOutput += chunk.toString();
        done();
      },
    });
    const generator = TechdocsGenerator.fromConfig(
      await portalGeneratorConfig(),
      { logger },
    );
    try {
      await generator.run({
        inputDir,
        outputDir,
        // The generator's type names winston's Logger; it only calls these four methods.
        logger: logger as unknown as GeneratorRunOptions['logger'],
        logStream,
        siteOptions: { name: repo.name },
      });
    } catch (error) {
      // mkdocs runs verbose; its DEBUG lines would push the actual error out of the tail.
      const output = stripColours(`${messages.join('\n')}\n${mkdocsOutput}`)
        .split('\n')
        .filter(line => !line.startsWith('DEBUG'))
        .join('\n');
      findings.add(
        `the TechDocs generator failed: ${(error as Error).message}`,
        tail(output),
      );
      return;
    }
    // Like `mkdocs build --strict`: a missing page or broken link is a warning mkdocs survives.
    const warnings = stripColours(mkdocsOutput)
      .split('\n')
      .filter(line => /^(WARNING|ERROR)\b/.test(line));
    for (const warning of [...messages, ...warnings]) {
      findings.add(`techdocs: ${warning.replace(/\s+/g, ' ').trim()}`);
    }
    const exists = (path: string) =>
      stat(join(outputDir, path)).then(
        () => true,
        () => false,
      );
    if (!(await exists('index.html')))
      findings.add('techdocs: no index.html was built');
    const directoryUrls = mkdocs.use_directory_urls !== false;
    for (const page of pages) {
      const built = builtPagePath(page, directoryUrls);
      if (await exists(built)) {
        repo.report.docsPagesBuilt += 1;
      } else {
        findings.add(
          `techdocs: ${built} was not built for the nav entry ${page}`,
        );
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// 6. Dockerfile

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

async function readDockerfile(dir: string): Promise<string | undefined> {
  return readFile(join(dir, 'Dockerfile'), 'utf8').catch(() => undefined);
}

/** Instructions with continuation lines joined and comments dropped. */
function instructions(dockerfile: string): Instruction[] {
  const result: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  dockerfile.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    if (/^\s*#/.test(line)) return;
    const continues = line.trimEnd().endsWith('\\');
    const text = continues ? line.trimEnd().slice(0, -1) : line;
    pending = pending
      ? { ...pending, text: `${pending.text} ${text.trim()}` }
      : { text, line: index + 1 };
    if (continues) return;
    const match = /^\s*([A-Za-z]+)\s*(.*)$/.exec(pending.text);
    if (match)
      result.push({
        keyword: match[1].toUpperCase(),
        args: match[2].trim(),
        line: pending.line,
      });
    pending = undefined;
  });
  return result;
}

/** Instructions grouped by stage (each starting at its FROM). */
function stages(all: Instruction[]): Instruction[][] {
  const result: Instruction[][] = [];
  for (const instruction of all) {
    if (instruction.keyword === 'FROM') result.push([]);
    result[result.length - 1]?.push(instruction);
  }
  return result;
}

/** The USER the final stage runs as, if it sets one. */
function finalUser(dockerfile: string | undefined): string | undefined {
  const last = stages(instructions(dockerfile ?? '')).at(-1) ?? [];
  return last
    .filter(i => i.keyword === 'USER')
    .at(-1)
    ?.args.split(/\s+/)[0];
}

async function checkDockerfile(repo: GeneratedRepo, findings: Findings) {
  const dockerfile = await readDockerfile(repo.dir);
  if (dockerfile === undefined) {
    findings.add('no Dockerfile');
    return;
  }
  const error = 2; // dockerfile-utils' ValidationSeverity.ERROR (a const enum in its types)
  const diagnostics = validateDockerfile(dockerfile, {
    deprecatedMaintainer: error,
    directiveCasing: error,
    emptyContinuationLine: error,
    instructionCasing: error,
    instructionCmdMultiple: error,
    instructionEntrypointMultiple: error,
    instructionHealthcheckMultiple: error,
    instructionJSONInSingleQuotes: error,
    instructionWorkdirRelative: error,
  });
  for (const diagnostic of diagnostics) {
    findings.add(
      `Dockerfile:${diagnostic.range.start.line + 1}: ${
        diagnostic.message
      } (dockerfile-utils)`,
    );
  }

  const all = instructions(dockerfile);
  const byStage = stages(all);
  repo.report.dockerfileStages = byStage.length;
  if (byStage.length < 2) {
    findings.add(
      `Dockerfile has ${byStage.length} stage(s): build and runtime must be separate stages`,
    );
  }

  // Build arguments declared before the first FROM may name the base image.
  const globalArgs = new Map<string, string>();
  for (const instruction of all) {
    if (instruction.keyword === 'FROM') break;
    const arg = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(instruction.args);
    if (instruction.keyword === 'ARG' && arg)
      globalArgs.set(arg[1], unquote(arg[2] ?? ''));
  }
  const stageNames = new Set<string>();
  for (const from of all.filter(i => i.keyword === 'FROM')) {
    const words = from.args.split(/\s+/).filter(w => !w.startsWith('--'));
    const image = (words[0] ?? '').replace(
      /\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g,
      (_, name) => globalArgs.get(name) ?? '',
    );
    const fromStage =
      stageNames.has(image.toLowerCase()) || image === 'scratch';
    if (words[1]?.toUpperCase() === 'AS' && words[2])
      stageNames.add(words[2].toLowerCase());
    if (fromStage) continue;
    const lastPart = image.split('/').at(-1) ?? '';
    const digest = image.includes('@sha256:');
    const tag = lastPart.includes(':') ? lastPart.split(':').at(-1) : undefined;
    if (!digest && (!tag || tag === 'latest')) {
      findings.add(
        `Dockerfile:${from.line}: FROM ${words[0]} (${
          image || 'empty'
        }) is not pinned to a tag or digest, or uses latest`,
      );
    }
  }

  const final = byStage.at(-1) ?? [];
  const user = finalUser(dockerfile);
  if (!user) {
    findings.add('the final stage sets no USER, so the image runs as root');
  } else if (/^(root|0)(:.*)?$/.test(user)) {
    findings.add(`the final stage runs as USER ${user}`);
  }
  if (!final.some(i => i.keyword === 'EXPOSE'))
    findings.add('the final stage EXPOSEs no port');
  for (const add of all.filter(i => i.keyword === 'ADD')) {
    if (/(^|\s)([a-z]+:\/\/|git@)/i.test(add.args)) {
      findings.add(`Dockerfile:${add.line}: ADD of a URL (${add.args})`);
    }
  }
  const runs = all.filter(i => i.keyword === 'RUN');
  for (const run of runs) {
    if (/\bnpm\s+(install|i|add)\b/.test(run.args)) {
      findings.add(
        `Dockerfile:${run.line}: uses npm install; use npm ci to install the lockfile exactly`,
      );
    }
  }
  if (!runs.some(run => /\bnpm\s+ci\b/.test(run.args))) {
    findings.add('no RUN npm ci: the image is not built from the lockfile');
  }

  const ignored = (
    await readFile(join(repo.dir, '.dockerignore'), 'utf8').catch(() => '')
  )
    .split('\n')
    .map(line =>
      line
        .trim()
        .replace(/^\/|\/$/g, '')
        .replace(/^\*\*\//, ''),
    );
  for (const entry of ['node_modules', '.git']) {
    if (!ignored.includes(entry))
      findings.add(`.dockerignore does not exclude ${entry}`);
  }
}

function unquote(value: string): string {
  return value.replace(/^(["'])(.*)\1$/, '$2');
}

/** The mappings in a YAML stream; empty documents are skipped, as the catalog and kubectl do. */
function yamlMappings(text: string, where: string, problems: string[]): any[] {
  const mappings = [];
  for (const [index, doc] of parseAllDocuments(text).entries()) {
    const at = `${where} (document ${index + 1})`;
    if (doc.errors.length > 0) {
      problems.push(`${at} is not valid YAML: ${doc.errors[0].message}`);
      continue;
    }
    const value = doc.toJS();
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      mappings.push(value);
    } else if (value !== null && value !== undefined) {
      problems.push(`${at} is not a mapping`);
    }
  }
  return mappings;
}

async function readJson(path: string): Promise<any> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
}
