import { Entity } from '@backstage/catalog-model';
import { coreExtensionData } from '@backstage/frontend-plugin-api';
import { createExtensionTester } from '@backstage/frontend-test-utils';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { scorecardsPlugin } from './plugin';
import { rootRouteRef } from './routes';
import { cartEntity } from './testing/fixtures';

const system: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'System',
  metadata: { name: 'shop' },
  spec: { owner: 'group:default/team-shop' },
};

describe('scorecardsPlugin', () => {
  it('mounts the Scorecards page, and so its nav item, at /scorecards', () => {
    const tester = createExtensionTester(
      scorecardsPlugin.getExtension('page:scorecards'),
    );

    expect(tester.get(coreExtensionData.routePath)).toBe('/scorecards');
    expect(tester.get(coreExtensionData.routeRef)).toBe(rootRouteRef);
    expect(tester.get(coreExtensionData.title)).toBe('Scorecards');
  });

  it('puts the Scorecard tab at scorecard on components only', () => {
    const tester = createExtensionTester(
      scorecardsPlugin.getExtension('entity-content:scorecards/scorecard'),
    );
    const isShownOn = tester.get(
      EntityContentBlueprint.dataRefs.filterFunction,
    )!;

    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe('Scorecard');
    expect(tester.get(coreExtensionData.routePath)).toBe('scorecard');
    expect(isShownOn(cartEntity)).toBe(true);
    expect(isShownOn(system)).toBe(false);
  });

  it('puts the Scorecard card on the overview of components only', () => {
    const tester = createExtensionTester(
      scorecardsPlugin.getExtension('entity-card:scorecards/scorecard'),
    );
    const isShownOn = tester.get(EntityCardBlueprint.dataRefs.filterFunction)!;

    expect(isShownOn(cartEntity)).toBe(true);
    expect(isShownOn(system)).toBe(false);
  });
});
