import { screen } from '@testing-library/react';
import { renderGate } from '../__testUtils__/renderGate';

describe('RequireAuditLogAccess', () => {
  it('shows the Audit log item to people allowed to read the audit log', async () => {
    const { asked } = await renderGate('ALLOW');

    expect(
      await screen.findByRole('link', { name: 'Audit log' }),
    ).toBeInTheDocument();
    expect(asked).toEqual(['audit-log.event.read']);
  });
});
