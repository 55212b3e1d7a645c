import { coreExtensionData } from '@backstage/frontend-plugin-api';
import { createExtensionTester } from '@backstage/frontend-test-utils';
import { auditLogPlugin } from './plugin';

describe('auditLogPlugin', () => {
  it('offers the Audit log page at /audit-log as page:audit-log, the id the sidebar gates', () => {
    const page = auditLogPlugin.getExtension('page:audit-log');
    const tester = createExtensionTester(page);

    expect(tester.get(coreExtensionData.routePath)).toBe('/audit-log');
    expect(tester.get(coreExtensionData.title)).toBe('Audit log');
  });
});
