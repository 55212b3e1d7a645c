import { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { TemplateSkeletonGuard } from './TemplateSkeletonGuard';

const repoRoot = path.resolve(__dirname, '../../..');
const guard = new TemplateSkeletonGuard();

function template(
  url: string,
  annotations: Record<string, string> = {},
): Entity {
  return {
    apiVersion: 'scaffolder.backstage.io/v1beta3',
    kind: 'Template',
    metadata: { name: 'new-service', annotations },
    spec: {
      type: 'service',
      steps: [
        { id: 'fetch', action: 'fetch:template', input: { url } },
        { id: 'publish', action: 'publish:github', input: { repoUrl: 'x' } },
      ],
    },
  };
}

/** Runs the guard as the catalog does for a template read from the file `target`. */
const guardTemplate = (entity: Entity, target: string) =>
  guard.preProcessEntity(entity, { type: 'file', target });

describe('TemplateSkeletonGuard', () => {
  let root: string;
  let templateFile: string;
  let skeleton: string;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'template-guard-'));
    const templateFolder = path.join(root, 'templates', 'new-service');
    skeleton = path.join(templateFolder, 'skeleton');
    fs.mkdirSync(path.join(skeleton, 'docs'), { recursive: true });
    fs.writeFileSync(path.join(skeleton, 'catalog-info.yaml'), 'kind: x\n');
    fs.writeFileSync(path.join(skeleton, 'docs', 'index.md'), '# Docs\n');
    templateFile = path.join(templateFolder, 'template.yaml');
    fs.writeFileSync(templateFile, '');
  });

  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('accepts a skeleton of plain files and folders', async () => {
    const entity = template('./skeleton');
    await expect(guardTemplate(entity, templateFile)).resolves.toBe(entity);
  });

  it('refuses a skeleton holding a symlink to /etc/passwd, naming the link and its target', async () => {
    fs.symlinkSync('/etc/passwd', path.join(skeleton, 'passwd'));

    const refusal = guardTemplate(template('./skeleton'), templateFile);

    await expect(refusal).rejects.toThrow(InputError);
    await expect(refusal).rejects.toThrow(
      'Template new-service is refused: its skeleton ./skeleton holds passwd, a symlink to ' +
        '/etc/passwd outside the skeleton; the scaffolder would drop it silently. Replace the ' +
        'link with the file it should contain.',
    );
  });

  it('refuses a single-file fetch whose file is a symlink to outside the template, which it would copy', async () => {
    fs.symlinkSync('/etc/passwd', path.join(skeleton, 'config.txt'));
    const entity: Entity = {
      ...template('./skeleton'),
      spec: {
        type: 'service',
        steps: [
          {
            id: 'fetch',
            action: 'fetch:plain:file',
            input: { url: './skeleton/config.txt', targetPath: 'config.txt' },
          },
        ],
      },
    };
    await expect(guardTemplate(entity, templateFile)).rejects.toThrow(
      "Template new-service is refused: its skeleton ./skeleton/config.txt resolves to /etc/passwd, outside the template's folder",
    );
  });

  it('finds escaping links deep in the skeleton, dangling ones too, and names each', async () => {
    fs.symlinkSync('../../../secrets', path.join(skeleton, 'docs', 'keys'));
    fs.symlinkSync('/nonexistent/token', path.join(skeleton, 'token'));

    await expect(
      guardTemplate(template('./skeleton'), templateFile),
    ).rejects.toThrow(
      `holds docs/keys, a symlink to ${fs.realpathSync(
        root,
      )}/templates/secrets and token, ` +
        'a symlink to /nonexistent/token outside the skeleton; the scaffolder would drop them',
    );
  });

  it('accepts a symlink to a file or folder inside the skeleton', async () => {
    fs.symlinkSync('../catalog-info.yaml', path.join(skeleton, 'docs', 'info'));
    fs.symlinkSync('docs', path.join(skeleton, 'documentation'));

    await expect(
      guardTemplate(template('./skeleton'), templateFile),
    ).resolves.toBeDefined();
  });

  it("refuses a skeleton url that leaves the template's folder", async () => {
    fs.mkdirSync(path.join(root, 'elsewhere'));

    await expect(
      guardTemplate(template('../../elsewhere'), templateFile),
    ).rejects.toThrow(
      `its skeleton ../../elsewhere resolves to ${fs.realpathSync(
        root,
      )}/elsewhere, outside ` +
        `the template's folder ${fs.realpathSync(path.dirname(templateFile))}`,
    );
  });

  it("refuses a skeleton folder that is itself a symlink out of the template's folder", async () => {
    fs.symlinkSync('/etc', path.join(path.dirname(templateFile), 'etc'));

    await expect(
      guardTemplate(template('./etc'), templateFile),
    ).rejects.toThrow('its skeleton ./etc resolves to /etc, outside');
  });

  it('resolves the skeleton the way the scaffolder does when a file source-location is set', async () => {
    const entity = template('./', {
      'backstage.io/source-location': 'file:/etc/',
    });

    await expect(guardTemplate(entity, templateFile)).rejects.toThrow(
      'its skeleton ./ resolves to /, outside',
    );
  });

  it('does not check a templated url, which is only known when the task runs', async () => {
    // Read as a path, this would leave the template's folder.
    const entity = template('../shared/${{ parameters.language }}');

    await expect(guardTemplate(entity, templateFile)).resolves.toBe(entity);
  });

  it('leaves entities of other kinds alone', async () => {
    fs.symlinkSync('/etc/passwd', path.join(skeleton, 'passwd'));
    const component = { ...template('./skeleton'), kind: 'Component' };

    await expect(guardTemplate(component, templateFile)).resolves.toBe(
      component,
    );
  });

  describe("Paved's own templates", () => {
    const readTemplate = (file: string): Entity =>
      parse(fs.readFileSync(path.join(repoRoot, file), 'utf8'));

    it.each([
      'templates/rest-api-service/template.yaml',
      'templates/web-frontend/template.yaml',
    ])('accepts %s', async file => {
      const entity = readTemplate(file);
      await expect(
        guardTemplate(entity, path.join(repoRoot, file)),
      ).resolves.toBe(entity);
    });

    it('refuses the hostile escape-symlink fixture', async () => {
      const file =
        'packages/e2e-tests/fixtures/hostile-templates/escape-symlink/template.yaml';

      await expect(
        guardTemplate(readTemplate(file), path.join(repoRoot, file)),
      ).rejects.toThrow(
        'Template escape-symlink is refused: its skeleton ./skeleton holds passwd, a symlink ' +
          'to /etc/passwd outside the skeleton',
      );
    });
  });
});
