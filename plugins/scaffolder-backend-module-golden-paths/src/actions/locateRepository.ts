import {
  ANNOTATION_SOURCE_LOCATION,
  RELATION_OWNED_BY,
  parseEntityRef,
  parseLocationRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { ScmIntegrationRegistry } from '@backstage/integration';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { RepositoryDestination } from '../destination';
import { isMember } from './checkService';

const PROJECT_SLUG_ANNOTATION = 'github.com/project-slug';

/**
 * `golden-path:locate-repository`: the first step of Paved's fix-it templates (e.g. "Add
 * CODEOWNERS", linked from a failing scorecard check). Finds the GitHub repository of a
 * component the person's team owns, and refuses anyone else's, so a fix is proposed only by
 * the service's owners.
 */
export function createLocateRepositoryAction(options: {
  catalog: CatalogService;
  integrations: ScmIntegrationRegistry;
  destination: RepositoryDestination | undefined;
}) {
  const { catalog, integrations, destination } = options;
  return createTemplateAction({
    id: 'golden-path:locate-repository',
    description:
      "Finds the GitHub repository of a component owned by one of the person's teams, for a template that proposes a change to it",
    schema: {
      input: {
        entityRef: z =>
          z
            .string()
            .describe(
              'The component, as an entity ref (component:default/payments-service)',
            ),
      },
      output: {
        repoUrl: z =>
          z
            .string()
            .describe(
              'Repository in publish:github:pull-request form: host?owner=o&repo=r',
            ),
        org: z => z.string().describe('GitHub organisation of the repository'),
        repo: z => z.string().describe('Repository name'),
        ownerName: z =>
          z
            .string()
            .describe(
              'Name of the owning group, also its GitHub team slug (CODEOWNERS)',
            ),
      },
    },
    async handler(ctx) {
      const entityRef = stringifyEntityRef(
        parseEntityRef(ctx.input.entityRef, {
          defaultKind: 'component',
          defaultNamespace: 'default',
        }),
      );
      const entity = await catalog.getEntityByRef(entityRef, {
        credentials: await ctx.getInitiatorCredentials(),
      });
      if (!entity) throw new NotFoundError(`No ${entityRef} in the catalog`);
      const ownerRef = entity.relations?.find(
        r => r.type === RELATION_OWNED_BY,
      )?.targetRef;
      if (!ownerRef || parseEntityRef(ownerRef).kind !== 'group') {
        throw new InputError(
          `${entityRef} is not owned by a team; set spec.owner to a Group first`,
        );
      }
      if (!isMember(ctx.user?.entity, ownerRef)) {
        throw new NotAllowedError(
          `Only members of ${ownerRef}, which owns ${entityRef}, may propose changes to its repository`,
        );
      }
      const slug = entity.metadata.annotations?.[PROJECT_SLUG_ANNOTATION];
      const [org, repo] = slug?.split('/') ?? [];
      if (!org || !repo) {
        throw new InputError(
          `${entityRef} has no ${PROJECT_SLUG_ANNOTATION} annotation naming its repository (org/repo)`,
        );
      }
      // The host of the entity's source, else where golden paths publish.
      const source = entity.metadata.annotations?.[ANNOTATION_SOURCE_LOCATION];
      const host =
        (source &&
          integrations.github.byUrl(parseLocationRef(source).target)?.config
            .host) ??
        destination?.host;
      if (!host || !integrations.github.byHost(host)) {
        throw new InputError(
          `No GitHub integration serves ${entityRef}'s repository; configure integrations.github`,
        );
      }
      ctx.output('repoUrl', `${host}?owner=${org}&repo=${repo}`);
      ctx.output('org', org);
      ctx.output('repo', repo);
      ctx.output('ownerName', parseEntityRef(ownerRef).name);
    },
  });
}
