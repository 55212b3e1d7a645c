import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import scaffolderEntityModelModule from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import path from 'node:path';
import { catalogModuleTemplateGuard } from './module';

const repoRoot = path.resolve(__dirname, '../../..');

/** Processing errors per entity, as the catalog reports them (Paved logs them). */
const processingErrors = new Map<string, string[]>();
const errorRecorder = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'test-error-recorder',
  register(reg) {
    reg.registerInit({
      deps: { catalog: catalogProcessingExtensionPoint },
      async init({ catalog }) {
        catalog.setOnProcessingErrorHandler(({ unprocessedEntity, errors }) => {
          processingErrors.set(
            unprocessedEntity.metadata.name,
            errors.map(e => e.message),
          );
        });
      },
    });
  },
});

let catalogUrl: string;

async function templateNames(): Promise<string[]> {
  const res = await fetch(`${catalogUrl}/entities?filter=kind=Template`, {
    headers: { Authorization: mockCredentials.user.header() },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as Entity[]).map(e => e.metadata.name).sort();
}

async function eventually(done: () => Promise<boolean>) {
  const deadline = Date.now() + 30_000;
  while (!(await done()) && Date.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, 250));
  }
}

beforeAll(async () => {
  const backend = await startTestBackend({
    features: [
      catalogPlugin,
      scaffolderEntityModelModule,
      catalogModuleTemplateGuard,
      errorRecorder,
      mockServices.rootConfig.factory({
        data: {
          catalog: {
            rules: [{ allow: ['Template', 'Location'] }],
            locations: [
              'templates/all.yaml',
              'packages/e2e-tests/fixtures/hostile-templates/all.yaml',
            ].map(file => ({
              type: 'file',
              target: path.join(repoRoot, file),
            })),
          },
        },
      }),
    ],
  });
  const { port } = backend.server.address() as { port: number };
  catalogUrl = `http://localhost:${port}/api/catalog`;
}, 60_000);

describe('the template guard in the catalog', () => {
  it('keeps the escape-symlink template out of the catalog with an error saying why, and lets the others in', async () => {
    await eventually(
      async () =>
        processingErrors.has('escape-symlink') &&
        (await templateNames()).length >= 4,
    );

    expect(await templateNames()).toEqual([
      'add-codeowners',
      'escape-path',
      'rest-api-service',
      'web-frontend',
    ]);
    expect(processingErrors.get('escape-symlink')).toEqual([
      expect.stringContaining(
        'Template escape-symlink is refused: its skeleton ./skeleton holds passwd, a symlink to ' +
          '/etc/passwd outside the skeleton',
      ),
    ]);
    expect([...processingErrors.keys()]).toEqual(['escape-symlink']);
  }, 40_000);
});
