import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { RequireAuditLogAccess } from '../components/RequireAuditLogAccess';

/** The decision the permission API answers, as `mockApis.permission` takes it. */
type Decision = ReturnType<
  Extract<
    NonNullable<Parameters<typeof mockApis.permission>[0]>['authorize'],
    (...args: any[]) => unknown
  >
>;

/** Renders a sidebar-like list with the gated Audit log item; records the permissions asked. */
export async function renderGate(result: 'ALLOW' | 'DENY') {
  const asked: string[] = [];
  const permissionApi = mockApis.permission({
    authorize: request => {
      asked.push(request.permission.name);
      return result as Decision;
    },
  });
  const rendered = await renderInTestApp(
    <>
      <a href="/catalog">Catalog</a>
      <RequireAuditLogAccess>
        <a href="/audit-log">Audit log</a>
      </RequireAuditLogAccess>
    </>,
    { apis: [permissionApi] },
  );
  return { rendered, asked };
}
