import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ConflictError, InputError, NotAllowedError } from '@backstage/errors';
import {
  InfrastructureRequest,
  InfrastructureRequestInput,
  RequestStatus,
} from '@paved/plugin-crossplane-common';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { createCrossplaneRequestAction } from './crossplaneRequest';

const daniel = mockCredentials.user('user:default/daniel-mercer');
const danielsToken = mockCredentials.service.token({
  onBehalfOf: daniel,
  targetPluginId: 'crossplane',
});

interface Refusal {
  status: number;
  error: Record<string, unknown>;
}

/**
 * A stand-in for Paved's Crossplane backend over real HTTP: it keeps requests by client request
 * id, as the real one does, answers each read with the next status of `statuses` and refuses a
 * submission when `refusal` is set.
 */
class CrossplaneStandIn {
  server!: Server;
  baseUrl = '';
  posted: Array<{ authorization?: string; body: InfrastructureRequestInput }> =
    [];
  reads = 0;
  refusal?: Refusal;
  /** Status when submitted, then one per read; the last one stays. */
  statuses: RequestStatus[] = ['created'];
  message?: string;
  private readonly byClientId = new Map<string, InfrastructureRequest>();

  async start() {
    this.server = createServer(async (req, res) => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== `Bearer ${danielsToken}`) {
        send(401, { error: { name: 'AuthenticationError', message: 'no' } });
        return;
      }
      if (req.method === 'POST' && req.url === '/api/crossplane/requests') {
        const body = JSON.parse(await bodyOf(req));
        this.posted.push({ authorization: req.headers.authorization, body });
        if (this.refusal) {
          send(this.refusal.status, {
            error: this.refusal.error,
            response: { statusCode: this.refusal.status },
          });
          return;
        }
        const earlier = this.byClientId.get(body.clientRequestId);
        if (earlier) {
          send(200, this.current(earlier));
          return;
        }
        const request = requestFrom(body, this.byClientId.size + 1);
        this.byClientId.set(body.clientRequestId, request);
        send(201, this.current(request));
        return;
      }
      const match = req.url?.match(
        /^\/api\/crossplane\/requests\/([^/]+)(\/resource)?$/,
      );
      const request = [...this.byClientId.values()].find(
        r => r.id === match?.[1],
      );
      if (req.method === 'GET' && request && match?.[2]) {
        send(200, {
          exists: true,
          conditions: [],
          composed: [],
          events: [],
          secret: {
            namespace: 'team-payments',
            name: `${request.resource.name}-connection`,
            keys: ['host', 'password'],
          },
        });
      } else if (req.method === 'GET' && request) {
        this.reads += 1;
        send(200, this.current(request));
      } else {
        send(404, { error: { name: 'NotFoundError', message: req.url } });
      }
    });
    await new Promise<void>(resolve =>
      this.server.listen(0, '127.0.0.1', resolve),
    );
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}/api/crossplane`;
  }

  private current(request: InfrastructureRequest): InfrastructureRequest {
    const status =
      this.statuses[Math.min(this.reads, this.statuses.length - 1)];
    return {
      ...request,
      status,
      ...(this.message ? { message: this.message } : {}),
    };
  }

  stop() {
    return new Promise(resolve => this.server.close(resolve));
  }
}

function bodyOf(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.on('data', chunk => (text += chunk));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

function requestFrom(
  input: InfrastructureRequestInput,
  n: number,
): InfrastructureRequest {
  return {
    id: `00000000-0000-4000-8000-00000000000${n}`,
    operation: input.operation ?? 'create',
    offering: input.offering,
    offeringTitle: 'PostgreSQL database',
    environment: input.environment,
    entityRef: input.entityRef,
    ownerRef: 'group:default/team-payments',
    requestedBy: 'user:default/daniel-mercer',
    resource: {
      cluster: 'sandbox-dev',
      apiVersion: 'platform.paved.dev/v1alpha1',
      kind: 'PostgreSQLInstance',
      namespace: 'team-payments',
      name: input.name,
    },
    parameters: input.parameters ?? {},
    status: 'queued',
    createdAt: '2026-12-06T09:00:00Z',
    updatedAt: '2026-12-06T09:00:00Z',
    events: [],
  };
}

const input = {
  offering: 'postgresqlinstances.platform.paved.dev',
  environment: 'dev',
  entityRef: 'component:default/checkout-gateway',
  name: 'checkout-gateway-db',
  parameters: { parameters: { storageGB: 20 } },
};

let crossplane: CrossplaneStandIn;

beforeEach(async () => {
  crossplane = new CrossplaneStandIn();
  await crossplane.start();
});

afterEach(() => crossplane.stop());

async function run(
  values: Record<string, unknown>,
  task: { id: string } = { id: 'task-1' },
) {
  const logger = mockServices.logger.mock();
  const ctx = {
    ...createMockActionContext({ input: values as any, logger, task }),
    getInitiatorCredentials: async () => daniel,
  };
  const action = createCrossplaneRequestAction({
    auth: mockServices.auth(),
    discovery: {
      getBaseUrl: async () => crossplane.baseUrl,
      getExternalBaseUrl: async () => crossplane.baseUrl,
    },
    appBaseUrl: 'https://paved.example.com',
    pollIntervalMs: 10,
  });
  const outcome = await action.handler(ctx as any).then(
    () => undefined,
    (error: Error) => error,
  );
  const outputs = Object.fromEntries(
    (ctx.output as jest.Mock).mock.calls as Array<[string, unknown]>,
  );
  const logs = logger.info.mock.calls.map(([message]) => message);
  return { error: outcome, outputs, logs };
}

describe('crossplane:request', () => {
  it('requests as the person running the template and links the request', async () => {
    const { error, outputs, logs } = await run(input);

    expect(error).toBeUndefined();
    expect(crossplane.posted).toHaveLength(1);
    // A token for Daniel, not the scaffolder's own: the policy and the audit record name him.
    expect(crossplane.posted[0].authorization).toBe(`Bearer ${danielsToken}`);
    expect(crossplane.posted[0].body).toEqual({
      ...input,
      clientRequestId: expect.stringMatching(/^scaffolder:task-1:/),
    });
    expect(outputs).toEqual({
      requestId: '00000000-0000-4000-8000-000000000001',
      requestUrl:
        'https://paved.example.com/infrastructure/requests/00000000-0000-4000-8000-000000000001',
      status: 'created',
    });
    expect(logs[0]).toContain(
      'Requested PostgreSQL database checkout-gateway-db on dev for component:default/checkout-gateway: created',
    );
    expect(crossplane.reads).toBe(0);
  });

  it('gets the same request back when the step runs again, and a new one for another task', async () => {
    const first = await run(input);
    const again = await run(input);
    const otherTask = await run(input, { id: 'task-2' });

    const ids = crossplane.posted.map(p => p.body.clientRequestId);
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).not.toBe(ids[0]);
    expect(again.outputs.requestId).toBe(first.outputs.requestId);
    expect(otherTask.outputs.requestId).not.toBe(first.outputs.requestId);
  });

  it('fails with every field the server refused, as an InputError', async () => {
    crossplane.refusal = {
      status: 400,
      error: {
        name: 'InputError',
        message: 'The request is not valid: …',
        fields: [
          { path: 'name', message: 'must be a Kubernetes name' },
          {
            path: 'parameters.parameters.storageGB',
            message: 'must be <= 100 (guardrail of dev)',
          },
        ],
      },
    };

    const { error, outputs } = await run({ ...input, name: 'Checkout_DB' });

    expect(error).toBeInstanceOf(InputError);
    expect(error?.message).toBe(
      'The request for Checkout_DB on dev was refused: name must be a Kubernetes name; parameters.parameters.storageGB must be <= 100 (guardrail of dev)',
    );
    expect(outputs).toEqual({});
  });

  it.each([
    [
      403,
      'NotAllowedError',
      NotAllowedError,
      'You may not request PostgreSQL database for component:default/checkout-gateway',
    ],
    [
      409,
      'ConflictError',
      ConflictError,
      'team-payments already has a PostgreSQL database named checkout-gateway-db on dev',
    ],
  ])(
    'turns a %i into a %s with the server message',
    async (status, _name, type, message) => {
      crossplane.refusal = { status, error: { name: 'Refused', message } };

      const { error } = await run(input);

      expect(error).toBeInstanceOf(type);
      expect(error?.message).toBe(
        `The request for checkout-gateway-db on dev was refused: ${message}`,
      );
    },
  );

  it('waits until ready, logging each status on the way', async () => {
    crossplane.statuses = ['queued', 'created', 'synced', 'ready'];

    const { error, outputs, logs } = await run({ ...input, waitFor: 'ready' });

    expect(error).toBeUndefined();
    expect(outputs.status).toBe('ready');
    expect(outputs.secretName).toBeUndefined();
    expect(logs.slice(1)).toEqual([
      'Request 00000000-0000-4000-8000-000000000001 is created',
      'Request 00000000-0000-4000-8000-000000000001 is synced',
      'Request 00000000-0000-4000-8000-000000000001 is ready',
    ]);
  });

  it('names the connection Secret once the credentials are available', async () => {
    crossplane.statuses = ['created', 'ready', 'credentials-available'];

    const { error, outputs } = await run({
      ...input,
      waitFor: 'credentials-available',
    });

    expect(error).toBeUndefined();
    expect(outputs.status).toBe('credentials-available');
    expect(outputs.secretName).toBe('checkout-gateway-db-connection');
  });

  it("fails with the request's message when it fails on the way", async () => {
    crossplane.statuses = ['created', 'failed'];
    crossplane.message =
      'tier "dev" allows at most 400 GB of storage, 450 GB requested';

    const { error } = await run({ ...input, waitFor: 'ready' });

    expect(error?.message).toBe(
      'Request 00000000-0000-4000-8000-000000000001 for checkout-gateway-db failed: tier "dev" allows at most 400 GB of storage, 450 GB requested. See https://paved.example.com/infrastructure/requests/00000000-0000-4000-8000-000000000001',
    );
  });

  it('fails without a wait too when the cluster already refused the resource', async () => {
    crossplane.statuses = ['failed'];
    crossplane.message = 'admission webhook denied the request';

    const { error, outputs } = await run(input);

    expect(error?.message).toMatch(
      /^Request \S+ for checkout-gateway-db failed: admission webhook denied the request\. See https:/,
    );
    expect(crossplane.reads).toBe(0);
    expect(outputs.requestUrl).toBeDefined();
  });

  it('fails after the timeout, naming the last status and where to follow the request', async () => {
    crossplane.statuses = ['created', 'synced'];

    const { error, outputs } = await run({
      ...input,
      waitFor: 'ready',
      timeoutSeconds: 1,
    });

    expect(error?.message).toBe(
      'Request 00000000-0000-4000-8000-000000000001 for checkout-gateway-db did not reach ready within 1 s; it is synced. It goes on without the task: follow it at https://paved.example.com/infrastructure/requests/00000000-0000-4000-8000-000000000001',
    );
    expect(outputs.requestUrl).toBeDefined();
  });

  it('ends at once when the request awaits approval, whatever it was to wait for', async () => {
    crossplane.statuses = ['awaiting-approval'];

    const { error, outputs, logs } = await run({
      ...input,
      environment: 'prod',
      waitFor: 'credentials-available',
    });

    expect(error).toBeUndefined();
    expect(outputs.status).toBe('awaiting-approval');
    expect(crossplane.reads).toBe(0);
    expect(logs[1]).toMatch(/awaits approval on prod; not waiting/);
  });
});
