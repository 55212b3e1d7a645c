import { mockServices } from '@backstage/backend-test-utils';
import { AuditorEvent } from '@backstage/backend-defaults/auditor';
import { NotAllowedError } from '@backstage/errors';
import { AuditEventRecord } from './auditEventRecord';
import { AuditEventSink } from './AuditEventSink';

function event(overrides: Partial<AuditorEvent> = {}): AuditorEvent {
  return {
    plugin: 'catalog',
    eventId: 'entity-mutate',
    severityLevel: 'medium',
    actor: { actorId: 'user:default/jane' },
    meta: { entityRef: 'component:default/payments' },
    status: 'succeeded',
    ...overrides,
  } as AuditorEvent;
}

function createSink(maxBuffered = 100) {
  const logger = mockServices.logger.mock();
  const sink = new AuditEventSink({
    minSeverity: 'medium',
    maxBuffered,
    logger,
  });
  return { sink, logger };
}

describe('AuditEventSink', () => {
  it('keeps events that arrive before a writer is attached and writes them once it is', async () => {
    const { sink } = createSink();
    sink.accept(event({ eventId: 'early' }));
    const written: AuditEventRecord[] = [];

    sink.attach(async records => {
      written.push(...records);
    });
    sink.accept(event({ eventId: 'late' }));
    await sink.flush();

    expect(written.map(r => r.eventId)).toEqual(['early', 'late']);
  });

  it('stores events at or above the minimum severity and every denial, nothing else', async () => {
    const { sink } = createSink();
    const written: AuditEventRecord[] = [];
    sink.attach(async records => {
      written.push(...records);
    });

    sink.accept(event({ eventId: 'low-success', severityLevel: 'low' }));
    sink.accept(
      event({
        eventId: 'low-failure',
        severityLevel: 'low',
        status: 'failed',
        error: new Error('boom'),
      }),
    );
    sink.accept(
      event({
        eventId: 'low-denial',
        severityLevel: 'low',
        status: 'failed',
        error: new NotAllowedError('not yours'),
      }),
    );
    sink.accept(event({ eventId: 'high-success', severityLevel: 'high' }));
    await sink.flush();

    expect(written.map(r => r.eventId)).toEqual(['low-denial', 'high-success']);
    expect(written[0]).toMatchObject({
      errorName: 'NotAllowedError',
      errorMessage: 'not yours',
      target: 'component:default/payments',
    });
  });

  it('does not make the caller wait for the database', () => {
    const { sink } = createSink();
    const writer = jest.fn(() => new Promise<void>(() => {}));
    sink.attach(writer);

    sink.accept(event());

    expect(writer).not.toHaveBeenCalled();
  });

  it('logs and drops a batch the store refuses, then goes on storing', async () => {
    const { sink, logger } = createSink();
    const written: string[] = [];
    let failNext = true;
    sink.attach(async records => {
      if (failNext) {
        failNext = false;
        throw new Error('database is read-only');
      }
      written.push(...records.map(r => r.eventId));
    });

    sink.accept(event({ eventId: 'lost-1' }));
    sink.accept(event({ eventId: 'lost-2' }));
    await sink.flush();
    sink.accept(event({ eventId: 'kept' }));
    await sink.flush();

    expect(written).toEqual(['kept']);
    expect(logger.error).toHaveBeenCalledWith(
      'Could not store audit events; the batch is dropped',
      { count: 2, error: 'Error: database is read-only' },
    );
  });

  it('holds at most maxBuffered events and reports how many it could not keep', async () => {
    const { sink, logger } = createSink(2);
    sink.accept(event({ eventId: 'a' }));
    sink.accept(event({ eventId: 'b' }));
    sink.accept(event({ eventId: 'c' }));
    sink.accept(event({ eventId: 'd' }));
    const written: string[] = [];

    sink.attach(async records => {
      written.push(...records.map(r => r.eventId));
    });
    await sink.flush();

    expect(written).toEqual(['a', 'b']);
    expect(logger.warn).toHaveBeenCalledWith(
      'Audit event buffer was full; events were not stored',
      { count: 2, maxBuffered: 2 },
    );
  });
});
