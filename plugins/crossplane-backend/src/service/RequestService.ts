import {
  AuditorService,
  BackstageCredentials,
  LoggerService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  ConflictError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { EventsService } from '@backstage/plugin-events-node';
import { SignalsService } from '@backstage/plugin-signals-node';
import {
  ApprovalsResponse,
  EnvironmentOffering,
  FieldError,
  InfrastructureRequest,
  Offering,
  OfferingForm,
  REQUEST_EVENTS_TOPIC,
  REQUEST_SIGNAL_CHANNEL,
  RequestResourceDetail,
  RequestOperation,
  RequestSignal,
  RequestStatus,
  crossplaneRequestApprovePermission,
  crossplaneRequestCreatePermission,
} from '@paved/plugin-crossplane-common';
import type { Request } from 'express';
import { z } from 'zod';
import {
  RequestFilter,
  RequestStore,
  Transition,
} from '../database/RequestStore';
import {
  CrossplaneRequestConfig,
  describeLimit,
  limitsIn,
  narrowSchema,
} from './guardrails';
import { OfferingService } from './OfferingService';
import {
  RequestAuthorizer,
  RequestPermissionResource,
  authorizeRequestRead,
} from './requestPermissions';
import {
  RequestValidationError,
  validateParameters,
} from './requestValidation';
import {
  KUBERNETES_ID_LABEL,
  RequestedKind,
  ResourceTracker,
  TrackedResource,
  requestedKindOf,
} from './ResourceTracker';
import { ResourceWriter, manifestOf } from './ResourceWriter';
import { GitOpsDelivery, GitOpsTarget } from './GitOpsDelivery';

// Kubernetes object names for composite resources and claims: DNS labels, since Crossplane
// derives composed resources' names from them.
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const OPERATIONS = ['create', 'update', 'delete'] as const;

const requestInput = z.object({
  operation: z.enum(OPERATIONS).default('create'),
  offering: z.string().min(1).max(253),
  environment: z.string().min(1).max(63),
  entityRef: z.string().min(1).max(255),
  name: z.string(),
  namespace: z.string().min(1).max(63).optional(),
  // Required of a create or an update by validateParameters; a delete sends none.
  parameters: z.unknown().optional(),
  confirmName: z.string().max(253).optional(),
  clientRequestId: z
    .string()
    .min(8, 'must be at least 8 characters, e.g. a UUID')
    .max(100),
});

const decisionInput = z.object({
  comment: z.string().max(2000).optional(),
});

/** Each operation's happy path, in order; the tracker moves a request along it one step at a time. */
const PROGRESS: Record<RequestOperation, RequestStatus[]> = {
  create: ['queued', 'created', 'synced', 'ready', 'credentials-available'],
  update: ['queued', 'updating', 'synced', 'ready'],
  delete: ['queued', 'deleting', 'deleted'],
};

/** The operation a body asks for, for the audit event of a body that does not parse. */
function operationOf(body: unknown): RequestOperation {
  const operation = (body as { operation?: unknown } | null)?.operation;
  return OPERATIONS.find(o => o === operation) ?? 'create';
}

/** The happy path of a request delivered by pull request: merged before the cluster has it. */
function gitOpsProgress(operation: RequestOperation): RequestStatus[] {
  return ['queued', 'pr-opened', 'merged', ...PROGRESS[operation].slice(1)];
}

function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map(issue => ({
    path: issue.path.join('.') || '(body)',
    message:
      issue.code === 'invalid_type' && issue.input === undefined
        ? 'is required'
        : issue.message,
  }));
}

function conditionOf(resource: TrackedResource, type: string) {
  return resource.conditions.find(c => c.type === type);
}

/**
 * Requests for infrastructure: validated against the offering's schema and the environment's
 * guardrails, decided by the permission policy with the caller's credentials, persisted, then
 * approved where the environment requires it, created on the cluster and followed to Ready.
 */
export class RequestService {
  private readonly openingPullRequests = new Map<
    string,
    Promise<InfrastructureRequest>
  >();

  constructor(
    private readonly options: {
      store: RequestStore;
      offerings: OfferingService;
      tracker: ResourceTracker;
      writer: ResourceWriter;
      /** Delivers in environments with `delivery.type: gitops`. */
      gitops?: GitOpsDelivery;
      config: CrossplaneRequestConfig;
      catalog: CatalogService;
      permissions: PermissionsService;
      isAllowed: RequestAuthorizer;
      userInfo: UserInfoService;
      auditor: AuditorService;
      signals: SignalsService;
      events: EventsService;
      logger: LoggerService;
    },
  ) {}

  // ---- Forms ---------------------------------------------------------------------------------

  /** The offering's form in each environment, guardrails applied. */
  async form(
    name: string,
    credentials: BackstageCredentials,
  ): Promise<OfferingForm> {
    const offering = await this.options.offerings.getOffering(
      name,
      credentials,
    );
    const guardrails = this.options.config.guardrails.get(offering.name);
    return {
      offering,
      environments: this.options.config.environments.map(env =>
        this.environmentForm(offering, env.name),
      ),
      ...(guardrails?.teams ? { teams: guardrails.teams } : {}),
    };
  }

  private environmentForm(
    offering: Offering,
    environment: string,
  ): EnvironmentOffering {
    const env = this.options.config.environments.find(
      e => e.name === environment,
    )!;
    const guardrails = this.options.config.guardrails.get(offering.name);
    const limits = limitsIn(guardrails, env.name);
    const { schema, unknownFields } = narrowSchema(offering.schema, limits);
    if (unknownFields.length > 0) {
      this.options.logger.warn(
        'crossplane.guardrails names fields the offering does not have',
        { offering: offering.name, fields: unknownFields.join(', ') },
      );
    }
    const available = offering.clusters.includes(env.cluster);
    return {
      name: env.name,
      title: env.title,
      cluster: env.cluster,
      approvalRequired: env.approvalRequired,
      schema,
      uiSchema: offering.uiSchema,
      guardrails: limits
        .filter(limit => !unknownFields.includes(limit.field))
        .map(describeLimit),
      ...(guardrails?.quotaPerTeam !== undefined
        ? { quotaPerTeam: guardrails.quotaPerTeam }
        : {}),
      available,
      ...(available
        ? {}
        : {
            unavailableReason: `${offering.title} is not offered on cluster ${env.cluster}`,
          }),
    };
  }

  // ---- Submitting ----------------------------------------------------------------------------

  /** Makes a request, or returns the one made earlier with the same client request id. */
  async submit(
    body: unknown,
    credentials: BackstageCredentials,
    httpRequest: Request,
  ): Promise<{ request: InfrastructureRequest; created: boolean }> {
    const { store, auditor } = this.options;
    const requestedBy = this.userOf(credentials);
    const parsed = requestInput.safeParse(body);
    const operation = parsed.success
      ? parsed.data.operation
      : operationOf(body);
    // One event per operation: request-create, request-update, request-delete.
    const auditEvent = await auditor.createEvent({
      eventId: `request-${operation}`,
      severityLevel: 'medium',
      request: httpRequest,
      meta: parsed.success
        ? {
            offering: parsed.data.offering,
            environment: parsed.data.environment,
            entityRef: parsed.data.entityRef,
            name: parsed.data.name,
          }
        : {},
    });
    try {
      if (!parsed.success) {
        throw new RequestValidationError(fieldErrors(parsed.error));
      }
      const input = parsed.data;
      const earlier = await store.findByClientRequestId(
        requestedBy,
        input.clientRequestId,
      );
      if (earlier) {
        await auditEvent.success({
          meta: { requestId: earlier.id, replay: true },
        });
        return { request: earlier, created: false };
      }
      const prepared = await this.prepare(input, requestedBy, credentials);
      const { request, created } = await store.create(prepared);
      await auditEvent.success({
        meta: { requestId: request.id, status: request.status },
      });
      if (created) {
        this.signal(request);
        if (request.status === 'queued') {
          return { request: await this.deliver(request.id), created };
        }
      }
      return { request, created };
    } catch (error) {
      await auditEvent.fail({ error: error as Error });
      throw error;
    }
  }

  /** Checks a request in the order a person fixes it and builds what is stored. */
  private async prepare(
    input: z.infer<typeof requestInput>,
    requestedBy: string,
    credentials: BackstageCredentials,
  ) {
    const { config, catalog, permissions, isAllowed, tracker, store } =
      this.options;
    const fields: FieldError[] = [];
    if (!DNS_LABEL.test(input.name) || input.name.length > 63) {
      fields.push({
        path: 'name',
        message:
          'must be a Kubernetes name: at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit',
      });
    }
    const env = config.environments.find(e => e.name === input.environment);
    if (!env) {
      fields.push({
        path: 'environment',
        message: `is not an environment of this portal; choose one of ${
          config.environments.map(e => e.name).join(', ') || '(none configured)'
        }`,
      });
    }
    let entity: Entity | undefined;
    let entityRef = input.entityRef;
    try {
      entityRef = stringifyEntityRef(
        parseEntityRef(input.entityRef, { defaultKind: 'component' }),
      );
      entity = await catalog.getEntityByRef(entityRef, { credentials });
    } catch {
      // A malformed ref is reported below like an unknown one.
    }
    if (!entity) {
      fields.push({
        path: 'entityRef',
        message: `${input.entityRef} is not an entity in the catalog`,
      });
    }
    const offering = await this.options.offerings
      .getOffering(input.offering, credentials)
      .catch(error => {
        if (error.name === 'NotFoundError') {
          fields.push({
            path: 'offering',
            message: `is not offered: no offered XRD named ${input.offering}`,
          });
          return undefined;
        }
        throw error;
      });
    if (fields.length > 0 || !env || !entity || !offering) {
      throw new RequestValidationError(fields);
    }
    const form = this.environmentForm(offering, env.name);
    if (!form.available) {
      throw new RequestValidationError([
        { path: 'environment', message: form.unavailableReason! },
      ]);
    }
    const ownerRef = entity.relations?.find(
      r => r.type === 'ownedBy',
    )?.targetRef;
    if (!ownerRef || parseEntityRef(ownerRef).kind !== 'group') {
      throw new RequestValidationError([
        {
          path: 'entityRef',
          message: `${entityRef} is not owned by a team (Group), so nobody's namespace would hold the resource`,
        },
      ]);
    }
    const prospective: RequestPermissionResource = {
      offering: offering.name,
      environment: env.name,
      entityRef,
      ownerRef,
      requestedBy,
    };
    const [decision] = await permissions.authorizeConditional(
      [{ permission: crossplaneRequestCreatePermission }],
      { credentials },
    );
    if (!isAllowed(decision, prospective)) {
      throw new NotAllowedError(
        `You may request infrastructure only for entities your teams own; ${entityRef} is owned by ${ownerRef}`,
      );
    }
    const guardrails = config.guardrails.get(offering.name);
    if (
      input.operation !== 'delete' &&
      guardrails?.teams &&
      !guardrails.teams.includes(ownerRef)
    ) {
      throw new NotAllowedError(
        `${ownerRef} may not request ${
          offering.title
        }; the platform team allows it for ${guardrails.teams.join(', ')}`,
      );
    }
    const kind = requestedKindOf(offering);
    const base = {
      operation: input.operation,
      clientRequestId: input.clientRequestId,
      requestedBy,
      offering: offering.name,
      offeringTitle: offering.title,
      environment: env.name,
      entityRef,
      ownerRef,
      status: env.approvalRequired
        ? ('awaiting-approval' as const)
        : ('queued' as const),
    };
    if (input.operation !== 'create') {
      const live = this.liveResourceOf(input, entity, entityRef, kind, {
        cluster: env.cluster,
        ownerRef,
      });
      if (input.operation === 'delete') {
        if (input.confirmName !== input.name) {
          throw new RequestValidationError([
            {
              path: 'confirmName',
              message: `must repeat the resource's name, ${input.name}, to confirm that it is deleted`,
            },
          ]);
        }
        return {
          ...base,
          resource: live.resource,
          parameters: live.parameters,
        };
      }
      // Crossplane's own fields are not in the form, so none that it makes immutable can be sent.
      const parameters = validateParameters({
        schema: form.schema,
        parameters: input.parameters,
        limits: limitsIn(guardrails, env.name),
        environment: env.name,
      });
      return { ...base, resource: live.resource, parameters };
    }
    const parameters = validateParameters({
      schema: form.schema,
      parameters: input.parameters,
      limits: limitsIn(guardrails, env.name),
      environment: env.name,
    });

    const namespace = kind.namespaced
      ? parseEntityRef(ownerRef).name
      : undefined;
    const resource = {
      cluster: env.cluster,
      apiVersion: `${kind.group}/${kind.version}`,
      kind: kind.kind,
      ...(namespace ? { namespace } : {}),
      name: input.name,
    };
    if (tracker.get(resource)) {
      throw new ConflictError(
        `A ${kind.kind} named ${input.name} already exists${
          namespace ? ` in ${namespace}` : ''
        } on ${env.cluster}; choose another name`,
      );
    }
    if (guardrails?.quotaPerTeam !== undefined) {
      const pending = await store.list({
        ownerRefs: [ownerRef],
        offering: offering.name,
        environment: env.name,
        operations: ['create'],
        // 'created' too: the watch may not have seen a just-created resource yet.
        statuses: [
          'awaiting-approval',
          'queued',
          'pr-opened',
          'merged',
          'created',
        ],
        limit: 500,
      });
      const live = new Set([
        ...tracker.namesIn(resource),
        ...pending.map(r => r.resource.name),
      ]);
      if (live.size >= guardrails.quotaPerTeam) {
        throw new ConflictError(
          `${ownerRef} already has ${live.size} of its quota of ${guardrails.quotaPerTeam} ${offering.title} resources in ${env.name}; delete one or ask the platform team to raise it`,
        );
      }
    }
    // Claims of a v1 XRD name where Crossplane writes the connection details.
    const spec = offering.claim
      ? {
          ...parameters,
          writeConnectionSecretToRef: { name: `${input.name}-connection` },
        }
      : parameters;
    return { ...base, resource, parameters: spec };
  }

  /**
   * The live resource an update or a delete names, which must belong to the entity: created by
   * Paved for it, or labelled with its `backstage.io/kubernetes-id`.
   */
  private liveResourceOf(
    input: z.infer<typeof requestInput>,
    entity: Entity,
    entityRef: string,
    kind: RequestedKind,
    where: { cluster: string; ownerRef: string },
  ) {
    const { tracker } = this.options;
    const namespace = kind.namespaced
      ? input.namespace ?? parseEntityRef(where.ownerRef).name
      : undefined;
    const resource = {
      cluster: where.cluster,
      apiVersion: `${kind.group}/${kind.version}`,
      kind: kind.kind,
      ...(namespace ? { namespace } : {}),
      name: input.name,
    };
    if (!tracker.isReady(resource)) {
      throw new ServiceUnavailableError(
        `The ${kind.kind} resources of cluster ${where.cluster} are not readable right now; try again in a moment`,
      );
    }
    const live = tracker.get(resource);
    const kubernetesId = entity.metadata.annotations?.[KUBERNETES_ID_LABEL];
    const belongs =
      live &&
      (live.requestedFor?.toLocaleLowerCase('en-US') ===
        entityRef.toLocaleLowerCase('en-US') ||
        (kubernetesId !== undefined && live.kubernetesId === kubernetesId));
    if (!live || !belongs) {
      throw new RequestValidationError([
        {
          path: 'name',
          message: `is not a live ${kind.kind} of ${entityRef}${
            namespace ? ` in ${namespace}` : ''
          } on ${where.cluster}`,
        },
      ]);
    }
    if (live.deleting) {
      throw new ConflictError(
        `${kind.kind} ${input.name} on ${where.cluster} is being deleted`,
      );
    }
    return { resource, parameters: live.parameters };
  }

  // ---- Approvals -----------------------------------------------------------------------------

  async decide(
    id: string,
    decision: 'approve' | 'reject',
    body: unknown,
    credentials: BackstageCredentials,
    httpRequest: Request,
  ): Promise<InfrastructureRequest> {
    const { store, permissions, isAllowed, auditor } = this.options;
    const actor = this.userOf(credentials);
    const auditEvent = await auditor.createEvent({
      eventId: decision === 'approve' ? 'request-approve' : 'request-reject',
      severityLevel: 'high',
      request: httpRequest,
      meta: { requestId: id },
    });
    try {
      const parsed = decisionInput.safeParse(body ?? {});
      if (!parsed.success) {
        throw new RequestValidationError(fieldErrors(parsed.error));
      }
      const comment = parsed.data.comment?.trim() || undefined;
      if (decision === 'reject' && !comment) {
        throw new RequestValidationError([
          {
            path: 'comment',
            message: 'is required: say why, so the requester can fix it',
          },
        ]);
      }
      const request = await store.get(id);
      if (!request) throw new NotFoundError(`No request with id ${id}`);
      const [authorized] = await permissions.authorizeConditional(
        [{ permission: crossplaneRequestApprovePermission }],
        { credentials },
      );
      if (!isAllowed(authorized, request)) {
        throw new NotAllowedError(
          'Only approvers may approve or reject requests for infrastructure',
        );
      }
      if (request.requestedBy === actor) {
        throw new NotAllowedError(
          'You cannot approve or reject your own request; another approver must',
        );
      }
      if (request.status !== 'awaiting-approval') {
        throw new ConflictError(
          `The request is ${request.status}, not awaiting approval`,
        );
      }
      const moved = await store.transition(id, {
        from: ['awaiting-approval'],
        to: decision === 'approve' ? 'queued' : 'rejected',
        actor,
        ...(comment ? { message: comment } : {}),
        approval: {
          decision: decision === 'approve' ? 'approved' : 'rejected',
          by: actor,
          at: new Date().toISOString(),
          ...(comment ? { comment } : {}),
        },
      });
      if (!moved) {
        throw new ConflictError(
          'Someone else decided this request a moment ago; reload it',
        );
      }
      await auditEvent.success({ meta: { status: moved.status } });
      this.signal(moved);
      return decision === 'approve' ? await this.deliver(id) : moved;
    } catch (error) {
      await auditEvent.fail({ error: error as Error });
      throw error;
    }
  }

  // ---- Delivery and tracking -----------------------------------------------------------------

  /**
   * Creates a queued request's resource. A passing failure (cluster unreachable) keeps it
   * queued with the reason, for the scheduled retry; a refusal fails it with the cluster's message.
   */
  async deliver(id: string): Promise<InfrastructureRequest> {
    const { store, offerings } = this.options;
    const request = await store.get(id);
    if (!request) throw new NotFoundError(`No request with id ${id}`);
    if (request.status !== 'queued') return request;
    const target = this.gitOpsTargetOf(request);
    if (target) return this.openPullRequestOnce(request, target);
    const offering = offerings.find(request.offering);
    if (!offering) {
      await store.setMessage(
        id,
        `${request.offeringTitle} is not offered right now (no cluster serves ${request.offering}); retrying`,
      );
      return (await store.get(id))!;
    }
    const kind = requestedKindOf(offering);
    switch (request.operation) {
      case 'update':
        await this.deliverUpdate(request, kind);
        break;
      case 'delete':
        await this.deliverDelete(request, kind);
        break;
      default:
        await this.deliverCreate(request, kind);
    }
    return (await store.get(id))!;
  }

  private async deliverCreate(
    request: InfrastructureRequest,
    kind: RequestedKind,
  ) {
    const outcome = await this.options.writer.create(request, kind);
    if (outcome.result !== 'created') {
      await this.deliveryFailed(request, outcome);
      return;
    }
    await this.move(request.id, { from: ['queued'], to: 'created' });
    // The watch may have seen the resource before the row moved; catch up from it.
    const tracked = this.options.tracker.get(request.resource);
    if (tracked) await this.observe(tracked);
  }

  private async deliverUpdate(
    request: InfrastructureRequest,
    kind: RequestedKind,
  ) {
    const outcome = await this.options.writer.update(request, kind);
    if (outcome.result === 'gone') {
      await this.deliveryFailed(request, {
        result: 'refused',
        message: `the ${request.resource.kind} no longer exists on cluster ${request.resource.cluster}`,
      });
    } else if (outcome.result === 'updated') {
      // The watch brings the changed resource, labelled with this request, to observe();
      // it may have brought it before the row moved, so catch up from it.
      await this.move(request.id, {
        from: ['queued'],
        to: 'updating',
        ...(outcome.generation !== undefined
          ? { generation: outcome.generation }
          : {}),
      });
      const tracked = this.options.tracker.get(request.resource);
      if (tracked?.requestId === request.id) await this.observe(tracked);
    } else {
      await this.deliveryFailed(request, outcome);
    }
  }

  private async deliverDelete(
    request: InfrastructureRequest,
    kind: RequestedKind,
  ) {
    const outcome = await this.options.writer.delete(request, kind);
    if (outcome.result === 'deleting' || outcome.result === 'gone') {
      await this.move(request.id, { from: ['queued'], to: 'deleting' });
      // The watch may have seen it go before the row moved.
      await this.checkDeleted(request);
    } else {
      await this.deliveryFailed(request, outcome);
    }
  }

  /** A refusal fails the request with the cluster's message; a passing failure waits for the retry. */
  private async deliveryFailed(
    request: InfrastructureRequest,
    outcome: { result: 'refused' | 'retry'; message: string },
  ) {
    if (outcome.result === 'refused') {
      await this.move(request.id, {
        from: ['queued'],
        to: 'failed',
        message: outcome.message,
      });
      return;
    }
    this.options.logger.warn('Could not deliver a request; will retry', {
      requestId: request.id,
      operation: request.operation,
      error: outcome.message,
    });
    await this.options.store.setMessage(
      request.id,
      `${outcome.message}; retrying`,
    );
  }

  /** Moves a request and announces it; undefined when another replica moved it first. */
  private async move(id: string, transition: Transition) {
    const moved = await this.options.store.transition(id, transition);
    if (moved) this.signal(moved);
    return moved;
  }

  /** A deleting request whose resource the tracker knows to be gone is deleted. */
  private async checkDeleted(request: InfrastructureRequest) {
    const { tracker } = this.options;
    if (
      request.operation === 'delete' &&
      (request.status === 'deleting' || request.status === 'merged') &&
      tracker.isReady(request.resource) &&
      !tracker.get(request.resource)
    ) {
      await this.move(request.id, { from: [request.status], to: 'deleted' });
    }
  }

  /** A resource gone from its cluster ends the delete request that holds it. */
  async observeGone(resource: TrackedResource): Promise<void> {
    const request = await this.options.store.findActive(resource);
    // Deleted directly (`deleting`), or pruned by Argo CD after its pull request (`merged`).
    if (
      request?.operation === 'delete' &&
      (request.status === 'deleting' || request.status === 'merged')
    ) {
      await this.move(request.id, { from: [request.status], to: 'deleted' });
    }
  }

  /** The GitOps repository a request is delivered through, if its environment uses one. */
  private gitOpsTargetOf(
    request: InfrastructureRequest,
  ): GitOpsTarget | undefined {
    const env = this.options.config.environments.find(
      e => e.name === request.environment,
    );
    return env?.delivery.type === 'gitops' ? env.delivery : undefined;
  }

  /**
   * One attempt per request at a time in this replica: the submit or approval that queued it
   * and the scheduled retry would otherwise race for the same branch. Other replicas' attempts
   * are made safe by {@link GitOpsDelivery} finding what an earlier one made.
   */
  private openPullRequestOnce(
    request: InfrastructureRequest,
    target: GitOpsTarget,
  ): Promise<InfrastructureRequest> {
    const running = this.openingPullRequests.get(request.id);
    if (running) return running;
    const attempt = this.openPullRequest(request, target).finally(() =>
      this.openingPullRequests.delete(request.id),
    );
    this.openingPullRequests.set(request.id, attempt);
    return attempt;
  }

  /**
   * Commits a queued request's manifest and opens its pull request. A passing failure (rate
   * limit) keeps it queued until `retryAt`; a refusal fails it with GitHub's message.
   */
  private async openPullRequest(
    request: InfrastructureRequest,
    target: GitOpsTarget,
  ): Promise<InfrastructureRequest> {
    const { store, gitops, auditor, logger } = this.options;
    if (!gitops) {
      throw new Error('GitOps delivery is configured but was not set up');
    }
    const auditEvent = await auditor.createEvent({
      eventId: 'request-pull-request-open',
      severityLevel: 'medium',
      meta: { requestId: request.id, repository: target.repository },
    });
    // A delete removes the resource's file; Argo CD prunes what the repository no longer has.
    const outcome = await gitops.open(
      request,
      target,
      request.operation === 'delete' ? undefined : manifestOf(request),
    );
    if (outcome.result === 'opened') {
      const { pullRequest } = outcome;
      const moved = await store.transition(request.id, {
        from: ['queued'],
        to: 'pr-opened',
        message: `Pull request #${pullRequest.number} opened in ${target.owner}/${target.repo}`,
        pullRequest,
      });
      await auditEvent.success({
        meta: { pullRequest: pullRequest.url, moved: Boolean(moved) },
      });
      if (moved) this.signal(moved);
    } else if (outcome.result === 'refused') {
      await auditEvent.fail({ error: new Error(outcome.message) });
      const moved = await store.transition(request.id, {
        from: ['queued'],
        to: 'failed',
        message: outcome.message,
      });
      if (moved) this.signal(moved);
    } else {
      await auditEvent.fail({ error: new Error(outcome.message) });
      logger.warn('Could not open the pull request of a request; will retry', {
        requestId: request.id,
        error: outcome.message,
        ...(outcome.retryAt ? { retryAt: outcome.retryAt.toISOString() } : {}),
      });
      await store.setMessage(request.id, outcome.message, outcome.retryAt);
      this.signal(request);
    }
    return (await store.get(request.id))!;
  }

  /** Moves a request whose pull request was merged or closed since it was opened. */
  private async followPullRequest(id: string): Promise<void> {
    const { store, gitops } = this.options;
    const request = await store.get(id);
    const target = request && this.gitOpsTargetOf(request);
    if (
      !request?.pullRequest ||
      request.status !== 'pr-opened' ||
      !target ||
      !gitops
    ) {
      return;
    }
    const { pullRequest } = request;
    const pr = await gitops.state(target, pullRequest);
    if (pr.state === 'unknown') {
      await store.setMessage(id, pr.message, pr.retryAt);
      return;
    }
    if (pr.state === 'open') return;
    const by = pr.by ? `user ${pr.by}` : 'someone';
    const moved = await store.transition(id, {
      from: ['pr-opened'],
      ...(pr.state === 'merged'
        ? {
            to: 'merged',
            message: `Pull request #${pullRequest.number} merged by ${by}; ${
              request.operation === 'delete'
                ? 'waiting for Argo CD to prune it'
                : 'waiting for Argo CD to apply it'
            }`,
          }
        : {
            to: 'failed',
            message: `Pull request #${
              pullRequest.number
            } was closed without merging by ${by}${
              pr.at ? ` at ${pr.at}` : ''
            }; nothing was created`,
          }),
    });
    if (moved) this.signal(moved);
    // Argo CD may have applied it before the merge was read; catch up from the resource.
    const tracked = moved && this.options.tracker.get(moved.resource);
    if (tracked) await this.observe(tracked);
  }

  /**
   * Retries queued requests that are due, follows open pull requests, and re-checks requests
   * still waiting for their Secret.
   */
  async catchUp(): Promise<void> {
    const { store, tracker } = this.options;
    const now = new Date();
    for (const id of await store.idsWithStatus(['queued'], 100, now)) {
      await this.deliver(id).catch(error =>
        this.options.logger.error('Delivering a request failed', {
          requestId: id,
          error: String(error),
        }),
      );
    }
    for (const id of await store.idsWithStatus(['pr-opened'], 100, now)) {
      await this.followPullRequest(id).catch(error =>
        this.options.logger.error('Following a pull request failed', {
          requestId: id,
          error: String(error),
        }),
      );
    }
    for (const resource of tracker.requested()) {
      await this.observe(resource);
    }
    for (const id of await store.idsWithStatus(['deleting', 'merged'], 100)) {
      const request = await store.get(id);
      if (request) await this.checkDeleted(request);
    }
  }

  /** Moves the request behind a live resource along its timeline, as far as the resource is. */
  async observe(resource: TrackedResource): Promise<void> {
    const { store } = this.options;
    let request = resource.requestId
      ? await store.get(resource.requestId)
      : undefined;
    // Argo CD may apply a merged pull request before the scheduled catch-up notices the merge:
    // record the merge first, with who merged it, rather than step over it without a word.
    if (request?.status === 'pr-opened') {
      await this.followPullRequest(request.id);
      request = await store.get(request.id);
    }
    if (
      !request ||
      request.resource.cluster !== resource.cluster ||
      request.resource.name !== resource.name ||
      // A delete ends when the resource is gone (observeGone); a resource going away moves
      // no create or update on.
      request.operation === 'delete' ||
      resource.deleting ||
      [
        'rejected',
        'awaiting-approval',
        'queued',
        'credentials-available',
      ].includes(request.status)
    ) {
      return;
    }
    // An update is judged on the generation its change made, once the controller saw it.
    if (request.operation === 'update' && request.generation !== undefined) {
      const seen = resource.observedGeneration ?? resource.generation ?? 0;
      if (
        (resource.generation ?? 0) < request.generation ||
        seen < request.generation
      ) {
        return;
      }
    }
    const synced = conditionOf(resource, 'Synced');
    const ready = conditionOf(resource, 'Ready');
    if (synced?.status === 'False') {
      const message = `${synced.reason ?? 'Synced=False'}: ${
        synced.message ?? 'no message'
      }`;
      if (request.status !== 'failed' || request.message !== message) {
        await this.move(request.id, {
          from: ['created', 'updating', 'synced', 'ready', 'failed'],
          to: 'failed',
          message,
        });
      }
      return;
    }
    let target: RequestStatus = PROGRESS[request.operation][1];
    let message: string | undefined;
    if (synced?.status === 'True') target = 'synced';
    if (synced?.status === 'True' && ready?.status === 'True') {
      target = 'ready';
      if (request.operation === 'create' && resource.connectionSecret) {
        const secret = await this.options.writer
          .secretKeys(resource.cluster, resource.connectionSecret)
          .catch(() => undefined);
        if (secret) {
          target = 'credentials-available';
          message = `Secret ${secret.namespace ? `${secret.namespace}/` : ''}${
            secret.name
          } holds ${secret.keys.join(', ') || 'no keys yet'}`;
        }
      }
    } else if (ready?.status === 'False' && ready.message) {
      message = `${ready.reason}: ${ready.message}`;
    }
    // A failed request whose resource recovered continues from where the resource is.
    const progress = request.pullRequest
      ? gitOpsProgress(request.operation)
      : PROGRESS[request.operation];
    let current = request.status;
    if (current === 'failed') {
      current = request.pullRequest ? 'merged' : 'queued';
    }
    const from = progress.indexOf(current);
    const to = progress.indexOf(target);
    for (let step = from + 1; step <= to; step++) {
      const moved = await this.move(request.id, {
        from: step === from + 1 ? [request.status] : [progress[step - 1]],
        to: progress[step],
        ...(step === to && message ? { message } : {}),
      });
      if (!moved) return; // another replica moved it first
    }
    if (to <= from && message && request.message !== message) {
      await store.setMessage(request.id, message);
      this.signal({ ...request, message });
    }
  }

  // ---- Reading -------------------------------------------------------------------------------

  async get(
    id: string,
    credentials: BackstageCredentials,
  ): Promise<InfrastructureRequest> {
    await this.authorizeRead(credentials);
    const request = await this.options.store.get(id);
    if (!request) throw new NotFoundError(`No request with id ${id}`);
    return request;
  }

  async list(
    query: {
      entityRef?: string;
      mine?: boolean;
      statuses?: RequestStatus[];
      limit?: number;
      offset?: number;
    },
    credentials: BackstageCredentials,
  ): Promise<InfrastructureRequest[]> {
    await this.authorizeRead(credentials);
    const filter: RequestFilter = {
      limit: query.limit ?? 200,
      offset: query.offset ?? 0,
    };
    if (query.entityRef) {
      filter.entityRef = stringifyEntityRef(
        parseEntityRef(query.entityRef, { defaultKind: 'component' }),
      );
    }
    if (query.statuses) filter.statuses = query.statuses;
    if (query.mine) {
      const info = await this.options.userInfo.getUserInfo(credentials);
      filter.ownerRefs = info.ownershipEntityRefs.filter(
        ref => parseEntityRef(ref).kind === 'group',
      );
      if (filter.ownerRefs.length === 0) {
        filter.requestedBy = info.userEntityRef;
        delete filter.ownerRefs;
      }
    }
    return this.options.store.list(filter);
  }

  async approvals(
    credentials: BackstageCredentials,
  ): Promise<ApprovalsResponse> {
    await this.authorizeRead(credentials);
    const [decision] = await this.options.permissions.authorizeConditional(
      [{ permission: crossplaneRequestApprovePermission }],
      { credentials },
    );
    const requests = await this.options.store.list({
      statuses: ['awaiting-approval'],
      limit: 200,
    });
    return {
      requests,
      mayApprove: decision.result !== AuthorizeResult.DENY,
    };
  }

  async resourceDetail(
    id: string,
    credentials: BackstageCredentials,
  ): Promise<RequestResourceDetail> {
    const request = await this.get(id, credentials);
    if (!this.options.tracker.isReady(request.resource)) {
      const detail = await this.options.writer.detail(undefined);
      return {
        ...detail,
        error: `The resources of cluster ${request.resource.cluster} are not readable right now`,
      };
    }
    return this.options.writer.detail(
      this.options.tracker.get(request.resource),
    );
  }

  // ---- Helpers -------------------------------------------------------------------------------

  private authorizeRead(credentials: BackstageCredentials) {
    return authorizeRequestRead(this.options.permissions, credentials);
  }

  private userOf(credentials: BackstageCredentials): string {
    const principal = credentials.principal as { userEntityRef?: string };
    if (!principal.userEntityRef) {
      throw new NotAllowedError(
        'Requests for infrastructure are made by people, or by services on their behalf',
      );
    }
    return principal.userEntityRef;
  }

  /** Tells browsers (signals) and backend modules (events, e.g. the catalog's provider). */
  private signal(request: InfrastructureRequest) {
    const message: RequestSignal = {
      id: request.id,
      status: request.status,
      entityRef: request.entityRef,
    };
    const warn = (error: unknown) =>
      this.options.logger.warn('Could not announce a request change', {
        requestId: request.id,
        error: String(error),
      });
    this.options.signals
      .publish({
        recipients: { type: 'broadcast' },
        channel: REQUEST_SIGNAL_CHANNEL,
        message,
      })
      .catch(warn);
    this.options.events
      .publish({ topic: REQUEST_EVENTS_TOPIC, eventPayload: message })
      .catch(warn);
  }
}
