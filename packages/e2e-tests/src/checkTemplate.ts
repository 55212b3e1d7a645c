// Developer CLI: renders a golden-path template's skeleton with sample values the way the
// scaffolder's fetch:template does, commits it to a fresh git repository, clones that (as the
// end-to-end test clones the published repository) and runs every output check in the clone.
//
//   yarn check-template templates/rest-api-service [--kind service|website] [--name NAME]
//                       [--only npm,kubernetes,argocd,catalog,techdocs,dockerfile] [--keep]
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createTemplateRenderer } from 'nunjitsu';
import {
  checkTemplateOutput,
  formatReport,
  templateChecks,
  TemplateOutputError,
  type TemplateCheck,
  type WorkloadKind,
} from './templateOutput.ts';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');

const knownKinds: Record<string, WorkloadKind> = {
  'rest-api-service': 'service',
  'web-frontend': 'website',
};
const sampleNames: Record<WorkloadKind, string> = {
  service: 'checkout-gateway',
  website: 'storefront-web',
};

/** Files copied without templating, so GitHub's own `${{ github.x }}` expressions survive. */
const isCopiedVerbatim = (path: string) =>
  path.startsWith('.github/workflows/');

/** Where a template folder given on the command line is. */
function templateDirFrom(argument: string): string {
  // `yarn check-template` runs in this package's folder; accept paths from where yarn was called.
  const candidates = [process.env.INIT_CWD, process.cwd(), repoRoot]
    .filter((base): base is string => Boolean(base))
    .map(base => resolve(base, argument));
  const found = candidates.find(dir => existsSync(join(dir, 'skeleton')));
  if (!found) {
    throw new Error(
      `${argument}: no skeleton/ folder found (looked in ${candidates.join(
        ', ',
      )})`,
    );
  }
  return found;
}

/** Relative paths (with `/`) of every file and symlink under `dir`. */
function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap(
    entry => {
      const path = prefix ? `${prefix}/${entry.name}` : entry.name;
      return entry.isDirectory() ? listFiles(dir, path) : [path];
    },
  );
}

function isBinary(content: Buffer): boolean {
  return content.subarray(0, 8000).includes(0);
}

/** Renders names and contents with the engine and options fetch:template uses (nunjitsu). */
function renderSkeleton(
  skeleton: string,
  target: string,
  values: Record<string, string>,
) {
  const renderer = createTemplateRenderer({ allowRegexExecution: true });
  const context = renderer.prepareContext({ values });
  const render = (source: string, where: string) => {
    try {
      return renderer.render(source, context);
    } catch (error) {
      throw new Error(`${where}: ${(error as Error).message}`);
    }
  };
  let count = 0;
  for (const path of listFiles(skeleton)) {
    const outputPath = render(path, `file name ${path}`);
    // The scaffolder drops entries whose rendered name is empty or has an empty segment.
    if (
      outputPath === '' ||
      outputPath.startsWith('/') ||
      outputPath.includes('//')
    )
      continue;
    const source = join(skeleton, path);
    const destination = join(target, outputPath);
    mkdirSync(dirname(destination), { recursive: true });
    const stats = lstatSync(source);
    if (stats.isSymbolicLink()) {
      symlinkSync(readlinkSync(source), destination);
    } else {
      const content = readFileSync(source);
      if (isCopiedVerbatim(path) || isBinary(content)) {
        copyFileSync(source, destination);
      } else {
        writeFileSync(destination, render(content.toString('utf8'), path));
      }
      chmodSync(destination, stats.mode);
    }
    count += 1;
  }
  return count;
}

function git(cwd: string, ...args: string[]) {
  execFileSync(
    'git',
    [
      '-c',
      'user.name=Paved',
      '-c',
      'user.email=paved@example.invalid',
      ...args,
    ],
    { cwd, stdio: ['ignore', 'ignore', 'inherit'] },
  );
}

export interface RenderedTemplate {
  /** Holds the rendered repository and its clone; delete it when done. */
  work: string;
  /** The clone to check, as the end-to-end test clones the published repository. */
  clone: string;
  name: string;
  kind: WorkloadKind;
  files: number;
}

/**
 * Renders `templateDir/skeleton` with sample values into a new git repository and clones it.
 * `kind` defaults from the folder name for Paved's own templates.
 */
export function renderTemplate(
  templateDir: string,
  options: { kind?: string; name?: string } = {},
): RenderedTemplate {
  const templateName = basename(templateDir);
  const kind = options.kind ?? knownKinds[templateName];
  if (kind !== 'service' && kind !== 'website') {
    throw new Error(`--kind must be service or website for ${templateName}`);
  }
  const name = options.name ?? sampleNames[kind];
  const values = {
    name,
    description: `Sample ${kind} rendered by check-template`,
    owner: 'team-payments',
    system: 'payments',
    org: 'acme',
    repoCloneUrl: `https://github.com/acme/${name}.git`,
    repoWebUrl: `https://github.com/acme/${name}`,
    imageRepository: `ghcr.io/acme/${name}`,
    templateRef: `template:default/${templateName}`,
    templateVersion: '1.0.0',
  };

  const work = mkdtempSync(join(tmpdir(), `paved-${templateName}-`));
  const rendered = join(work, 'rendered');
  const clone = join(work, name);
  const files = renderSkeleton(join(templateDir, 'skeleton'), rendered, values);
  git(work, 'init', '-q', '-b', 'main', rendered);
  git(rendered, 'add', '-A');
  git(
    rendered,
    'commit',
    '-q',
    '-m',
    `Create ${name} from ${values.templateRef}`,
  );
  git(work, 'clone', '-q', rendered, clone);
  return { work, clone, name, kind, files };
}

async function main() {
  const { values: flags, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      kind: { type: 'string' },
      name: { type: 'string' },
      only: { type: 'string' },
      keep: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) {
    throw new Error(
      'usage: yarn check-template <template folder> [--kind service|website] [--name NAME] [--only CHECK,…] [--keep]',
    );
  }
  const only = flags.only?.split(',') as TemplateCheck[] | undefined;
  const unknown = only?.filter(check => !(check in templateChecks));
  if (unknown?.length) {
    throw new Error(
      `unknown check ${unknown.join(', ')}; checks: ${Object.keys(
        templateChecks,
      ).join(', ')}`,
    );
  }
  const templateDir = templateDirFrom(positionals[0]);
  const { work, clone, name, kind, files } = renderTemplate(templateDir, flags);
  console.log(
    `rendered ${files} files of ${basename(
      templateDir,
    )} as ${name} (${kind}); checking ${clone}`,
  );

  try {
    const report = await checkTemplateOutput(clone, {
      name,
      kind,
      only,
      log: console.log,
    });
    console.log(`\n${formatReport(report)}`);
    if (flags.keep) {
      console.log(`kept ${work}`);
    } else {
      rmSync(work, { recursive: true, force: true });
    }
  } catch (error) {
    if (!(error instanceof TemplateOutputError)) throw error;
    console.error(`\n${error.message}\n\n${formatReport(error.report)}`);
    console.error(`kept the rendered repository for inspection: ${clone}`);
    process.exitCode = 1;
  }
}

// Only as a command: the test imports renderTemplate from here.
if (
  process.argv[1] &&
  resolve(process.argv[1]) === fileURLToPath(import.meta.url)
) {
  main().catch(error => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
