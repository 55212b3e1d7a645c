/*
 * The subset of GitHub's GraphQL API that Backstage's GitHub catalog providers query
 * (organization members, teams with members and parents, repositories with their default
 * branch and catalog file, a user's organizations). Every query is parsed and validated
 * against GitHub's real schema (@octokit/graphql-schema) and executed against it; a field or
 * argument the stand-in does not model is an error in the answer, never a silent null.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DocumentNode,
  GraphQLError,
  GraphQLFieldResolver,
  GraphQLSchema,
  buildSchema,
  execute,
  parse,
  validate,
} from 'graphql';
import { GitHubModel, Organization, Repository, Team, Account } from './model';
import { Urls } from './render';

type Node = Record<string, unknown>;
type Args = Record<string, unknown>;

/** An error as GitHub reports it: `type` beside `message`, `path` and `locations`. */
class GitHubGraphQLError extends Error {
  constructor(message: string, readonly type?: string) {
    super(message);
  }
}

function notModelled(what: string): GitHubGraphQLError {
  return new GitHubGraphQLError(
    `${what} is not modelled by the GitHub stand-in (packages/sandbox/README.md lists what is).`,
  );
}

/** The schema ships as an ES module reading its own file; reading the file directly works from CommonJS too. */
function schemaSource(): string {
  for (const dir of require.resolve.paths('@octokit/graphql-schema') ?? []) {
    const file = join(dir, '@octokit/graphql-schema/schema.graphql');
    if (existsSync(file)) return readFileSync(file, 'utf8');
  }
  throw new Error('@octokit/graphql-schema is not installed');
}

let schema: GraphQLSchema | undefined;
/** GitHub's schema is 1.2 MB of SDL; it is built once per process, on first use. */
function githubSchema(): GraphQLSchema {
  schema ??= buildSchema(schemaSource(), { assumeValidSDL: true });
  return schema;
}

/** GitHub's connections take at most 100 nodes per page and insist on a bound. */
const MAX_PAGE = 100;

function cursorOf(index: number): string {
  return Buffer.from(`cursor:v2:${index}`).toString('base64');
}

function indexOf(cursor: unknown): number | undefined {
  if (typeof cursor !== 'string') return undefined;
  const match = /^cursor:v2:(\d+)$/.exec(
    Buffer.from(cursor, 'base64').toString('utf8'),
  );
  if (!match) {
    throw new GitHubGraphQLError(
      `\`${cursor}\` does not appear to be a valid cursor.`,
      'INVALID_CURSOR_ARGUMENTS',
    );
  }
  return Number(match[1]);
}

/** Refuses arguments the stand-in would otherwise silently ignore. */
function onlyArgs(field: string, args: Args, allowed: string[]) {
  const extra = Object.keys(args).filter(
    name => args[name] !== undefined && !allowed.includes(name),
  );
  if (extra.length) notModelledArgs(field, extra);
}

function notModelledArgs(field: string, names: string[]): never {
  throw notModelled(
    `The argument${names.length > 1 ? 's' : ''} ${names
      .map(n => `\`${n}\``)
      .join(', ')} of \`${field}\``,
  );
}

/** A page of a connection with GitHub's cursor rules: `first`/`after` forwards, `last`/`before` backwards. */
function connection<T>(
  name: string,
  items: T[],
  args: Args,
  toNode: (item: T) => Node,
  extraArgs: string[] = [],
): Node {
  onlyArgs(name, args, ['first', 'after', 'last', 'before', ...extraArgs]);
  const { first, last } = args as { first?: number; last?: number };
  if (first === undefined && last === undefined) {
    throw new GitHubGraphQLError(
      `You must provide a \`first\` or \`last\` value to properly paginate the \`${name}\` connection.`,
      'MISSING_PAGINATION_BOUNDARIES',
    );
  }
  for (const [key, value] of [
    ['first', first],
    ['last', last],
  ] as const) {
    if (value !== undefined && value > MAX_PAGE) {
      throw new GitHubGraphQLError(
        `Requesting ${value} records on the \`${name}\` connection exceeds the \`${key}\` limit of ${MAX_PAGE} records.`,
        'EXCESSIVE_PAGINATION',
      );
    }
    if (value !== undefined && value < 0) {
      throw new GitHubGraphQLError(
        `\`${key}\` on the \`${name}\` connection cannot be less than zero.`,
        'INVALID_PAGINATION',
      );
    }
  }
  let start = 0;
  let end = items.length;
  const after = indexOf(args.after);
  const before = indexOf(args.before);
  if (after !== undefined) start = Math.min(after + 1, end);
  if (before !== undefined) end = Math.max(Math.min(before, end), start);
  if (first !== undefined) end = Math.min(end, start + first);
  if (last !== undefined) start = Math.max(start, end - last);
  const page = items.slice(start, end).map((item, i) => ({
    index: start + i,
    node: toNode(item),
  }));
  return {
    __typename: name,
    totalCount: items.length,
    nodes: page.map(p => p.node),
    edges: page.map(p => ({ cursor: cursorOf(p.index), node: p.node })),
    pageInfo: {
      hasNextPage: end < items.length,
      hasPreviousPage: start > 0,
      startCursor: page.length ? cursorOf(page[0].index) : null,
      endCursor: page.length ? cursorOf(page[page.length - 1].index) : null,
    },
  };
}

function nodeId(prefix: string, id: number | string): string {
  return `${prefix}_${Buffer.from(String(id)).toString('base64url')}`;
}

/** Answers field by field; a field the node does not carry is an error, not null. */
const fieldResolver: GraphQLFieldResolver<unknown, unknown> = (
  source,
  args,
  context,
  info,
) => {
  if (
    !source ||
    typeof source !== 'object' ||
    !(info.fieldName in (source as Node))
  ) {
    throw notModelled(
      `The field \`${info.parentType.name}.${info.fieldName}\``,
    );
  }
  // Only arguments the query names: GitHub's schema defaults some (`ownerAffiliations`), and
  // those must not count as asking for something the stand-in does not model.
  const named = new Set(
    info.fieldNodes.flatMap(n => n.arguments?.map(a => a.name.value) ?? []),
  );
  const given = Object.fromEntries(
    Object.entries(args).filter(
      ([name, v]) => named.has(name) && v !== undefined,
    ),
  );
  const value = (source as Node)[info.fieldName];
  if (typeof value === 'function') return value(given, context, info);
  if (Object.keys(given).length > 0) {
    notModelledArgs(
      `${info.parentType.name}.${info.fieldName}`,
      Object.keys(given),
    );
  }
  return value;
};

export interface GraphQLAnswer {
  status: number;
  body: unknown;
}

/** Executes GraphQL requests against the model, as the authenticated `viewer`. */
export class GraphQLEndpoint {
  constructor(
    private readonly model: GitHubModel,
    private readonly urls: Urls,
  ) {}

  async answer(body: unknown, viewer: Account): Promise<GraphQLAnswer> {
    const { query, variables, operationName } = (body ?? {}) as {
      query?: unknown;
      variables?: unknown;
      operationName?: unknown;
    };
    if (typeof query !== 'string') {
      return {
        status: 200,
        body: {
          errors: [
            {
              message:
                'A query attribute must be specified and must be a string.',
            },
          ],
        },
      };
    }
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (error) {
      return { status: 200, body: { errors: [formatError(error)] } };
    }
    const errors = validate(githubSchema(), document);
    if (errors.length > 0) {
      return { status: 200, body: { errors: errors.map(formatError) } };
    }
    const result = await execute({
      schema: githubSchema(),
      document,
      rootValue: this.root(viewer),
      variableValues:
        variables && typeof variables === 'object'
          ? (variables as Record<string, unknown>)
          : undefined,
      operationName:
        typeof operationName === 'string' ? operationName : undefined,
      fieldResolver,
    });
    return {
      status: 200,
      body: {
        ...(result.data !== undefined ? { data: result.data } : {}),
        ...(result.errors?.length
          ? { errors: result.errors.map(formatError) }
          : {}),
      },
    };
  }

  private root(viewer: Account): Node {
    const model = this.model;
    return {
      viewer: () => this.user(viewer),
      organization: ({ login }: Args) => {
        const org = model
          .allOrgs()
          .find(o => o.login.toLowerCase() === String(login).toLowerCase());
        if (!org) {
          throw new GitHubGraphQLError(
            `Could not resolve to an Organization with the login of '${login}'.`,
            'NOT_FOUND',
          );
        }
        return this.organization(org);
      },
      user: ({ login }: Args) => {
        const account = this.account(String(login));
        if (!account || account.type !== 'User') {
          throw new GitHubGraphQLError(
            `Could not resolve to a User with the login of '${login}'.`,
            'NOT_FOUND',
          );
        }
        return this.user(account);
      },
      repositoryOwner: ({ login }: Args) => {
        const account = this.account(String(login));
        if (!account) return null;
        return account.type === 'Organization'
          ? this.organization(account as Organization)
          : this.user(account);
      },
      repository: (args: Args) => {
        onlyArgs('repository', args, ['owner', 'name']);
        return this.repositoryNamed(String(args.owner), String(args.name));
      },
    };
  }

  private account(login: string): Account | undefined {
    try {
      return this.model.account(login);
    } catch {
      return undefined;
    }
  }

  private repositoryNamed(owner: string, name: string): Node {
    const repo = this.model
      .allRepos()
      .find(
        r =>
          r.owner.login.toLowerCase() === owner.toLowerCase() &&
          r.name.toLowerCase() === name.toLowerCase(),
      );
    if (!repo) {
      throw new GitHubGraphQLError(
        `Could not resolve to a Repository with the name '${owner}/${name}'.`,
        'NOT_FOUND',
      );
    }
    return this.repository(repo);
  }

  /** The fields a User and an Organization share as a RepositoryOwner. */
  private owner(account: Account): Node {
    const url = `${this.urls.web}/${account.login}`;
    const repos = () =>
      this.model
        .allRepos()
        .filter(r => r.owner === account)
        .sort((a, b) => a.id - b.id);
    return {
      id: nodeId(account.type === 'User' ? 'U' : 'O', account.id),
      databaseId: account.id,
      login: account.login,
      name: account.name ?? null,
      url,
      resourcePath: `/${account.login}`,
      avatarUrl: () => `${this.urls.web}/avatars/u/${account.id}`,
      createdAt: account.createdAt,
      repositories: (args: Args) =>
        connection('RepositoryConnection', repos(), args, r =>
          this.repository(r),
        ),
      repository: (args: Args) => {
        onlyArgs('repository', args, ['name']);
        return this.repositoryNamed(account.login, String(args.name));
      },
    };
  }

  private user(account: Account): Node {
    const model = this.model;
    return {
      ...this.owner(account),
      __typename: 'User',
      email: account.email ?? '',
      bio: null,
      company: null,
      location: null,
      suspendedAt: null,
      // The stand-in's organizations verify no domains, so no email is on one.
      organizationVerifiedDomainEmails: () => [],
      organizations: (args: Args) =>
        connection(
          'OrganizationConnection',
          model
            .allOrgs()
            .filter(o => o.members.has(account.login.toLowerCase()))
            .sort((a, b) => a.id - b.id),
          args,
          o => this.organization(o),
        ),
    };
  }

  private organization(org: Organization): Node {
    return {
      ...this.owner(org),
      __typename: 'Organization',
      description: null,
      email: null,
      membersWithRole: (args: Args) =>
        connection(
          'OrganizationMemberConnection',
          [...org.members.values()]
            .map(m => m.user)
            .sort((a, b) => a.id - b.id),
          args,
          u => this.user(u),
        ),
      teams: (args: Args) => {
        const { userLogins, rootTeamsOnly } = args as {
          userLogins?: string[];
          rootTeamsOnly?: boolean;
        };
        const wanted = userLogins?.map(l => l.toLowerCase());
        const teams = [...org.teams.values()]
          .filter(t => !rootTeamsOnly || !t.parent)
          .filter(
            t => !wanted?.length || wanted.some(login => t.members.has(login)),
          )
          .sort((a, b) => a.name.localeCompare(b.name));
        return connection(
          'TeamConnection',
          teams,
          args,
          t => this.team(org, t),
          ['userLogins', 'rootTeamsOnly'],
        );
      },
      team: ({ slug }: Args) => {
        const found = org.teams.get(String(slug).toLowerCase());
        return found ? this.team(org, found) : null;
      },
    };
  }

  private team(org: Organization, team: Team): Node {
    const url = `${this.urls.web}/orgs/${org.login}/teams/${team.slug}`;
    const children = (parent: Team) =>
      [...org.teams.values()].filter(t => t.parent === parent);
    const descendants = (parent: Team): Team[] =>
      children(parent).flatMap(c => [c, ...descendants(c)]);
    return {
      __typename: 'Team',
      id: nodeId('T', team.id),
      databaseId: team.id,
      slug: team.slug,
      combinedSlug: `${org.login}/${team.slug}`,
      name: team.name,
      description: team.description,
      privacy: 'VISIBLE',
      url,
      editTeamUrl: `${url}/edit`,
      avatarUrl: () => null,
      createdAt: team.createdAt,
      updatedAt: team.updatedAt,
      organization: () => this.organization(org),
      parentTeam: () => (team.parent ? this.team(org, team.parent) : null),
      childTeams: (args: Args) =>
        connection(
          'TeamConnection',
          args.immediateOnly === false ? descendants(team) : children(team),
          args,
          t => this.team(org, t),
          ['immediateOnly'],
        ),
      members: (args: Args) => {
        const membership = (args.membership as string | undefined) ?? 'ALL';
        const role = args.role as string | undefined;
        const logins = new Set<string>();
        const add = (t: Team) => {
          for (const [login, teamRole] of t.members) {
            if (!role || role.toLowerCase() === teamRole) logins.add(login);
          }
        };
        if (membership !== 'CHILD_TEAM') add(team);
        if (membership !== 'IMMEDIATE') descendants(team).forEach(add);
        const users = [...logins]
          .map(login => this.model.user(login))
          .sort((a, b) => a.id - b.id);
        return connection(
          'TeamMemberConnection',
          users,
          args,
          u => this.user(u),
          ['membership', 'role'],
        );
      },
    };
  }

  private repository(repo: Repository): Node {
    const git = this.model.git;
    const [owner, name] = [repo.owner.login, repo.name];
    const url = `${this.urls.web}/${owner}/${name}`;
    const hasBranch = async () =>
      (await git.branches(owner, name)).some(
        b => b.name === repo.defaultBranch,
      );
    return {
      __typename: 'Repository',
      id: nodeId('R', repo.id),
      databaseId: repo.id,
      name,
      nameWithOwner: `${owner}/${name}`,
      description: repo.description,
      homepageUrl: repo.homepage,
      url,
      resourcePath: `/${owner}/${name}`,
      isArchived: false,
      isDisabled: false,
      isFork: false,
      isMirror: false,
      isTemplate: false,
      isPrivate: repo.visibility !== 'public',
      visibility: repo.visibility.toUpperCase(),
      createdAt: repo.createdAt,
      updatedAt: repo.updatedAt,
      pushedAt: repo.pushedAt,
      owner: () =>
        repo.owner.type === 'Organization'
          ? this.organization(repo.owner as Organization)
          : this.user(repo.owner),
      isEmpty: async () => !(await hasBranch()),
      repositoryTopics: (args: Args) =>
        connection('RepositoryTopicConnection', repo.topics, args, topic => ({
          __typename: 'RepositoryTopic',
          id: nodeId('RT', `${repo.id}:${topic}`),
          url: `${this.urls.web}/topics/${topic}`,
          resourcePath: `/topics/${topic}`,
          topic: {
            __typename: 'Topic',
            id: nodeId('TO', topic),
            name: topic,
          },
        })),
      defaultBranchRef: async () =>
        (await hasBranch())
          ? {
              __typename: 'Ref',
              id: nodeId('REF', `${repo.id}:${repo.defaultBranch}`),
              name: repo.defaultBranch,
              prefix: 'refs/heads/',
            }
          : null,
      object: (args: Args) => this.gitObject(repo, args),
      ref: (args: Args) => this.branchRef(repo, args),
    };
  }

  /**
   * `ref(qualifiedName:)` for a branch, with the pull requests it heads: how
   * `publish:github:pull-request` learns whether its branch and pull request exist.
   */
  private async branchRef(repo: Repository, args: Args): Promise<Node | null> {
    onlyArgs('ref', args, ['qualifiedName']);
    const branch = String(args.qualifiedName).replace(/^refs\/heads\//, '');
    const tip = await this.model.git.resolve(
      repo.owner.login,
      repo.name,
      `refs/heads/${branch}`,
    );
    if (!tip) return null;
    return {
      __typename: 'Ref',
      id: nodeId('REF', `${repo.id}:${branch}`),
      name: branch,
      prefix: 'refs/heads/',
      associatedPullRequests: (connectionArgs: Args) => {
        const states = (connectionArgs.states as string[] | undefined)?.map(
          state => state.toLowerCase(),
        );
        const pulls = repo.pulls.filter(
          pull =>
            pull.head === branch &&
            (!states || states.includes(pull.mergedAt ? 'merged' : pull.state)),
        );
        return connection(
          'PullRequestConnection',
          pulls,
          connectionArgs,
          pull => ({
            __typename: 'PullRequest',
            id: nodeId('PR', pull.id),
            number: pull.number,
            title: pull.title,
            url: `${this.urls.web}/${repo.owner.login}/${repo.name}/pull/${pull.number}`,
          }),
          ['states'],
        );
      },
    };
  }

  /** `object(expression: "REV:PATH")` (or `oid`): a Blob, a Tree or a Commit, null when there is none. */
  private async gitObject(repo: Repository, args: Args): Promise<Node | null> {
    onlyArgs('object', args, ['expression', 'oid']);
    const git = this.model.git;
    const [owner, name] = [repo.owner.login, repo.name];
    const expression = String(args.expression ?? args.oid ?? '');
    const colon = expression.indexOf(':');
    const rev = colon < 0 ? expression : expression.slice(0, colon);
    const path = colon < 0 ? undefined : expression.slice(colon + 1);
    const commit = await git.resolve(owner, name, rev || 'HEAD');
    if (!commit) return null;
    const oidFields = (prefix: string, oid: string) => ({
      id: nodeId(prefix, `${repo.id}:${oid}`),
      oid,
      abbreviatedOid: oid.slice(0, 7),
    });
    if (path === undefined) {
      const info = await git.commitInfo(owner, name, commit);
      return {
        __typename: 'Commit',
        ...oidFields('C', commit),
        message: info.message,
        url: `${this.urls.web}/${owner}/${name}/commit/${commit}`,
      };
    }
    const entry = await git.entry(
      owner,
      name,
      commit,
      path.replace(/^\/+|\/+$/g, ''),
    );
    if (!entry) return null;
    if (entry.type === 'tree')
      return { __typename: 'Tree', ...oidFields('T', entry.sha) };
    if (entry.type !== 'blob') return null;
    const bytes = await git.blob(owner, name, entry.sha);
    const isBinary = bytes.includes(0);
    return {
      __typename: 'Blob',
      ...oidFields('B', entry.sha),
      byteSize: bytes.length,
      isBinary,
      isTruncated: false,
      text: isBinary ? null : bytes.toString('utf8'),
    };
  }
}

function formatError(error: unknown): Record<string, unknown> {
  if (!(error instanceof GraphQLError)) {
    return { message: String((error as Error)?.message ?? error) };
  }
  const type =
    error.originalError instanceof GitHubGraphQLError
      ? error.originalError.type
      : undefined;
  return {
    ...(type ? { type } : {}),
    ...(error.path ? { path: error.path } : {}),
    ...(error.locations ? { locations: error.locations } : {}),
    message: error.message,
  };
}
