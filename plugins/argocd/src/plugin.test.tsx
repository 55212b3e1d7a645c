import { coreExtensionData } from '@backstage/frontend-plugin-api';
import { createExtensionTester } from '@backstage/frontend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { cartEntity } from './testing/fixtures';
import { argoCdPlugin } from './plugin';

const plainEntity: Entity = {
  ...cartEntity,
  metadata: { name: 'plain', annotations: { 'argocd/project-name': 'shop' } },
};

const selectorEntity: Entity = {
  ...cartEntity,
  metadata: {
    name: 'selected',
    annotations: { 'argocd/app-selector': 'app.kubernetes.io/part-of=cart' },
  },
};

describe('argoCdPlugin', () => {
  it('shows the card only on entities that name or select Argo CD applications', () => {
    const card = argoCdPlugin.getExtension('entity-card:argocd/deployments');
    const isShownOn = createExtensionTester(card).get(
      EntityCardBlueprint.dataRefs.filterFunction,
    )!;

    expect(isShownOn(cartEntity)).toBe(true);
    expect(isShownOn(selectorEntity)).toBe(true);
    expect(isShownOn(plainEntity)).toBe(false);
  });

  it('offers the Deployments tab at argocd on the same entities', () => {
    const content = argoCdPlugin.getExtension(
      'entity-content:argocd/deployments',
    );
    const tester = createExtensionTester(content);
    const isShownOn = tester.get(
      EntityContentBlueprint.dataRefs.filterFunction,
    )!;

    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe(
      'Deployments',
    );
    expect(tester.get(coreExtensionData.routePath)).toBe('argocd');
    expect(isShownOn(cartEntity)).toBe(true);
    expect(isShownOn(plainEntity)).toBe(false);
  });
});
