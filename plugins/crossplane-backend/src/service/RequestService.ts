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
  RequestSignal,
  RequestStatus,
  crossplaneRequestApprovePermission,
  crossplaneRequestCreatePermission,
} from '@paved/plugin-crossplane-common';
import type { Request } from 'express';
import { z } from 'zod';
import { RequestFilter, RequestStore } from '../database/RequestStore';
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
  ResourceTracker,
  TrackedResource,
  requestedKindOf,
} from './ResourceTracker';
import { ResourceWriter } from './ResourceWriter';

// Kubernetes object names for composite resources and claims: DNS labels, since Crossplane
// derives composed resources' names from them.
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const requestInput = z.object({
  offering: z.string().min(1).max(253),
  environment: z.string().min(1).max(63),
  entityRef: z.string().min(1).max(255),
  name: z.string(),
  parameters: z.unknown(),
  clientRequestId: z
    .string()
    .min(8, 'must be at least 8 characters, e.g. a UUID')
    .max(100),
});

const decisionInput = z.object({
  comment: z.string().max(2000).optional(),
});

/** The happy path, in order; the tracker moves a request along it one step at a time. */
const PROGRESS: RequestStatus[] = [
  'queued',
  'created',
  'synced',
  'ready',
  'credentials-available',
];

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
  constructor(
    private readonly options: {
      store: RequestStore;
      offerings: OfferingService;
      tracker: ResourceTracker;
      writer: ResourceWriter;
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
    const auditEvent = await auditor.createEvent({
      eventId: 'request-create',
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
    if (guardrails?.teams && !guardrails.teams.includes(ownerRef)) {
      throw new NotAllowedError(
        `${ownerRef} may not request ${
          offering.title
        }; the platform team allows it for ${guardrails.teams.join(', ')}`,
      );
    }
    const parameters = validateParameters({
      schema: form.schema,
      parameters: input.parameters,
      limits: limitsIn(guardrails, env.name),
      environment: env.name,
    });

    const kind = requestedKindOf(offering);
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
        // 'created' too: the watch may not have seen a just-created resource yet.
        statuses: ['awaiting-approval', 'queued', 'created'],
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
    return {
      clientRequestId: input.clientRequestId,
      requestedBy,
      offering: offering.name,
      offeringTitle: offering.title,
      environment: env.name,
      entityRef,
      ownerRef,
      resource,
      parameters: spec,
      status: env.approvalRequired
        ? ('awaiting-approval' as const)
        : ('queued' as const),
    };
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
    const { store, writer, offerings, logger } = this.options;
    const request = await store.get(id);
    if (!request) throw new NotFoundError(`No request with id ${id}`);
    if (request.status !== 'queued') return request;
    const offering = offerings.find(request.offering);
    if (!offering) {
      await store.setMessage(
        id,
        `${request.offeringTitle} is not offered right now (no cluster serves ${request.offering}); retrying`,
      );
      return (await store.get(id))!;
    }
    const outcome = await writer.create(request, requestedKindOf(offering));
    if (outcome.result === 'created') {
      const moved = await store.transition(id, {
        from: ['queued'],
        to: 'created',
      });
      if (moved) this.signal(moved);
      // The watch may have seen the resource before the row moved; catch up from it.
      const tracked = this.options.tracker.get(request.resource);
      if (tracked) await this.observe(tracked);
    } else if (outcome.result === 'refused') {
      const moved = await store.transition(id, {
        from: ['queued'],
        to: 'failed',
        message: outcome.message,
      });
      if (moved) this.signal(moved);
    } else {
      logger.warn('Could not create requested resource; will retry', {
        requestId: id,
        error: outcome.message,
      });
      await store.setMessage(id, `${outcome.message}; retrying`);
    }
    return (await store.get(id))!;
  }

  /** Retries queued requests and re-checks requests still waiting for their Secret. */
  async catchUp(): Promise<void> {
    const { store, tracker } = this.options;
    for (const id of await store.idsWithStatus(['queued'], 100)) {
      await this.deliver(id).catch(error =>
        this.options.logger.error('Delivering a request failed', {
          requestId: id,
          error: String(error),
        }),
      );
    }
    for (const resource of tracker.requested()) {
      await this.observe(resource);
    }
  }

  /** Moves the request behind a live resource along its timeline, as far as the resource is. */
  async observe(resource: TrackedResource): Promise<void> {
    const { store } = this.options;
    const request = resource.requestId
      ? await store.get(resource.requestId)
      : undefined;
    if (
      !request ||
      request.resource.cluster !== resource.cluster ||
      request.resource.name !== resource.name ||
      ['rejected', 'awaiting-approval', 'credentials-available'].includes(
        request.status,
      )
    ) {
      return;
    }
    const synced = conditionOf(resource, 'Synced');
    const ready = conditionOf(resource, 'Ready');
    if (synced?.status === 'False') {
      const message = `${synced.reason ?? 'Synced=False'}: ${
        synced.message ?? 'no message'
      }`;
      if (request.status !== 'failed' || request.message !== message) {
        const moved = await store.transition(request.id, {
          from: ['queued', 'created', 'synced', 'ready', 'failed'],
          to: 'failed',
          message,
        });
        if (moved) this.signal(moved);
      }
      return;
    }
    let target: RequestStatus = 'created';
    let message: string | undefined;
    if (synced?.status === 'True') target = 'synced';
    if (synced?.status === 'True' && ready?.status === 'True') {
      target = 'ready';
      if (resource.connectionSecret) {
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
    const current =
      request.status === 'failed'
        ? 'queued'
        : (request.status as RequestStatus);
    const from = PROGRESS.indexOf(current);
    const to = PROGRESS.indexOf(target);
    for (let step = from + 1; step <= to; step++) {
      const moved = await store.transition(request.id, {
        from: step === from + 1 ? [request.status] : [PROGRESS[step - 1]],
        to: PROGRESS[step],
        ...(step === to && message ? { message } : {}),
      });
      if (!moved) return; // another replica moved it first
      this.signal(moved);
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
    query: { entityRef?: string; mine?: boolean; statuses?: RequestStatus[] },
    credentials: BackstageCredentials,
  ): Promise<InfrastructureRequest[]> {
    await this.authorizeRead(credentials);
    const filter: RequestFilter = { limit: 200 };
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
