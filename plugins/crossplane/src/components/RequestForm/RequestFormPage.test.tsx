import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { FakeCrossplaneApi, serverError } from '../../testing/fakes';
import {
  checkoutSystem,
  infrastructureRequest,
  liveResource,
  paymentsService,
  POSTGRES,
  postgresForm,
  someoneElsesService,
} from '../../testing/fixtures';
import { renderInfrastructure } from '../../__testUtils__/renderInfrastructure';

const formPath = `/infrastructure/request/${POSTGRES}`;
const entities = [paymentsService, checkoutSystem, someoneElsesService];

function fakeApi() {
  const api = new FakeCrossplaneApi();
  api.forms.set(POSTGRES, postgresForm);
  return api;
}

function environmentTerms(title: string) {
  return screen.getByRole('region', { name: `What ${title} allows` });
}

async function fillName(name: string) {
  const input = await screen.findByRole('textbox', { name: /^Name/ });
  await userEvent.clear(input);
  await userEvent.type(input, name);
}

async function setStorage(value: string) {
  const input = screen.getByRole('spinbutton', { name: /Storage \(GB\)/ });
  await userEvent.clear(input);
  await userEvent.type(input, value);
}

describe('RequestFormPage', () => {
  it('shows the approval note, guardrails and quota of the selected environment before submitting', async () => {
    await renderInfrastructure(formPath, { api: fakeApi(), entities });

    expect(
      await screen.findByRole('heading', {
        name: 'Request PostgreSQL database',
      }),
    ).toBeInTheDocument();
    const development = screen.getByRole('radio', { name: /^Development/ });
    expect(development).toBeChecked();
    expect(
      within(environmentTerms('Development')).getByText(/No approval needed/),
    ).toBeInTheDocument();
    expect(
      within(environmentTerms('Development')).getByText(
        'Storage (GB) at most 500',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('radio', {
        name: /^Staging.*does not offer PostgreSQLInstance/,
      }),
    ).toBeDisabled();

    await userEvent.click(screen.getByRole('radio', { name: /^Production/ }));

    const production = environmentTerms('Production');
    expect(
      within(production).getByText(/^Requires approval/),
    ).toBeInTheDocument();
    expect(
      within(production)
        .getAllByRole('listitem')
        .map(item => item.textContent),
    ).toEqual(['Storage (GB) at most 100', 'Backups are always on']);
    expect(
      within(production).getByText(/at most 3 per team/),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('region', { name: 'What Development allows' }),
    ).toBeNull();
  });

  it('preselects the entity and environment named in the address, offering only the team’s entities', async () => {
    const { catalog } = await renderInfrastructure(
      `${formPath}?entity=component:default/payments-service&environment=production`,
      { api: fakeApi(), entities },
    );

    const entity = await screen.findByRole('textbox', { name: /^Entity/ });
    expect(entity).toHaveValue('component:default/payments-service');
    expect(screen.getByRole('radio', { name: /^Production/ })).toBeChecked();

    await userEvent.click(entity);
    await userEvent.clear(entity);
    const options = (await screen.findAllByRole('option')).map(
      option => option.textContent,
    );
    expect(options).toEqual([
      'component:default/payments-service',
      'system:default/checkoutCheckout',
    ]);
    expect(catalog.getEntities).toHaveBeenCalledWith(
      expect.objectContaining({
        filter: {
          kind: ['Component', 'System'],
          'relations.ownedBy': [
            'user:default/jane',
            'group:default/team-payments',
          ],
        },
      }),
    );
  });

  it('puts the server’s field errors on their fields and its message in an alert', async () => {
    const api = fakeApi();
    api.createAnswers = [
      await serverError(400, 'Bad Request', {
        name: 'InputError',
        message: 'The request does not fit the guardrails of production',
        fields: [
          { path: 'parameters.storageGB', message: 'must be at most 100' },
          { path: 'name', message: 'payments-db is already requested' },
        ],
      }),
    ];
    await renderInfrastructure(
      `${formPath}?entity=component:default/payments-service&environment=production`,
      { api, entities },
    );
    await fillName('payments-db');
    await setStorage('250');

    await userEvent.click(
      screen.getByRole('button', { name: 'Submit request' }),
    );

    expect(
      await screen.findByText(
        'The request does not fit the guardrails of production',
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('must be at most 100')).toBeInTheDocument();
    expect(
      screen.getByRole('textbox', { name: /^Name/ }),
    ).toHaveAccessibleDescription('payments-db is already requested');
    expect(api.created).toEqual([
      expect.objectContaining({
        offering: POSTGRES,
        environment: 'production',
        entityRef: 'component:default/payments-service',
        name: 'payments-db',
        parameters: { storageGB: 250, version: '16' },
      }),
    ]);
  });

  it('sends the same clientRequestId again for the same values, a new one once they change', async () => {
    const api = fakeApi();
    api.createAnswers = [
      await serverError(503, 'Service Unavailable', {
        name: 'ServiceUnavailableError',
        message: 'The prod-eu cluster did not answer',
      }),
    ];
    await renderInfrastructure(
      `${formPath}?entity=component:default/payments-service`,
      { api, entities },
    );
    await fillName('payments-db');
    await setStorage('20');
    const submit = screen.getByRole('button', { name: 'Submit request' });

    await userEvent.click(submit);
    expect(
      await screen.findByText('The prod-eu cluster did not answer'),
    ).toBeInTheDocument();
    await userEvent.click(submit);
    await waitFor(() => expect(api.created).toHaveLength(2));
    await setStorage('30');
    await userEvent.click(submit);
    await waitFor(() => expect(api.created).toHaveLength(3));

    const [first, retry, changed] = api.created.map(
      input => input.clientRequestId,
    );
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(retry).toBe(first);
    expect(changed).not.toBe(first);
  });

  it('disables Submit while sending, so a double click makes one request, and then opens the request', async () => {
    const api = fakeApi();
    const created = infrastructureRequest({ id: 'req-9', status: 'queued' });
    let answer: (request: typeof created) => void = () => {};
    api.createRequest = input => {
      api.created.push(input);
      return new Promise(resolve => {
        answer = resolve;
      });
    };
    api.requests.set('req-9', created);
    api.resources.set('req-9', {
      exists: false,
      conditions: [],
      composed: [],
      events: [],
    });
    await renderInfrastructure(
      `${formPath}?entity=component:default/payments-service`,
      { api, entities },
    );
    await fillName('payments-db');
    await setStorage('20');
    const submit = screen.getByRole('button', { name: 'Submit request' });

    await userEvent.dblClick(submit);

    expect(
      await screen.findByRole('button', { name: 'Submitting…' }),
    ).toBeDisabled();
    expect(api.created).toHaveLength(1);
    answer(created);
    expect(
      await screen.findByRole('heading', {
        name: 'PostgreSQLInstance payments-db',
      }),
    ).toBeInTheDocument();
  });

  it('checks the entity and the name before sending anything', async () => {
    const api = fakeApi();
    await renderInfrastructure(formPath, { api, entities });
    await fillName('Payments_DB');
    await setStorage('20');

    await userEvent.click(
      screen.getByRole('button', { name: 'Submit request' }),
    );

    expect(
      await screen.findByText('Choose the entity the infrastructure is for.'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('textbox', { name: /^Name/ }),
    ).toHaveAccessibleDescription(/^A DNS label/);
    expect(screen.getByRole('textbox', { name: /^Name/ })).toBeInvalid();
    expect(api.created).toEqual([]);
  });

  it('shows why the form cannot be read', async () => {
    const api = new FakeCrossplaneApi();
    api.forms.set(
      POSTGRES,
      await serverError(403, 'Forbidden', {
        name: 'NotAllowedError',
        message: 'You may not see the offerings (crossplane.offering.read)',
      }),
    );
    await renderInfrastructure(formPath, { api, entities });

    expect(
      await screen.findByText(
        /Request failed with 403 Forbidden: You may not see the offerings/,
      ),
    ).toBeInTheDocument();
  });

  it('changes a live resource: prefilled from it, its entity, environment and name fixed', async () => {
    const api = fakeApi();
    api.entityResources.set('component:default/payments-service', {
      resources: [
        liveResource({ parameters: { storageGB: 20, version: '15' } }),
      ],
      clusters: [],
    });
    api.createAnswers = [
      infrastructureRequest({
        id: 'req-7',
        operation: 'update',
        status: 'queued',
      }),
    ];
    await renderInfrastructure(
      `${formPath}?entity=component:default/payments-service&environment=development&change=payments-db&namespace=team-payments`,
      { api, entities },
    );

    expect(
      await screen.findByRole('heading', { name: 'Change payments-db' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: /^Name/ })).toHaveValue(
      'payments-db',
    );
    expect(screen.getByRole('textbox', { name: /^Name/ })).toBeDisabled();
    expect(screen.getByRole('textbox', { name: /^Entity/ })).toBeDisabled();
    expect(
      screen.getByRole('spinbutton', { name: /Storage \(GB\)/ }),
    ).toHaveValue(20);
    expect(screen.queryByRole('radio', { name: /^Production/ })).toBeNull();

    await setStorage('40');
    await userEvent.click(
      screen.getByRole('button', { name: 'Submit change' }),
    );

    await waitFor(() => expect(api.created).toHaveLength(1));
    expect(api.created[0]).toEqual({
      operation: 'update',
      namespace: 'team-payments',
      offering: POSTGRES,
      environment: 'development',
      entityRef: 'component:default/payments-service',
      name: 'payments-db',
      parameters: { storageGB: 40, version: '15' },
      clientRequestId: expect.any(String),
    });
  });
});
