import { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { isArgocdAvailable } from './annotations';
import { matchesSelection, parseApplicationSelection } from './selection';

const entity = (annotations: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'cart', namespace: 'default', annotations },
});

const app = {
  instance: 'dev',
  namespace: 'argocd',
  name: 'cart',
  project: 'shop',
  labels: { team: 'checkout' },
};

describe('parseApplicationSelection', () => {
  it('explains which annotations are missing', () => {
    expect(() => parseApplicationSelection(entity({}))).toThrow(InputError);
    expect(() =>
      parseApplicationSelection(entity({ 'argocd/project-name': 'shop' })),
    ).toThrow(
      'component:default/cart has no Argo CD applications: set the argocd/app-name or argocd/app-selector annotation',
    );
    expect(isArgocdAvailable(entity({ 'argocd/project-name': 'shop' }))).toBe(
      false,
    );
  });

  it('names the entity and annotation when the selector is malformed', () => {
    expect(() =>
      parseApplicationSelection(entity({ 'argocd/app-selector': 'team in (' })),
    ).toThrow(
      /component:default\/cart annotation argocd\/app-selector: Invalid label selector/,
    );
  });

  it('reads comma-separated names, projects and instances', () => {
    expect(
      parseApplicationSelection(
        entity({
          'argocd/app-name': 'cart, cart-worker',
          'argocd/project-name': 'shop',
          'argocd/instance-name': 'dev,prod',
          'argocd/app-namespace': 'argocd',
        }),
      ),
    ).toEqual({
      names: ['cart', 'cart-worker'],
      selector: undefined,
      namespace: 'argocd',
      projects: ['shop'],
      instances: ['dev', 'prod'],
    });
  });
});

describe('matchesSelection', () => {
  const matches = (annotations: Record<string, string>) =>
    matchesSelection(parseApplicationSelection(entity(annotations)), app);

  it('matches by name or by label selector', () => {
    expect(matches({ 'argocd/app-name': 'cart' })).toBe(true);
    expect(matches({ 'argocd/app-name': 'orders' })).toBe(false);
    expect(matches({ 'argocd/app-selector': 'team=checkout' })).toBe(true);
    expect(matches({ 'argocd/app-selector': 'team=search' })).toBe(false);
  });

  it('narrows by namespace, project and instance', () => {
    const byName = { 'argocd/app-name': 'cart' };
    expect(matches({ ...byName, 'argocd/app-namespace': 'other' })).toBe(false);
    expect(matches({ ...byName, 'argocd/project-name': 'payments' })).toBe(
      false,
    );
    expect(matches({ ...byName, 'argocd/instance-name': 'prod' })).toBe(false);
    expect(matches({ ...byName, 'argocd/instance-name': 'prod,dev' })).toBe(
      true,
    );
  });
});
