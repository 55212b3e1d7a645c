import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  CompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { ScmIntegrationRegistry } from '@backstage/integration';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { PolicyDecision } from '@backstage/plugin-permission-common';
import {
  ARGOCD_INSTANCE_NAME_ANNOTATION,
  ApplicationDetailResponse,
  ApplicationHistoryResponse,
  ApplicationSelection,
  ApplicationSummary,
  EntityApplicationsResponse,
  HistoryEntry,
  argocdApplicationManifestReadPermission,
  argocdApplicationReadPermission,
  matchesSelection,
  parseApplicationSelection,
} from '@paved/plugin-argocd-common';
import {
  ArgoApplicationCache,
  CachedApplication,
} from './ArgoApplicationCache';
import { CommitLookup } from './CommitLookup';
import { isCommitSha } from './GitHubRepository';
import {
  toApplicationSummary,
  toHistoryEntries,
  toManagedResources,
} from './applicationMapping';
import { redactManifest } from './manifestRedaction';

/** One Application, as the detail and history routes name it. */
export interface ApplicationRef {
  instance: string;
  namespace: string;
  name: string;
}

interface EntityScope {
  entityRef: string;
  selection: ApplicationSelection;
  instances: string[];
}

/** Whether a permission decision allows it on an Application, conditions included. */
export type ApplicationAuthorizer = (
  decision: PolicyDecision,
  application: CachedApplication,
) => boolean;

/**
 * Answers, for one catalog entity and one caller, which Argo CD Applications belong to it and
 * how they are doing. The entity's annotations select Applications; the permission policy
 * decides which of them the caller sees, typically by their Argo CD project's roles. Reads only
 * the cache, the catalog (as the caller), the permission framework and, for history, commit
 * details; never Kubernetes.
 */
export class ArgoApplicationService {
  // Resources are replaced, never mutated, when they change, so a summary stays valid as long
  // as its resource object lives.
  private readonly summaries = new WeakMap<object, ApplicationSummary>();

  constructor(
    private readonly options: {
      catalog: CatalogService;
      permissions: PermissionsService;
      cache: ArgoApplicationCache;
      integrations: ScmIntegrationRegistry;
      commits: CommitLookup;
      isAllowed: ApplicationAuthorizer;
    },
  ) {}

  async getEntityApplications(
    ref: CompoundEntityRef,
    credentials: BackstageCredentials,
  ): Promise<EntityApplicationsResponse> {
    const { selection, instances } = await this.scopeOf(ref, credentials);
    // One decision for the caller, applied to every cached Application in memory.
    const [decision] = await this.options.permissions.authorizeConditional(
      [{ permission: argocdApplicationReadPermission }],
      { credentials },
    );
    const { cache, isAllowed } = this.options;
    const applications: ApplicationSummary[] = [];
    for (const instance of instances) {
      const matching = [...cache.applications(instance)]
        .filter(
          app =>
            matchesSelection(selection, identityOf(app)) &&
            isAllowed(decision, app),
        )
        .sort(
          (a, b) =>
            a.namespace.localeCompare(b.namespace) ||
            a.name.localeCompare(b.name),
        );
      applications.push(...matching.map(app => this.summaryOf(app)));
    }
    return {
      applications,
      instances: instances.map(name => cache.instanceState(name)!),
    };
  }

  /** The Application's summary, managed resources and manifest, redacted unless allowed. */
  async getApplicationDetail(
    ref: CompoundEntityRef,
    application: ApplicationRef,
    credentials: BackstageCredentials,
  ): Promise<ApplicationDetailResponse> {
    const [readDecision, manifestDecision] =
      await this.options.permissions.authorizeConditional(
        [
          { permission: argocdApplicationReadPermission },
          { permission: argocdApplicationManifestReadPermission },
        ],
        { credentials },
      );
    const app = await this.findApplication(
      ref,
      application,
      credentials,
      readDecision,
    );
    const redacted = !this.options.isAllowed(manifestDecision, app);
    return {
      application: this.summaryOf(app),
      resources: toManagedResources(app.resource),
      manifest: redacted
        ? redactManifest(app.resource)
        : (app.resource as unknown as Record<string, unknown>),
      redacted,
    };
  }

  async getApplicationHistory(
    ref: CompoundEntityRef,
    application: ApplicationRef,
    credentials: BackstageCredentials,
  ): Promise<ApplicationHistoryResponse> {
    const [decision] = await this.options.permissions.authorizeConditional(
      [{ permission: argocdApplicationReadPermission }],
      { credentials },
    );
    const app = await this.findApplication(
      ref,
      application,
      credentials,
      decision,
    );
    const entries = toHistoryEntries(app.resource, this.options.integrations);
    return {
      application: this.summaryOf(app),
      history: await this.withCommits(entries),
    };
  }

  /** Adds commit details, asking once per repository for all its revisions. */
  private async withCommits(entries: HistoryEntry[]): Promise<HistoryEntry[]> {
    const shasByRepo = new Map<string, string[]>();
    for (const entry of entries) {
      if (!entry.source.chart && isCommitSha(entry.revision)) {
        const shas = shasByRepo.get(entry.source.repoURL) ?? [];
        shas.push(entry.revision);
        shasByRepo.set(entry.source.repoURL, shas);
      }
    }
    const results = new Map(
      await Promise.all(
        [...shasByRepo].map(
          async ([repoURL, shas]) =>
            [
              repoURL,
              await this.options.commits.lookup(repoURL, shas),
            ] as const,
        ),
      ),
    );
    return entries.map(entry => {
      const result = results.get(entry.source.repoURL)?.get(entry.revision);
      if (!result) {
        return entry;
      }
      return 'commit' in result
        ? { ...entry, commit: result.commit }
        : { ...entry, commitError: result.error };
    });
  }

  private summaryOf(app: CachedApplication): ApplicationSummary {
    let summary = this.summaries.get(app.resource);
    if (!summary) {
      summary = toApplicationSummary(app, this.options.integrations);
      this.summaries.set(app.resource, summary);
    }
    return summary;
  }

  /**
   * The entity's Application the caller may read. One the caller may not read is answered
   * exactly like one that does not exist, so its existence is not confirmed.
   */
  private async findApplication(
    ref: CompoundEntityRef,
    { instance, namespace, name }: ApplicationRef,
    credentials: BackstageCredentials,
    readDecision: PolicyDecision,
  ): Promise<CachedApplication> {
    const { entityRef, selection } = await this.scopeOf(ref, credentials);
    const { cache } = this.options;
    if (!cache.hasInstance(instance)) {
      throw new NotFoundError(
        `No Argo CD instance named '${instance}'; configured instances: ${
          cache.instanceNames().join(', ') || 'none'
        }`,
      );
    }
    const app = cache.getApplication(instance, namespace, name);
    if (!app || !this.options.isAllowed(readDecision, app)) {
      const state = cache.instanceState(instance)!;
      throw new NotFoundError(
        `No Argo CD Application ${namespace}/${name} on instance ${instance}${
          state.status === 'ready'
            ? ''
            : ` (the instance is ${state.status}${
                state.error ? `: ${state.error}` : ''
              })`
        }`,
      );
    }
    if (!matchesSelection(selection, identityOf(app))) {
      throw new NotFoundError(
        `Argo CD Application ${namespace}/${name} on instance ${instance} is not one of ${entityRef}'s applications`,
      );
    }
    return app;
  }

  /** The entity (read as the caller) and its parsed selection. */
  private async scopeOf(
    ref: CompoundEntityRef,
    credentials: BackstageCredentials,
  ): Promise<EntityScope> {
    const entityRef = stringifyEntityRef(ref);
    const entity = await this.options.catalog.getEntityByRef(entityRef, {
      credentials,
    });
    if (!entity) {
      throw new NotFoundError(`No entity ${entityRef} in the catalog`);
    }
    const selection = parseApplicationSelection(entity);
    const configured = this.options.cache.instanceNames();
    if (!selection.instances) {
      return { entityRef, selection, instances: configured };
    }
    const unknown = selection.instances.filter(i => !configured.includes(i));
    if (unknown.length > 0) {
      throw new InputError(
        `${entityRef} annotation ${ARGOCD_INSTANCE_NAME_ANNOTATION} names unknown Argo CD instance${
          unknown.length > 1 ? 's' : ''
        } ${unknown.join(', ')}; configured instances: ${
          configured.join(', ') || 'none'
        }`,
      );
    }
    return { entityRef, selection, instances: selection.instances };
  }
}

function identityOf(app: CachedApplication) {
  return {
    instance: app.instance.name,
    namespace: app.namespace,
    name: app.name,
    project: app.project,
    labels: app.labels,
  };
}
