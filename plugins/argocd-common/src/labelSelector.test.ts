import { matchesLabelSelector, parseLabelSelector } from './labelSelector';

describe('parseLabelSelector', () => {
  it('reads every operator kubectl accepts', () => {
    expect(
      parseLabelSelector(
        'app=cart, tier==web,env!=prod,zone in (a, b),team notin (x),backstage.io/owned,!legacy',
      ),
    ).toEqual([
      { key: 'app', operator: 'In', values: ['cart'] },
      { key: 'tier', operator: 'In', values: ['web'] },
      { key: 'env', operator: 'NotIn', values: ['prod'] },
      { key: 'zone', operator: 'In', values: ['a', 'b'] },
      { key: 'team', operator: 'NotIn', values: ['x'] },
      { key: 'backstage.io/owned', operator: 'Exists' },
      { key: 'legacy', operator: 'DoesNotExist' },
    ]);
  });

  it.each([
    ['', /empty/],
    ['app=cart,', /empty requirement/],
    ['zone in (a,b', /unbalanced/],
    ['app=ca rt', /cannot parse "app=ca rt"/],
    ['-bad=x', /"-bad" is not a valid label key/],
    ['app=bad value!', /cannot parse/],
    ['app=-x', /"-x" is not a valid label value/],
    ['zone in ()', /non-empty value list/],
  ])('rejects %j with a message naming the problem', (selector, message) => {
    expect(() => parseLabelSelector(selector)).toThrow(message);
  });
});

describe('matchesLabelSelector', () => {
  const labels = { app: 'cart', env: 'dev' };

  it('applies Kubernetes semantics to each operator', () => {
    const matches = (s: string) =>
      matchesLabelSelector(parseLabelSelector(s), labels);
    expect(matches('app=cart')).toBe(true);
    expect(matches('app=cart,env=prod')).toBe(false);
    expect(matches('env!=prod')).toBe(true);
    // A missing label satisfies != and notin, as on a real cluster.
    expect(matches('team!=x')).toBe(true);
    expect(matches('team notin (x)')).toBe(true);
    expect(matches('team in (x)')).toBe(false);
    expect(matches('app')).toBe(true);
    expect(matches('!app')).toBe(false);
  });
});
