import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import authPlugin from '@backstage/plugin-auth-backend';
import githubAuthModule from '@backstage/plugin-auth-backend-module-github-provider';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { join } from 'node:path';
// The end-to-end tests' sign-in helper is plain ESM run by `node --test`, outside any package
// this one could depend on; importing it here tests it against a real auth backend.
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import {
  gitHubSession,
  signInWithGitHub,
} from '../../../e2e-tests/src/githubSignIn';
import { readDemoOrganisation } from '../demo/organisation';
import { findRepoRoot, gitHubOverlay, newOAuthApp } from '../sandbox';
import { OpenApiChecker } from './__testUtils__/openApiChecker';
import { TestGitHub, startTestGitHub } from './__testUtils__/standIn';

const demo = readDemoOrganisation(join(findRepoRoot(process.cwd()), 'demo'));
const checker = new OpenApiChecker();
const ADMIN_TOKEN = 'ghp_sandboxadmintoken';
const oauthApp = newOAuthApp();

/** The demo people as the catalog holds them: User entities with their memberOf relations. */
const users: Entity[] = demo.users.map(user => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name: user.login, namespace: 'default' },
  spec: {
    profile: { displayName: user.name, email: user.email },
    memberOf: user.teams,
  },
  relations: user.teams.map(team => ({
    type: 'memberOf',
    targetRef: `group:default/${team}`,
  })),
}));

let github: TestGitHub;
let backend: Awaited<ReturnType<typeof startTestBackend>>;
let portal: string;

/** The claims of a Backstage token; `sub` names the signed-in user. */
function claimsOf(token: string): { sub: string } {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
}

/** Runs the authorization step by hand, as a browser would, up to the redirect back. */
async function authorize(params: Record<string, string>, login: string) {
  return fetch(`${github.standIn.webUrl}/login/oauth/authorize`, {
    method: 'POST',
    body: new URLSearchParams({ ...params, login }),
    redirect: 'manual',
  });
}

async function exchange(body: Record<string, string>, accept?: string) {
  const res = await fetch(`${github.standIn.webUrl}/login/oauth/access_token`, {
    method: 'POST',
    body: new URLSearchParams(body),
    headers: accept ? { Accept: accept } : {},
  });
  expect(res.status).toBe(200);
  return res;
}

const redirectUri = 'http://localhost:7007/api/auth/github/handler/frame';

async function codeFor(login: string): Promise<string> {
  const res = await authorize(
    { client_id: oauthApp.clientId, redirect_uri: redirectUri, state: 's1' },
    login,
  );
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!).searchParams.get('code')!;
}

beforeAll(async () => {
  github = await startTestGitHub(checker, {
    tokens: [{ token: ADMIN_TOKEN, login: 'paved-admin' }],
    oauthApp,
  });
  const { standIn } = github;
  standIn.createOrg(demo.org);
  for (const team of demo.teams) {
    standIn.createTeam(demo.org, team.slug, team);
  }
  for (const user of demo.users) {
    for (const team of user.teams) {
      standIn.addMember(demo.org, user.login, { team, ...user });
    }
  }
  // A member of the GitHub org the catalog does not know.
  standIn.addMember(demo.org, 'outsider', { name: 'Olivia Outsider' });

  const overlay = gitHubOverlay(standIn, ADMIN_TOKEN, oauthApp);
  const development = overlay.auth.providers.github.development;
  backend = await startTestBackend({
    features: [
      authPlugin,
      githubAuthModule,
      catalogServiceMock.factory({ entities: users }),
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://localhost:3000' },
          auth: {
            environment: 'development',
            providers: {
              github: {
                ...overlay.auth.providers.github,
                // The same app with a wrong secret, to see Backstage refuse the sign-in.
                production: { ...development, clientSecret: 'not-the-secret' },
              },
            },
          },
        },
      }),
    ],
  });
  const { port } = backend.server.address() as { port: number };
  portal = `http://localhost:${port}`;
}, 60_000);

afterAll(async () => {
  await backend?.stop();
  await github?.stop();
});

describe('GitHub sign-in through the stand-in', () => {
  it('signs a demo person in as their catalog User, owning through their team', async () => {
    const { token, identity } = await gitHubSession(portal, 'daniel-mercer');
    expect(claimsOf(token).sub).toBe('user:default/daniel-mercer');
    expect(identity.userEntityRef).toBe('user:default/daniel-mercer');
    expect(identity.ownershipEntityRefs).toEqual(
      expect.arrayContaining([
        'user:default/daniel-mercer',
        'group:default/team-payments',
      ]),
    );
    const other = await signInWithGitHub(portal, 'sofia-castellanos');
    expect(claimsOf(other).sub).toBe('user:default/sofia-castellanos');
  });

  it('refuses a GitHub member who has no catalog User', async () => {
    await expect(signInWithGitHub(portal, 'outsider')).rejects.toThrow(
      /refused the sign-in: .*user/i,
    );
  });

  it('refuses the sign-in when Backstage holds the wrong client secret', async () => {
    await expect(
      signInWithGitHub(portal, 'daniel-mercer', { env: 'production' }),
    ).rejects.toThrow(/refused the sign-in: .*Failed to obtain access token/);
  });

  it('lists the demo people by team on the sign-in page', async () => {
    const query = new URLSearchParams({
      client_id: oauthApp.clientId,
      redirect_uri: redirectUri,
      state: 'xyz',
    });
    const res = await fetch(
      `${github.standIn.webUrl}/login/oauth/authorize?${query}`,
    );
    expect(res.status).toBe(200);
    const html = await res.text();
    const payments = html.slice(
      html.indexOf('<h2>Payments Team'),
      html.indexOf('</section>', html.indexOf('<h2>Payments Team')),
    );
    expect(payments).toContain(
      '<button type="submit" name="login" value="daniel-mercer">Daniel Mercer</button>',
    );
    expect(payments).not.toContain('priya-raman');
    // Departments have no direct members and so no section.
    expect(html).not.toContain('<h2>Engineering');
  });
});

describe('the OAuth web flow', () => {
  it('answers the token as a form by default and as JSON when asked, and the token reads /user', async () => {
    const credentials = {
      client_id: oauthApp.clientId,
      client_secret: oauthApp.clientSecret,
    };
    const form = await exchange({
      ...credentials,
      code: await codeFor('sofia-castellanos'),
    });
    const body = new URLSearchParams(await form.text());
    expect(body.get('token_type')).toBe('bearer');
    expect(body.get('access_token')).toMatch(/^gho_/);

    const json = await exchange(
      { ...credentials, code: await codeFor('kenji-watanabe') },
      'application/json',
    );
    const { access_token } = (await json.json()) as { access_token: string };
    const { data, headers } = await github
      .client(access_token)
      .users.getAuthenticated();
    expect(data.login).toBe('kenji-watanabe');
    expect(data.name).toBe('Kenji Watanabe');
    expect(headers['x-oauth-scopes']).toBe('');
  });

  it('takes a code once, and only with the right client secret', async () => {
    const code = await codeFor('daniel-mercer');
    const wrong = await exchange({
      client_id: oauthApp.clientId,
      client_secret: 'guess',
      code,
    });
    expect(new URLSearchParams(await wrong.text()).get('error')).toBe(
      'incorrect_client_credentials',
    );
    const good = {
      client_id: oauthApp.clientId,
      client_secret: oauthApp.clientSecret,
      code,
    };
    const first = await exchange(good, 'application/json');
    expect(await first.json()).toMatchObject({ token_type: 'bearer' });
    const again = await exchange(good, 'application/json');
    expect(await again.json()).toEqual({
      error: 'bad_verification_code',
      error_description: 'The code passed is incorrect or expired.',
      error_uri: expect.stringContaining('#bad-verification-code'),
    });
  });

  it('accepts any port for the loopback callback but no foreign redirect_uri or client', async () => {
    const ok = await authorize(
      {
        client_id: oauthApp.clientId,
        redirect_uri: 'http://localhost:51234/api/auth/github/handler/frame',
        state: 'abc',
      },
      'daniel-mercer',
    );
    expect(ok.status).toBe(302);
    const back = new URL(ok.headers.get('location')!);
    expect(back.origin).toBe('http://localhost:51234');
    expect(back.searchParams.get('state')).toBe('abc');

    for (const foreign of [
      'https://evil.example/api/auth/github/handler/frame',
      'http://127.0.0.1:7007/api/auth/github/handler/frame',
      'http://localhost:7007/api/other',
    ]) {
      const res = await fetch(
        `${github.standIn.webUrl}/login/oauth/authorize?${new URLSearchParams({
          client_id: oauthApp.clientId,
          redirect_uri: foreign,
        })}`,
        { redirect: 'manual' },
      );
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.text()).toContain(
        'The redirect_uri is not associated with this application.',
      );
      const chosen = await authorize(
        { client_id: oauthApp.clientId, redirect_uri: foreign },
        'daniel-mercer',
      );
      expect(chosen.headers.get('location')).toBeNull();
    }

    const unknownClient = await fetch(
      `${github.standIn.webUrl}/login/oauth/authorize?client_id=nope`,
      { redirect: 'manual' },
    );
    expect(unknownClient.status).toBe(404);
  });
});
