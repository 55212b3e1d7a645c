import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import githubCatalogModule from '@backstage/plugin-catalog-backend-module-github';
import githubOrgModule from '@backstage/plugin-catalog-backend-module-github-org';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { readDemoOrganisation } from '../demo/organisation';
import { findRepoRoot } from '../sandbox';
import { OpenApiChecker } from './__testUtils__/openApiChecker';
import { TestGitHub, startTestGitHub } from './__testUtils__/standIn';

const repoRoot = findRepoRoot(process.cwd());
const demo = readDemoOrganisation(join(repoRoot, 'demo'));
const TOKEN = 'ghp_sandboxcatalogtoken';
const SHORT_SCHEDULE = {
  frequency: { minutes: 30 },
  timeout: { minutes: 2 },
};

/**
 * The production catalog configuration as app-config.production.yaml layers it over
 * app-config.yaml: its `catalog.providers`, with the demo org for GITHUB_ORG and schedules that
 * run at once, and the rules of app-config.yaml (production keeps them).
 */
function productionCatalogConfig() {
  const read = (file: string) =>
    parse(readFileSync(join(repoRoot, file), 'utf8'));
  const production = read('app-config.production.yaml');
  const providers = JSON.parse(
    JSON.stringify(production.catalog.providers).replace(
      /\$\{GITHUB_ORG\}/g,
      demo.org,
    ),
  );
  providers.github.orgRepositories.schedule = SHORT_SCHEDULE;
  providers.githubOrg.schedule = SHORT_SCHEDULE;
  return {
    rules: read('app-config.yaml').catalog.rules,
    locations: [],
    providers,
  };
}

let github: TestGitHub;
let catalogUrl: string;

async function entities(kind: string): Promise<Entity[]> {
  const res = await fetch(
    `${catalogUrl}/entities/by-query?filter=kind=${kind}&limit=500`,
    { headers: { Authorization: mockCredentials.user.header() } },
  );
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: Entity[] }).items;
}

async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise(r => setTimeout(r, 500));
  }
}

const relationTargets = (entity: Entity | undefined, type: string) =>
  (entity?.relations ?? [])
    .filter(r => r.type === type)
    .map(r => r.targetRef)
    .sort();

beforeAll(async () => {
  github = await startTestGitHub(new OpenApiChecker(), {
    tokens: [{ token: TOKEN, login: 'paved-bot' }],
  });
  const { standIn } = github;
  standIn.createOrg(demo.org);
  for (const team of demo.teams) standIn.createTeam(demo.org, team.slug, team);
  for (const user of demo.users) {
    for (const team of user.teams) {
      standIn.addMember(demo.org, user.login, { team, ...user });
    }
  }
  for (const component of demo.components) {
    await standIn.createRepo(demo.org, component.name, {
      description: component.description,
      topics: component.tags,
      files: component.files,
    });
  }

  const host = new URL(standIn.apiUrl).host;
  const backend = await startTestBackend({
    features: [
      catalogPlugin,
      githubCatalogModule,
      githubOrgModule,
      mockServices.rootConfig.factory({
        data: {
          catalog: productionCatalogConfig(),
          integrations: {
            github: [
              // Production's providers name github.com (`githubUrl`, the default `host`); here
              // that host's API is the stand-in.
              { host: 'github.com', apiBaseUrl: standIn.apiUrl, token: TOKEN },
              // Discovered catalog files are read from the repositories' own URLs, on the stand-in.
              { host, apiBaseUrl: standIn.apiUrl, token: TOKEN },
            ],
          },
        },
      }),
    ],
  });
  const { port } = backend.server.address() as { port: number };
  catalogUrl = `http://localhost:${port}/api/catalog`;
}, 60_000);

afterAll(async () => {
  await github?.stop();
});

describe("production's GitHub catalog providers against the stand-in", () => {
  it("ingests the demo org's teams as nested Groups and its members as Users in them", async () => {
    const groups = await eventually(
      () => entities('group'),
      items => items.length >= demo.teams.length,
    );
    expect(groups.map(g => g.metadata.name).sort()).toEqual(
      demo.teams.map(t => t.slug).sort(),
    );
    const group = (name: string) => groups.find(g => g.metadata.name === name);
    for (const team of demo.teams) {
      expect(relationTargets(group(team.slug), 'childOf')).toEqual(
        team.parent ? [`group:default/${team.parent}`] : [],
      );
    }
    expect(relationTargets(group('engineering'), 'parentOf')).toEqual([
      'group:default/platform-engineering',
      'group:default/product-engineering',
    ]);

    const users = await eventually(
      () => entities('user'),
      items => items.length >= demo.users.length,
    );
    expect(users.map(u => u.metadata.name).sort()).toEqual(
      demo.users.map(u => u.login).sort(),
    );
    const daniel = users.find(u => u.metadata.name === 'daniel-mercer');
    expect(relationTargets(daniel, 'memberOf')).toEqual([
      'group:default/team-payments',
    ]);
    expect(daniel?.spec?.profile).toMatchObject({
      displayName: 'Daniel Mercer',
      email: 'daniel.mercer@acme.example',
    });
  }, 90_000);

  it("discovers every repository's catalog-info.yaml and ingests its Component", async () => {
    const components = await eventually(
      () => entities('component'),
      items => items.length >= demo.components.length,
    );
    expect(components.map(c => c.metadata.name).sort()).toEqual(
      demo.components.map(c => c.name).sort(),
    );
    const payments = components.find(
      c => c.metadata.name === 'payments-service',
    );
    expect(
      payments?.metadata.annotations?.[
        'backstage.io/managed-by-origin-location'
      ],
    ).toBe(
      `url:${github.standIn.webUrl}/${demo.org}/payments-service/blob/main/catalog-info.yaml`,
    );
    expect(relationTargets(payments, 'ownedBy')).toEqual([
      'group:default/team-payments',
    ]);
  }, 90_000);
});
