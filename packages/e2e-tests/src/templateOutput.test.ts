// The output checks against Paved's real templates: each template's rendered repository passes
// every check, and breaking one thing a user would notice fails exactly the check that guards it,
// with a message naming the fault. Needs npm's registry, kubectl and mkdocs (as the e2e layer).
//   node --test --test-concurrency=1 src/templateOutput.test.ts
import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { renderTemplate, type RenderedTemplate } from './checkTemplate.ts';
import { repoRoot } from './portal.ts';
import {
  checkTemplateOutput,
  formatReport,
  TemplateOutputError,
  type TemplateCheck,
} from './templateOutput.ts';

function navEntries(nav: unknown): number {
  if (typeof nav === 'string') return 1;
  if (Array.isArray(nav))
    return nav.reduce((sum, item) => sum + navEntries(item), 0);
  if (nav && typeof nav === 'object') return navEntries(Object.values(nav));
  return 0;
}

for (const template of ['rest-api-service', 'web-frontend']) {
  describe(`${template} output`, () => {
    let rendered: RenderedTemplate;
    before(() => {
      rendered = renderTemplate(join(repoRoot, 'templates', template));
    });
    after(() => rmSync(rendered.work, { recursive: true, force: true }));

    it('passes every check', async () => {
      const { clone, name, kind } = rendered;
      const report = await checkTemplateOutput(clone, { name, kind });
      console.log(formatReport(report));

      assert.deepEqual(
        report.checks.map(c => c.check),
        ['npm', 'kubernetes', 'argocd', 'catalog', 'techdocs', 'dockerfile'],
      );
      assert.deepEqual(Object.keys(report.npmSteps), [
        'npm ci',
        'npm run lint',
        'npm run test',
        'npm run build',
      ]);
      assert.deepEqual(report.overlays, [
        'deploy/overlays/dev',
        'deploy/overlays/prod',
      ]);
      // Deployment, Service, HPA, PDB and NetworkPolicy in each overlay at least.
      assert.ok(
        report.manifestsValidated >= 10,
        `${report.manifestsValidated} objects`,
      );
      assert.equal(report.argoApplications, 2);
      assert.equal(report.entitiesValidated, kind === 'service' ? 2 : 1);
      const mkdocs = parse(readFileSync(join(clone, 'mkdocs.yml'), 'utf8'));
      assert.equal(report.docsPagesBuilt, navEntries(mkdocs.nav));
      assert.ok(report.dockerfileStages >= 2);
    });
  });
}

describe('a broken rest-api-service output', () => {
  let rendered: RenderedTemplate;
  before(() => {
    rendered = renderTemplate(join(repoRoot, 'templates', 'rest-api-service'));
  });
  after(() => rmSync(rendered.work, { recursive: true, force: true }));

  /** Runs `check` on a copy of the clean clone changed by `breakIt`; returns its problems. */
  async function problemsAfter(
    check: TemplateCheck,
    breakIt: (
      file: (path: string, change: (text: string) => string) => void,
    ) => void,
  ): Promise<string> {
    const dir = join(rendered.work, `broken-${check}`);
    cpSync(rendered.clone, dir, {
      recursive: true,
      filter: source =>
        !relative(rendered.clone, source).includes('node_modules'),
    });
    breakIt((path, change) => {
      const file = join(dir, path);
      writeFileSync(file, change(readFileSync(file, 'utf8')));
    });
    const { name, kind } = rendered;
    const error = await checkTemplateOutput(dir, {
      name,
      kind,
      only: [check],
    }).then(
      () => assert.fail(`the ${check} check passed a broken repository`),
      (e: unknown) => e,
    );
    assert.ok(error instanceof TemplateOutputError, String(error));
    assert.deepEqual(
      error.failures.map(f => f.check),
      [check],
    );
    return `${error.failures[0].problems.join('\n')}\n${
      error.failures[0].output ?? ''
    }`;
  }

  const editYaml = (text: string, edit: (doc: any) => void) => {
    const doc = parse(text);
    edit(doc);
    return stringify(doc);
  };

  it('fails npm when a lint rule is broken, showing the linter output', async () => {
    const problems = await problemsAfter('npm', file =>
      file(
        'src/app.ts',
        text => `${text}\nexport function unused() {\n  let never = 1;\n}\n`,
      ),
    );
    assert.match(problems, /`npm run lint` failed/);
    assert.match(problems, /never/);
  });

  it('fails npm when a unit test fails', async () => {
    const problems = await problemsAfter('npm', file =>
      file('src/hello.ts', text => text.replace('Hello, ', 'Goodbye, ')),
    );
    assert.match(problems, /`npm run test` failed/);
    assert.match(problems, /Goodbye/);
  });

  it('fails Kubernetes when the readiness probe is removed', async () => {
    const problems = await problemsAfter('kubernetes', file =>
      file('deploy/base/deployment.yaml', text =>
        editYaml(text, doc => {
          delete doc.spec.template.spec.containers[0].readinessProbe;
        }),
      ),
    );
    assert.match(
      problems,
      /deploy\/overlays\/dev: container .* has no readinessProbe/,
    );
    assert.match(
      problems,
      /deploy\/overlays\/prod: container .* has no readinessProbe/,
    );
  });

  it('fails Argo CD when an Application is not the one the entity names', async () => {
    const problems = await problemsAfter('argocd', file =>
      file('argocd/prod.yaml', text =>
        editYaml(text, doc => {
          doc.metadata.name = `${rendered.name}-production`;
        }),
      ),
    );
    assert.match(
      problems,
      /argocd\/prod\.yaml: metadata.name is ".*-production"/,
    );
  });

  it('fails the catalog when the template-version annotation is missing', async () => {
    const problems = await problemsAfter('catalog', file =>
      file('catalog-info.yaml', text =>
        parseAllDocuments(text)
          .map(doc => doc.toJS())
          .map(entity => {
            delete entity.metadata.annotations?.['paved.dev/template-version'];
            return stringify(entity);
          })
          .join('---\n'),
      ),
    );
    assert.match(problems, /lacks annotations: paved.dev\/template-version/);
  });

  it('fails TechDocs on a link to a page that does not exist', async () => {
    const problems = await problemsAfter('techdocs', file =>
      file(
        'docs/index.md',
        text => `${text}\nSee [the old guide](old-guide.md).\n`,
      ),
    );
    assert.match(problems, /index\.md' contains a link to 'old-guide\.md'/);
  });

  it('fails the Dockerfile when the image runs as root', async () => {
    const problems = await problemsAfter('dockerfile', file =>
      file('Dockerfile', text => text.replace(/^USER .*$/gm, 'USER root')),
    );
    assert.match(problems, /the final stage runs as USER root/);
  });
});
