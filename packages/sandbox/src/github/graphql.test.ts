import { OpenApiChecker } from './__testUtils__/openApiChecker';
import { TestGitHub, startTestGitHub } from './__testUtils__/standIn';

const TOKEN = 'ghp_sandboxgraphqltoken';
let github: TestGitHub;

/** Posts a query where Octokit sends it for a GitHub Enterprise `/api/v3` base URL. */
async function query(text: string, variables?: object, token = TOKEN) {
  const res = await fetch(
    `${github.standIn.apiUrl.replace(/\/v3$/, '')}/graphql`,
    {
      method: 'POST',
      headers: {
        Authorization: `bearer ${token}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ query: text, variables }),
    },
  );
  return { status: res.status, body: (await res.json()) as any };
}

beforeAll(async () => {
  github = await startTestGitHub(new OpenApiChecker(), {
    tokens: [{ token: TOKEN, login: 'paved-bot' }],
    org: 'acme',
  });
  const { standIn } = github;
  standIn.createTeam('acme', 'platform', { name: 'Platform' });
  standIn.createTeam('acme', 'sre', { name: 'SRE', parent: 'platform' });
  for (const login of ['alice', 'bob', 'carol', 'dave', 'erin']) {
    standIn.addMember('acme', login, {
      team: login === 'alice' ? 'platform' : 'sre',
      name: login.toUpperCase(),
    });
  }
  await standIn.createRepo('acme', 'web', {
    topics: ['frontend'],
    files: { 'catalog-info.yaml': 'kind: Component\n' },
  });
  await standIn.createRepo('acme', 'empty');
}, 30_000);

afterAll(async () => {
  await github?.stop();
});

describe('the GraphQL endpoint', () => {
  it('pages org members with first/after and pageInfo as GitHub does', async () => {
    const page = `query($cursor: String) { organization(login: "acme") {
      membersWithRole(first: 2, after: $cursor) {
        totalCount pageInfo { hasNextPage endCursor } nodes { login name }
      } } }`;
    const logins: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 5; i++) {
      const { body } = await query(page, { cursor });
      const members = body.data.organization.membersWithRole;
      expect(members.totalCount).toBe(5);
      logins.push(...members.nodes.map((n: any) => n.login));
      if (!members.pageInfo.hasNextPage) break;
      cursor = members.pageInfo.endCursor;
    }
    expect(logins).toEqual(['alice', 'bob', 'carol', 'dave', 'erin']);
  });

  it('answers teams with parents and immediate or all members', async () => {
    const { body } = await query(`{ organization(login: "acme") {
      teams(first: 10) { nodes { slug combinedSlug parentTeam { slug }
        immediate: members(first: 10, membership: IMMEDIATE) { nodes { login } }
        all: members(first: 10) { nodes { login } } } } } }`);
    const [platform, sre] = body.data.organization.teams.nodes;
    expect(platform).toMatchObject({
      slug: 'platform',
      combinedSlug: 'acme/platform',
      parentTeam: null,
      immediate: { nodes: [{ login: 'alice' }] },
    });
    expect(platform.all.nodes).toHaveLength(5);
    expect(sre.parentTeam).toEqual({ slug: 'platform' });
  });

  it("reads a repository's catalog file at HEAD and its default branch", async () => {
    const { body } = await query(`{ repositoryOwner(login: "acme") {
      repositories(first: 10) { nodes { name visibility defaultBranchRef { name }
        file: object(expression: "HEAD:catalog-info.yaml") { __typename ... on Blob { text } }
        repositoryTopics(first: 10) { nodes { topic { name } } } } } } }`);
    expect(body.data.repositoryOwner.repositories.nodes).toEqual([
      {
        name: 'web',
        visibility: 'PUBLIC',
        defaultBranchRef: { name: 'main' },
        file: { __typename: 'Blob', text: 'kind: Component\n' },
        repositoryTopics: { nodes: [{ topic: { name: 'frontend' } }] },
      },
      {
        name: 'empty',
        visibility: 'PUBLIC',
        defaultBranchRef: null,
        file: null,
        repositoryTopics: { nodes: [] },
      },
    ]);
  });

  it("rejects queries GitHub's schema rejects, and what the stand-in does not model, in GitHub's error shape", async () => {
    const invalid = await query('{ organization(login: "acme") { nope } }');
    expect(invalid.status).toBe(200);
    expect(invalid.body.data).toBeUndefined();
    expect(invalid.body.errors[0]).toMatchObject({
      message: expect.stringContaining('nope'),
      locations: [{ line: 1, column: 33 }],
    });

    const unmodelled = await query(
      '{ organization(login: "acme") { login sponsorsListing { id } } }',
    );
    expect(unmodelled.body.data.organization.sponsorsListing).toBeNull();
    expect(unmodelled.body.errors[0]).toMatchObject({
      path: ['organization', 'sponsorsListing'],
      message: expect.stringContaining('not modelled'),
    });

    const unbounded = await query(
      '{ organization(login: "acme") { teams { nodes { slug } } } }',
    );
    expect(unbounded.body.errors[0]).toMatchObject({
      type: 'MISSING_PAGINATION_BOUNDARIES',
    });
    const missing = await query('{ organization(login: "nobody") { login } }');
    expect(missing.body).toEqual({
      data: { organization: null },
      errors: [
        {
          type: 'NOT_FOUND',
          path: ['organization'],
          locations: [{ line: 1, column: 3 }],
          message:
            "Could not resolve to an Organization with the login of 'nobody'.",
        },
      ],
    });
    const anonymous = await query('{ viewer { login } }', undefined, 'nope');
    expect(anonymous.status).toBe(401);
  });
});
