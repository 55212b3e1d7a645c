import { Entity } from '@backstage/catalog-model';
import { coreExtensionData } from '@backstage/frontend-plugin-api';
import { createExtensionTester } from '@backstage/frontend-test-utils';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { checkoutSystem, paymentsService } from './testing/fixtures';
import { crossplanePlugin } from './plugin';
import { rootRouteRef } from './routes';

const team: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'team-payments' },
  spec: { type: 'team', children: [] },
};

describe('crossplanePlugin', () => {
  it('mounts the Infrastructure page at /infrastructure on its root route', () => {
    const tester = createExtensionTester(
      crossplanePlugin.getExtension('page:crossplane'),
    );

    expect(tester.get(coreExtensionData.routePath)).toBe('/infrastructure');
    expect(tester.get(coreExtensionData.routeRef)).toBe(rootRouteRef);
    expect(tester.get(coreExtensionData.title)).toBe('Infrastructure');
  });

  it('offers the Infrastructure tab at infrastructure on components and systems only', () => {
    const tester = createExtensionTester(
      crossplanePlugin.getExtension('entity-content:crossplane/infrastructure'),
    );
    const isShownOn = tester.get(
      EntityContentBlueprint.dataRefs.filterFunction,
    )!;

    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe(
      'Infrastructure',
    );
    expect(tester.get(coreExtensionData.routePath)).toBe('infrastructure');
    expect(isShownOn(paymentsService)).toBe(true);
    expect(isShownOn(checkoutSystem)).toBe(true);
    expect(isShownOn(team)).toBe(false);
  });
});
