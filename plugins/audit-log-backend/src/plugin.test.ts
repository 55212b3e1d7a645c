import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { AuditEvent, AuditEventPage } from '@paved/plugin-audit-log-common';
import Router from 'express-promise-router';
import request from 'supertest';
import { auditorServiceFactory } from './auditorServiceFactory';
import { auditLogPlugin } from './plugin';

jest.setTimeout(60_000);

const ADMIN = 'user:default/admin';
const JANE = 'user:default/jane';

/** Another plugin of the backend, auditing its work through coreServices.auditor. */
const probePlugin = createBackendPlugin({
  pluginId: 'probe',
  register(env) {
    env.registerInit({
      deps: {
        auditor: coreServices.auditor,
        httpRouter: coreServices.httpRouter,
      },
      async init({ auditor, httpRouter }) {
        // Emitted while the backend starts, possibly before the audit-log plugin is ready.
        const startup = await auditor.createEvent({
          eventId: 'startup',
          severityLevel: 'high',
        });
        await startup.success();

        const router = Router();
        router.delete('/entities/:name', async (req, res) => {
          const event = await auditor.createEvent({
            eventId: 'entity-mutate',
            severityLevel: 'medium',
            request: req,
            meta: { entityRef: `component:default/${req.params.name}` },
          });
          await event.success();
          res.status(204).end();
        });
        router.get('/entities/:name', async (req, res) => {
          const event = await auditor.createEvent({
            eventId: 'entity-fetch',
            severityLevel: 'low',
            request: req,
            meta: { entityRef: `component:default/${req.params.name}` },
          });
          await event.success();
          res.json({ name: req.params.name });
        });
        router.post('/entities/:name/secrets', async req => {
          const event = await auditor.createEvent({
            eventId: 'secret-read',
            severityLevel: 'low',
            request: req,
            meta: { entityRef: `component:default/${req.params.name}` },
          });
          const error = new NotAllowedError('Secrets are for owners only');
          await event.fail({ error });
          throw error;
        });
        httpRouter.use(router);
      },
    });
  },
});

// Only the admin holds audit-log.event.read, as Paved's policy has it.
const permissions = mockServices.permissions.mock({
  authorize: async (requests, options) => {
    const credentials = options.credentials as any;
    const isAdmin = credentials.principal?.userEntityRef === ADMIN;
    return requests.map(() => ({
      result: isAdmin ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
    }));
  },
});

async function startBackend() {
  const { server } = await startTestBackend({
    features: [
      auditorServiceFactory,
      auditLogPlugin,
      probePlugin,
      permissions.factory,
    ],
  });
  return server;
}

type Server = Awaited<ReturnType<typeof startBackend>>;

async function listEvents(
  server: Server,
  query: Record<string, string>,
  user = ADMIN,
): Promise<AuditEventPage> {
  const response = await request(server)
    .get('/api/audit-log/events')
    .query(query)
    .set('Authorization', mockCredentials.user.header(user));
  expect(response.status).toBe(200);
  return response.body;
}

/** Polls the log until `find` returns something: events are written after the request. */
async function eventually<T>(
  read: () => Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await read();
    if (found !== undefined) {
      return found;
    }
    if (Date.now() > deadline) {
      throw new Error('The expected audit event was not stored in time');
    }
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}

function findEvent(
  server: Server,
  query: Record<string, string>,
  match: (event: AuditEvent) => boolean,
) {
  return eventually(async () =>
    (await listEvents(server, query)).items.find(match),
  );
}

describe('audit log backend', () => {
  it('stores what another plugin audits, with actor, target and request', async () => {
    const server = await startBackend();

    await request(server)
      .delete('/api/probe/entities/payments')
      .set('Authorization', mockCredentials.user.header(JANE))
      .set('User-Agent', 'probe-test/1.0')
      .expect(204);

    const stored = await findEvent(
      server,
      { plugin: 'probe', action: 'entity-mutate', outcome: 'succeeded' },
      () => true,
    );
    expect(stored).toMatchObject({
      plugin: 'probe',
      eventId: 'entity-mutate',
      severity: 'medium',
      status: 'succeeded',
      actor: { actorId: JANE, userAgent: 'probe-test/1.0' },
      target: 'component:default/payments',
      request: { method: 'DELETE', url: '/api/probe/entities/payments' },
    });
  });

  it('keeps events emitted while the backend was starting', async () => {
    const server = await startBackend();

    const startup = await findEvent(
      server,
      { plugin: 'probe', action: 'startup' },
      event => event.status === 'succeeded',
    );

    expect(startup.severity).toBe('high');
  });

  it('stores permission denials at low severity but not low-severity successes', async () => {
    const server = await startBackend();
    const jane = mockCredentials.user.header(JANE);

    await request(server)
      .get('/api/probe/entities/payments')
      .set('Authorization', jane)
      .expect(200);
    await request(server)
      .post('/api/probe/entities/payments/secrets')
      .set('Authorization', jane)
      .expect(403);

    const denial = await findEvent(
      server,
      { plugin: 'probe', outcome: 'denied' },
      () => true,
    );
    expect(denial).toMatchObject({
      eventId: 'secret-read',
      severity: 'low',
      status: 'failed',
      actor: { actorId: JANE },
      error: {
        name: 'NotAllowedError',
        message: 'Secrets are for owners only',
      },
    });
    // Events are written in arrival order: the fetch came first, so it would be here by now.
    const { items } = await listEvents(server, { plugin: 'probe' });
    expect(items.map(e => e.eventId)).not.toContain('entity-fetch');
  });

  it('answers 403 to a caller without audit-log.event.read and records the attempt', async () => {
    const server = await startBackend();

    const denied = await request(server)
      .get('/api/audit-log/events')
      .set('Authorization', mockCredentials.user.header(JANE));

    expect(denied.status).toBe(403);
    expect(denied.body.error).toMatchObject({
      name: 'NotAllowedError',
      message:
        'You are not allowed to read the audit log (permission audit-log.event.read)',
    });
    const csv = await request(server)
      .get('/api/audit-log/events.csv')
      .set('Authorization', mockCredentials.user.header(JANE));
    expect(csv.status).toBe(403);
    expect(csv.text).not.toContain('time,plugin');

    const attempt = await findEvent(
      server,
      { plugin: 'audit-log', outcome: 'denied', actor: 'jane' },
      event => event.eventId === 'events-read',
    );
    expect(attempt.severity).toBe('medium');
  });

  it('refuses people only: a service token gets 403', async () => {
    const server = await startBackend();

    const response = await request(server)
      .get('/api/audit-log/events')
      .set('Authorization', mockCredentials.service.header());

    expect(response.status).toBe(403);
  });

  it('pages on the server and counts all matches', async () => {
    const server = await startBackend();
    const jane = mockCredentials.user.header(JANE);
    for (const name of ['a', 'b', 'c']) {
      await request(server)
        .delete(`/api/probe/entities/${name}`)
        .set('Authorization', jane)
        .expect(204);
    }
    const filter = { plugin: 'probe', action: 'entity-mutate' };
    await eventually(async () =>
      (await listEvents(server, filter)).totalCount === 6 ? true : undefined,
    );

    const page = await listEvents(server, {
      ...filter,
      limit: '4',
      offset: '4',
    });

    expect(page).toMatchObject({ totalCount: 6, limit: 4, offset: 4 });
    expect(page.items).toHaveLength(2);
    expect(page.items.map(e => e.target)).toEqual([
      'component:default/a',
      'component:default/a',
    ]);
  });

  it('exports the filtered events as CSV to admins', async () => {
    const server = await startBackend();
    await request(server)
      .delete('/api/probe/entities/payments')
      .set('Authorization', mockCredentials.user.header(JANE))
      .expect(204);
    await findEvent(
      server,
      { plugin: 'probe', action: 'entity-mutate', outcome: 'succeeded' },
      () => true,
    );

    const response = await request(server)
      .get('/api/audit-log/events.csv')
      .query({ plugin: 'probe', action: 'entity-mutate', outcome: 'succeeded' })
      .set('Authorization', mockCredentials.user.header(ADMIN));

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toContain('audit-log.csv');
    const lines = response.text.trim().split('\r\n');
    expect(lines[0]).toBe(
      'time,plugin,eventId,severity,status,actorId,ip,userAgent,hostname,target,errorName,errorMessage,requestMethod,requestUrl,meta',
    );
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`probe,entity-mutate,medium,succeeded,${JANE},`);
    expect(lines[1]).toContain(
      '"{""entityRef"":""component:default/payments""}"',
    );
  });

  it.each([
    [{ limit: '0' }, 'limit'],
    [{ offset: '-1' }, 'offset'],
    [{ from: 'yesterday' }, 'from must be an ISO 8601 date-time'],
    [{ outcome: 'maybe' }, 'outcome'],
    [
      { from: '2026-11-25T00:00:00Z', to: '2026-11-24T00:00:00Z' },
      'to must not be before from',
    ],
    [{ colour: 'red' }, 'unknown parameter colour'],
  ])('answers 400 naming the field for %p', async (query, message) => {
    const server = await startBackend();

    const response = await request(server)
      .get('/api/audit-log/events')
      .query(query)
      .set('Authorization', mockCredentials.user.header(ADMIN));

    expect(response.status).toBe(400);
    expect(response.body.error.name).toBe('InputError');
    expect(response.body.error.message).toContain(message);
  });
});
