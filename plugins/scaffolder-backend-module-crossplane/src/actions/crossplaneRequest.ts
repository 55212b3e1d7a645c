import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import {
  InfrastructureRequest,
  RequestStatus,
} from '@paved/plugin-crossplane-common';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CrossplaneRequestClient } from './CrossplaneRequestClient';

/** The statuses a template may wait for, in the order a request reaches them. */
const PROGRESS: RequestStatus[] = [
  'queued',
  'created',
  'synced',
  'ready',
  'credentials-available',
];

const DEFAULT_TIMEOUT_SECONDS = 300;

/**
 * The same id for every run of one step of one task, so a retried or recovered task gets the
 * request made the first time back instead of making another. Hashed: the backend takes at
 * most 100 characters and step ids are free text.
 */
function clientRequestIdOf(
  taskId: string,
  step: string,
  request: { offering: string; environment: string; name: string },
): string {
  const digest = createHash('sha256')
    .update(
      JSON.stringify([
        step,
        request.offering,
        request.environment,
        request.name,
      ]),
    )
    .digest('hex')
    .slice(0, 24);
  return `scaffolder:${taskId}:${digest}`;
}

function describeStatus(request: InfrastructureRequest): string {
  return request.message
    ? `${request.status} (${request.message})`
    : request.status;
}

/**
 * `crossplane:request`: requests infrastructure (e.g. a PostgreSQL database) through Paved's
 * Crossplane self-service on behalf of the person running the template, so the same
 * permissions, guardrails, quota, approval and audit apply as on the request form. Optionally
 * holds the task until the request is ready or its credentials are available.
 */
export function createCrossplaneRequestAction(options: {
  auth: AuthService;
  discovery: DiscoveryService;
  /** `app.baseUrl`: the request's page is linked from the task. */
  appBaseUrl: string;
  /** How often a wait reads the request; default 1.5 s. */
  pollIntervalMs?: number;
}) {
  const { auth, discovery, appBaseUrl } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 1500;
  return createTemplateAction({
    id: 'crossplane:request',
    description:
      "Requests infrastructure offered through Paved's Crossplane self-service (e.g. a PostgreSQL database) for a catalog entity, as the user running the template, and optionally waits until it is ready",
    examples: [
      {
        description:
          'Request a dev PostgreSQL database for the new service without waiting for it',
        example: `steps:
  - id: database
    name: Request a database
    action: crossplane:request
    input:
      offering: postgresqlinstances.platform.paved.dev
      environment: dev
      entityRef: \${{ steps.register.output.entityRef }}
      name: \${{ parameters.name }}-db
      parameters:
        parameters:
          storageGB: 20
          version: '16'
`,
      },
      {
        description:
          'Request a database and hold the task until its connection Secret exists',
        example: `steps:
  - id: database
    name: Request a database
    action: crossplane:request
    input:
      offering: postgresqlinstances.platform.paved.dev
      environment: dev
      entityRef: component:default/checkout-gateway
      name: checkout-gateway-db
      parameters:
        parameters:
          storageGB: 50
      waitFor: credentials-available
      timeoutSeconds: 600
output:
  links:
    - title: Database request
      url: \${{ steps.database.output.requestUrl }}
`,
      },
    ],
    schema: {
      input: {
        offering: z =>
          z
            .string()
            .describe(
              'The offering: the XRD name, e.g. postgresqlinstances.platform.paved.dev (see the Infrastructure page)',
            ),
        environment: z =>
          z
            .string()
            .describe(
              'Environment to create it in, as crossplane.environments names it (e.g. dev); environments that require approval hold the request for an approver',
            ),
        entityRef: z =>
          z
            .string()
            .describe(
              'The catalog entity the infrastructure is for, e.g. component:default/checkout-gateway; its owning team owns the resource',
            ),
        name: z =>
          z
            .string()
            .describe(
              "The resource's name: a Kubernetes name (lowercase letters, digits and '-', at most 63), unique among the team's resources of this offering",
            ),
        parameters: z =>
          z
            .record(z.unknown())
            .optional()
            .describe(
              "The resource's spec as the offering's form describes it, e.g. { parameters: { storageGB: 20 } }; the environment's guardrails apply and defaults are filled in",
            ),
        waitFor: z =>
          z
            .enum(['none', 'ready', 'credentials-available'])
            .optional()
            .describe(
              'Hold the task until the request reaches this status: none (default), ready or credentials-available. A request awaiting approval never holds the task',
            ),
        timeoutSeconds: z =>
          z
            .number()
            .int()
            .min(1)
            .max(1800)
            .optional()
            .describe(
              `With waitFor, fail after this many seconds; default ${DEFAULT_TIMEOUT_SECONDS}`,
            ),
      },
      output: {
        requestId: z => z.string().describe('The request id'),
        status: z =>
          z
            .string()
            .describe(
              'Where the request is when the step ends, e.g. awaiting-approval, created, ready, credentials-available',
            ),
        requestUrl: z =>
          z
            .string()
            .describe(
              "The request's page in Paved, with its timeline and resource",
            ),
        secretName: z =>
          z
            .string()
            .optional()
            .describe(
              'The connection Secret in the team namespace, once the credentials are available',
            ),
      },
    },
    async handler(ctx) {
      const { offering, environment, entityRef, name } = ctx.input;
      const waitFor = ctx.input.waitFor ?? 'none';
      const timeoutMs =
        (ctx.input.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
      const client = new CrossplaneRequestClient({
        auth,
        discovery,
        credentials: await ctx.getInitiatorCredentials(),
      });

      let request = await client.submit({
        offering,
        environment,
        entityRef,
        name,
        parameters: ctx.input.parameters ?? {},
        clientRequestId: clientRequestIdOf(
          ctx.task.id,
          ctx.step?.id ?? 'crossplane-request',
          { offering, environment, name },
        ),
      });
      const requestUrl = `${appBaseUrl}/infrastructure/requests/${encodeURIComponent(
        request.id,
      )}`;
      ctx.logger.info(
        `Requested ${request.offeringTitle} ${name} on ${environment} for ${
          request.entityRef
        }: ${describeStatus(request)}. Follow it at ${requestUrl}`,
        { requestId: request.id, status: request.status },
      );
      ctx.output('requestId', request.id);
      ctx.output('requestUrl', requestUrl);

      if (request.status === 'awaiting-approval') {
        // Approval can take days; the task ends and the request goes on without it.
        if (waitFor !== 'none') {
          ctx.logger.info(
            `Request ${request.id} awaits approval on ${environment}; not waiting for ${waitFor}. It is created once an approver accepts it`,
            { requestId: request.id },
          );
        }
      } else {
        // Without a wait, a request the cluster already refused still fails the step.
        request = await waitUntil(
          request,
          waitFor === 'none' ? 'queued' : waitFor,
        );
      }

      ctx.output('status', request.status);
      if (request.status === 'credentials-available') {
        const { secret } = await client.resource(request.id);
        if (secret) {
          ctx.logger.info(
            `Connection details are in Secret ${
              secret.name
            } (keys ${secret.keys.join(', ')}) in namespace ${
              secret.namespace ?? request.resource.namespace ?? '(cluster)'
            }`,
            { requestId: request.id },
          );
          ctx.output('secretName', secret.name);
        }
      }

      /** Reads the request until it reaches `target`, logging each status it passes. */
      async function waitUntil(
        first: InfrastructureRequest,
        target: RequestStatus,
      ): Promise<InfrastructureRequest> {
        const deadline = Date.now() + timeoutMs;
        let current = first;
        for (;;) {
          if (current.status === 'failed' || current.status === 'rejected') {
            throw new Error(
              `Request ${current.id} for ${name} ${current.status}: ${
                current.message ?? 'no reason given'
              }. See ${requestUrl}`,
            );
          }
          if (PROGRESS.indexOf(current.status) >= PROGRESS.indexOf(target)) {
            return current;
          }
          if (Date.now() >= deadline) {
            throw new Error(
              `Request ${
                current.id
              } for ${name} did not reach ${target} within ${
                timeoutMs / 1000
              } s; it is ${describeStatus(
                current,
              )}. It goes on without the task: follow it at ${requestUrl}`,
            );
          }
          if (ctx.signal?.aborted) {
            throw new Error(
              `Cancelled while waiting for request ${current.id}`,
            );
          }
          await sleep(pollIntervalMs);
          const next = await client.get(current.id);
          if (next.status !== current.status) {
            ctx.logger.info(`Request ${next.id} is ${describeStatus(next)}`, {
              requestId: next.id,
              status: next.status,
            });
          }
          current = next;
        }
      }
    },
  });
}
