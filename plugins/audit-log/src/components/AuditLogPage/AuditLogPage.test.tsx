import { ResponseError } from '@backstage/errors';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  AuditEvent,
  AuditEventFilter,
  AuditEventPage,
  AuditEventQuery,
} from '@paved/plugin-audit-log-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AuditLogApi, auditLogApiRef } from '../../api';
import { AuditLogPage } from './AuditLogPage';

const deniedDelete: AuditEvent = {
  id: '2',
  time: '2026-11-25T09:30:00.000Z',
  plugin: 'catalog',
  eventId: 'entity-mutate',
  severity: 'medium',
  status: 'failed',
  actor: { actorId: 'user:default/mallory', ip: '10.0.0.9' },
  target: 'component:default/payments',
  error: { name: 'NotAllowedError', message: 'You may not delete payments' },
  request: { method: 'DELETE', url: '/api/catalog/entities/by-uid/42' },
};

const templateRun: AuditEvent = {
  id: '1',
  time: '2026-11-25T09:00:00.000Z',
  plugin: 'scaffolder',
  eventId: 'task',
  severity: 'medium',
  status: 'succeeded',
  actor: { actorId: 'user:default/jane' },
  target: 'template:default/node-service',
};

class FakeAuditLogApi implements AuditLogApi {
  queries: AuditEventQuery[] = [];
  exports: AuditEventFilter[] = [];
  error?: Error;

  constructor(
    private readonly items: AuditEvent[],
    private readonly totalCount = items.length,
  ) {}

  async listEvents(query: AuditEventQuery): Promise<AuditEventPage> {
    this.queries.push(query);
    if (this.error) {
      throw this.error;
    }
    return {
      items: this.items,
      totalCount: this.totalCount,
      limit: query.limit ?? 50,
      offset: query.offset ?? 0,
    };
  }

  async exportEvents(filter: AuditEventFilter): Promise<Blob> {
    this.exports.push(filter);
    return new Blob(['time\r\n'], { type: 'text/csv' });
  }
}

function renderPage(api: FakeAuditLogApi) {
  return renderInTestApp(<AuditLogPage />, { apis: [[auditLogApiRef, api]] });
}

describe('AuditLogPage', () => {
  it('shows each event with time, actor, plugin, action, entity, outcome and error', async () => {
    await renderPage(new FakeAuditLogApi([deniedDelete, templateRun]));

    const row = (await screen.findByText('user:default/mallory')).closest(
      'tr',
    )!;
    const cells = within(row);
    expect(cells.getByText('10.0.0.9')).toBeInTheDocument();
    expect(cells.getByText('catalog')).toBeInTheDocument();
    expect(cells.getByText('entity-mutate')).toBeInTheDocument();
    expect(cells.getByText('component:default/payments')).toBeInTheDocument();
    expect(cells.getByText('Denied')).toBeInTheDocument();
    expect(
      cells.getByText('NotAllowedError: You may not delete payments'),
    ).toBeInTheDocument();
    expect(
      cells.getByText('DELETE /api/catalog/entities/by-uid/42'),
    ).toBeInTheDocument();

    const other = screen.getByText('user:default/jane').closest('tr')!;
    expect(within(other).getByText('Succeeded')).toBeInTheDocument();
    expect(
      within(other).getByText('template:default/node-service'),
    ).toBeInTheDocument();
  });

  it('sends the filters with the first page when they are applied', async () => {
    const api = new FakeAuditLogApi([deniedDelete]);
    await renderPage(api);
    await screen.findByText('user:default/mallory');

    await userEvent.type(screen.getByLabelText('Actor'), 'mallory');
    await userEvent.type(screen.getByLabelText('Plugin'), 'catalog');
    await userEvent.type(screen.getByLabelText('Action'), 'entity-mutate');
    await userEvent.type(screen.getByLabelText('Entity'), 'payments');
    await userEvent.click(screen.getByLabelText('Outcome'));
    await userEvent.click(
      await screen.findByRole('option', { name: 'Denied' }),
    );
    await userEvent.type(screen.getByLabelText('From'), '2026-11-24T08:00');
    await userEvent.click(
      screen.getByRole('button', { name: 'Apply filters' }),
    );

    await waitFor(() =>
      expect(api.queries[api.queries.length - 1]).toEqual({
        actor: 'mallory',
        plugin: 'catalog',
        action: 'entity-mutate',
        entity: 'payments',
        outcome: 'denied',
        from: new Date('2026-11-24T08:00').toISOString(),
        limit: 25,
        offset: 0,
      }),
    );
    // Typing into seven fields re-renders the page per key; slow when the suite shares 2 cores.
  }, 30_000);

  it('asks the server for the next page', async () => {
    const api = new FakeAuditLogApi([deniedDelete], 60);
    await renderPage(api);
    await screen.findByText('user:default/mallory');

    await userEvent.click(screen.getByRole('button', { name: 'Next Page' }));

    await waitFor(() =>
      expect(api.queries[api.queries.length - 1]).toMatchObject({
        limit: 25,
        offset: 25,
      }),
    );
  });

  it('exports the filtered events as CSV with the user’s token, through the API', async () => {
    const api = new FakeAuditLogApi([deniedDelete]);
    const createObjectURL = jest.fn(() => 'blob:audit-log');
    Object.assign(URL, { createObjectURL, revokeObjectURL: jest.fn() });
    await renderPage(api);
    await screen.findByText('user:default/mallory');

    await userEvent.type(screen.getByLabelText('Plugin'), 'catalog');
    await userEvent.click(screen.getByRole('button', { name: 'Export CSV' }));

    await waitFor(() => expect(api.exports).toEqual([{ plugin: 'catalog' }]));
    expect(createObjectURL).toHaveBeenCalledWith(expect.any(Blob));
  });

  it('shows the server’s message to someone who may not read the log', async () => {
    const api = new FakeAuditLogApi([]);
    api.error = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: {
            name: 'NotAllowedError',
            message:
              'You are not allowed to read the audit log (permission audit-log.event.read)',
          },
          request: { method: 'GET', url: '/api/audit-log/events' },
          response: { statusCode: 403 },
        }),
        {
          status: 403,
          statusText: 'Forbidden',
          headers: { 'content-type': 'application/json' },
        },
      ),
    );

    await renderPage(api);

    expect(
      (
        await screen.findAllByText(
          /You are not allowed to read the audit log \(permission audit-log\.event\.read\)/,
        )
      ).length,
    ).toBeGreaterThan(0);
    expect(screen.queryByText('user:default/mallory')).toBeNull();
  });
});
