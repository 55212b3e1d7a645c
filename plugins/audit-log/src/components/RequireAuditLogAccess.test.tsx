import { screen, waitFor } from '@testing-library/react';
import { renderGate } from '../__testUtils__/renderGate';

// usePermission caches decisions per page load (SWR), so the allowed case has its own file:
// RequireAuditLogAccess.allowed.test.tsx.
describe('RequireAuditLogAccess', () => {
  it('hides the Audit log item when the permission is denied', async () => {
    const { asked } = await renderGate('DENY');

    await screen.findByRole('link', { name: 'Catalog' });
    await waitFor(() => expect(asked).toEqual(['audit-log.event.read']));
    expect(screen.queryByRole('link', { name: 'Audit log' })).toBeNull();
  });
});
