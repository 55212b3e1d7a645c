import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import {
  FactRetriever,
  TechInsightFact,
} from '@backstage-community/plugin-tech-insights-node';
import { CatalogService } from '@backstage/plugin-catalog-node';

/** Id of the catalog fact retriever, for checks' `factIds` and `techInsights.factRetrievers`. */
export const CATALOG_FACT_RETRIEVER_ID = 'catalogEntityFactRetriever';

/** Annotations that connect an entity to an on-call rotation. */
export const ON_CALL_ANNOTATIONS = [
  'pagerduty.com/service-id',
  'pagerduty.com/integration-key',
  'opsgenie.com/component-selector',
  'opsgenie.com/team',
];

const ON_CALL_LINK = /on[- ]?call|pager|incident/i;

/**
 * The catalog fact retriever: what a component's own catalog entry says about it, and whether the
 * entities it names exist (its owner as a Group, the APIs it provides with their definitions).
 */
export function createCatalogFactRetriever(options: {
  catalog: CatalogService;
}): FactRetriever {
  const { catalog } = options;
  return {
    id: CATALOG_FACT_RETRIEVER_ID,
    version: '0.1.0',
    title: 'Catalog entry',
    description:
      'Owner resolving to a group, lifecycle, description, system, TechDocs, provided APIs with definitions, links and on-call',
    entityFilter: [{ kind: 'component' }],
    schema: {
      hasOwner: { type: 'boolean', description: 'spec.owner is set' },
      ownerIsGroup: {
        type: 'boolean',
        description: 'spec.owner names a Group that exists in the catalog',
      },
      hasLifecycle: { type: 'boolean', description: 'spec.lifecycle is set' },
      hasDescription: {
        type: 'boolean',
        description: 'metadata.description is set',
      },
      hasSystem: { type: 'boolean', description: 'spec.system is set' },
      hasTechDocs: {
        type: 'boolean',
        description: 'The backstage.io/techdocs-ref annotation is set',
      },
      providedApis: {
        type: 'integer',
        description: 'APIs named in spec.providesApis',
      },
      providedApisWithoutDefinition: {
        type: 'integer',
        description:
          'Provided APIs missing from the catalog or without spec.definition',
      },
      hasLinks: { type: 'boolean', description: 'metadata.links is not empty' },
      hasOnCall: {
        type: 'boolean',
        description:
          'A PagerDuty or Opsgenie annotation, or a link to an on-call page',
      },
    },
    async handler({ auth, entityFilter }) {
      const credentials = await auth.getOwnServiceCredentials();
      const asked = entityFilter ?? {};
      const [components, groups, apis] = await Promise.all([
        catalog.getEntities(
          {
            // The components Tech Insights or a one-entity refresh asks for; all groups and
            // defined APIs, since a component's owner and APIs are looked up among them.
            filter: (Array.isArray(asked) ? asked : [asked]).map(filter => ({
              ...filter,
              kind: 'Component',
            })),
            fields: ['kind', 'metadata', 'spec'],
          },
          { credentials },
        ),
        catalog.getEntities(
          { filter: { kind: 'Group' }, fields: ['kind', 'metadata'] },
          { credentials },
        ),
        catalog.getEntities(
          {
            filter: { kind: 'API', 'spec.definition': CATALOG_FILTER_EXISTS },
            fields: ['kind', 'metadata'],
          },
          { credentials },
        ),
      ]);
      const groupRefs = new Set(groups.items.map(ref));
      const definedApis = new Set(apis.items.map(ref));
      return components.items.map(entity =>
        factsOf(entity, groupRefs, definedApis),
      );
    },
  };
}

function ref(entity: Entity): string {
  return stringifyEntityRef(entity);
}

function refOrUndefined(
  value: unknown,
  defaultKind: string,
  namespace: string,
): string | undefined {
  if (typeof value !== 'string' || !value) return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(value, { defaultKind, defaultNamespace: namespace }),
    );
  } catch {
    return undefined;
  }
}

function factsOf(
  entity: Entity,
  groupRefs: Set<string>,
  definedApis: Set<string>,
): TechInsightFact {
  const namespace = entity.metadata.namespace ?? 'default';
  const spec = (entity.spec ?? {}) as Record<string, unknown>;
  const owner = refOrUndefined(spec.owner, 'Group', namespace);
  const provided = Array.isArray(spec.providesApis) ? spec.providesApis : [];
  const providedRefs = provided.map(api =>
    refOrUndefined(api, 'API', namespace),
  );
  const annotations = entity.metadata.annotations ?? {};
  const links = entity.metadata.links ?? [];
  return {
    entity: { kind: entity.kind, namespace, name: entity.metadata.name },
    facts: {
      hasOwner: Boolean(owner),
      ownerIsGroup: Boolean(owner && groupRefs.has(owner)),
      hasLifecycle: Boolean(spec.lifecycle),
      hasDescription: Boolean(entity.metadata.description?.trim()),
      hasSystem: Boolean(spec.system),
      hasTechDocs: Boolean(annotations['backstage.io/techdocs-ref']),
      providedApis: provided.length,
      providedApisWithoutDefinition: providedRefs.filter(
        api => !api || !definedApis.has(api),
      ).length,
      hasLinks: links.length > 0,
      hasOnCall:
        ON_CALL_ANNOTATIONS.some(a => Boolean(annotations[a])) ||
        links.some(l => ON_CALL_LINK.test(`${l.title ?? ''} ${l.type ?? ''}`)),
    },
  };
}
