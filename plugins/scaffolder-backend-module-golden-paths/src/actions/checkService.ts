import {
  Entity,
  RELATION_MEMBER_OF,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  GithubCredentialsProvider,
  ScmIntegrationRegistry,
} from '@backstage/integration';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { Octokit } from '@octokit/rest';
import { RepositoryDestination } from '../destination';

/**
 * What GitHub (repository), Kubernetes (DNS-1035 label: Service and Deployment names) and npm
 * (lowercase, URL-safe) all accept, with room for suffixes such as `-api` and pod hashes.
 */
const NAME_PATTERN = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;
export const MAX_NAME_LENGTH = 50;

/** Where a golden-path template states its version, copied onto every service it creates. */
export const TEMPLATE_VERSION_ANNOTATION = 'paved.dev/template-version';

/** Why a new service's name is refused, or undefined when it is fine. */
export function nameProblem(name: string): string | undefined {
  if (name.length > MAX_NAME_LENGTH) {
    return `The name is ${name.length} characters long; at most ${MAX_NAME_LENGTH} are allowed, since it also names the repository, the API entity ("<name>-api"), the Kubernetes objects and the Argo CD Application`;
  }
  if (!NAME_PATTERN.test(name)) {
    return `"${name}" is not a name GitHub, Kubernetes and npm all accept: use lowercase letters, digits and "-", starting with a letter and ending with a letter or digit (for example checkout-gateway)`;
  }
  return undefined;
}

export function isMember(user: Entity | undefined, groupRef: string): boolean {
  const refs = new Set<string>();
  for (const relation of user?.relations ?? []) {
    if (relation.type === RELATION_MEMBER_OF) {
      refs.add(relation.targetRef.toLowerCase());
    }
  }
  for (const group of ((user?.spec?.memberOf as string[]) ?? []).filter(
    g => typeof g === 'string',
  )) {
    refs.add(
      stringifyEntityRef(
        parseEntityRef(group, { defaultKind: 'group' }),
      ).toLowerCase(),
    );
  }
  return refs.has(groupRef.toLowerCase());
}

/**
 * `golden-path:check-service`: the first step of Paved's golden-path templates. Refuses, with a
 * message the person can act on, a name GitHub, Kubernetes or npm would not take, a name
 * already used by a catalog entity or a repository, an owner the person is not a member of and
 * an unknown system — before any repository, catalog entry or Application exists. Outputs
 * where the new service goes.
 */
export function createCheckServiceAction(options: {
  catalog: CatalogService;
  integrations: ScmIntegrationRegistry;
  credentialsProvider: GithubCredentialsProvider;
  destination: RepositoryDestination | undefined;
  /** Names of the environments `paved.goldenPaths.environments` configures. */
  environments: string[];
}) {
  const { catalog, integrations, credentialsProvider, destination } = options;
  return createTemplateAction({
    id: 'golden-path:check-service',
    description:
      "Checks a new service's name, owner and system before anything is created, and outputs its repository, image and namespace",
    schema: {
      input: {
        name: z => z.string().describe('Name of the new service'),
        owner: z =>
          z
            .string()
            .describe(
              'Owning team as an entity ref (group:default/team-a); the person running the template must be a member',
            ),
        system: z =>
          z
            .string()
            .describe('System the service belongs to, as an entity ref'),
        environments: z =>
          z
            .array(z.string())
            .optional()
            .describe(
              'Environments the template will deploy to; each must be configured under paved.goldenPaths.environments',
            ),
      },
      output: {
        repoUrl: z =>
          z
            .string()
            .describe('Repository in publish:github form: host?owner=o&repo=r'),
        repoWebUrl: z => z.string().describe('Web URL of the repository'),
        repoCloneUrl: z =>
          z.string().describe('Clone URL of the repository (Argo CD repoURL)'),
        org: z => z.string().describe('GitHub organisation'),
        ownerName: z => z.string().describe('Owning group name'),
        systemName: z => z.string().describe('System name'),
        imageRepository: z =>
          z.string().describe('Image repository, without tag'),
        templateRef: z =>
          z
            .string()
            .describe('The running template, for backstage.io/source-template'),
        templateVersion: z =>
          z
            .string()
            .describe(
              "The running template's paved.dev/template-version annotation, recorded on what it creates",
            ),
      },
    },
    async handler(ctx) {
      const { name, owner, system } = ctx.input;
      if (!destination) {
        throw new InputError(
          'Golden paths are not configured: set paved.goldenPaths.repository (host and owner) in app-config',
        );
      }
      const problem = nameProblem(name);
      if (problem) throw new InputError(problem);
      const unknown = (ctx.input.environments ?? []).filter(
        e => !options.environments.includes(e),
      );
      if (unknown.length > 0) {
        throw new InputError(
          `This portal does not deploy to ${unknown.join(
            ', ',
          )}; configured environments: ${
            options.environments.join(', ') ||
            'none (paved.goldenPaths.environments)'
          }`,
        );
      }

      const credentials = await ctx.getInitiatorCredentials();
      const ownerRef = stringifyEntityRef(
        parseEntityRef(owner, {
          defaultKind: 'group',
          defaultNamespace: 'default',
        }),
      );
      const systemRef = stringifyEntityRef(
        parseEntityRef(system, {
          defaultKind: 'system',
          defaultNamespace: 'default',
        }),
      );
      const [ownerEntity, systemEntity, component, api] = await catalog
        .getEntitiesByRefs(
          {
            entityRefs: [
              ownerRef,
              systemRef,
              `component:default/${name}`,
              `api:default/${name}-api`,
            ],
          },
          { credentials },
        )
        .then(r => r.items);
      if (!ownerEntity || ownerEntity.kind.toLowerCase() !== 'group') {
        throw new NotFoundError(`No team ${ownerRef} in the catalog`);
      }
      if (!isMember(ctx.user?.entity, ownerRef)) {
        throw new NotAllowedError(
          `You are not a member of ${ownerRef}; a new service must be owned by one of your teams`,
        );
      }
      if (!systemEntity || systemEntity.kind.toLowerCase() !== 'system') {
        throw new NotFoundError(`No system ${systemRef} in the catalog`);
      }
      for (const taken of [component, api]) {
        if (taken) {
          throw new ConflictError(
            `The catalog already has ${stringifyEntityRef(taken)}${
              taken.spec?.owner ? ` (owned by ${taken.spec.owner})` : ''
            }; choose another name`,
          );
        }
      }

      const repoWebUrl = `${destination.webUrlBase}/${destination.owner}/${name}`;
      const integration = integrations.github.byHost(destination.host);
      if (!integration) {
        throw new InputError(
          `No GitHub integration for ${destination.host} (paved.goldenPaths.repository.host)`,
        );
      }
      const { token } = await credentialsProvider.getCredentials({
        url: repoWebUrl,
      });
      const octokit = new Octokit({
        auth: token,
        baseUrl: integration.config.apiBaseUrl,
      });
      const existing = await octokit.repos
        .get({ owner: destination.owner, repo: name })
        .then(
          () => true,
          error => {
            if (error?.status === 404) return false;
            throw error;
          },
        );
      if (existing) {
        throw new ConflictError(
          `Repository ${destination.owner}/${name} already exists on ${destination.host}; choose another name`,
        );
      }

      ctx.output(
        'repoUrl',
        `${destination.host}?owner=${destination.owner}&repo=${name}`,
      );
      ctx.output('repoWebUrl', repoWebUrl);
      ctx.output(
        'repoCloneUrl',
        `${destination.cloneUrlBase}/${destination.owner}/${name}.git`,
      );
      ctx.output('org', destination.owner);
      ctx.output('ownerName', parseEntityRef(ownerRef).name);
      ctx.output('systemName', parseEntityRef(systemRef).name);
      ctx.output(
        'imageRepository',
        `${destination.imageRepositoryBase}/${name}`,
      );
      // Read from the template itself, so its version is stated once, in its annotation.
      const template = ctx.templateInfo;
      const version =
        template?.entity?.metadata.annotations?.[TEMPLATE_VERSION_ANNOTATION];
      if (!template || !version) {
        throw new InputError(
          `The template has no ${TEMPLATE_VERSION_ANNOTATION} annotation; golden-path templates record their version on what they create`,
        );
      }
      ctx.output('templateRef', template.entityRef);
      ctx.output('templateVersion', version);
    },
  });
}
