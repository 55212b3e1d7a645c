import { CheckResult } from '@paved/plugin-scorecards-common';
import { placeOnLevels } from './levels';

const LEVELS = ['Bronze', 'Silver', 'Gold'];

function check(
  id: string,
  level: string,
  outcome: CheckResult['outcome'],
): CheckResult {
  return {
    id,
    title: id,
    description: id,
    level,
    outcome,
    facts: {},
    remediation: { text: `fix ${id}` },
    stale: false,
  };
}

describe('placeOnLevels', () => {
  it('reaches the highest level whose checks and those below all pass', () => {
    const placed = placeOnLevels(LEVELS, [
      check('owner', 'Bronze', 'pass'),
      check('readme', 'Bronze', 'pass'),
      check('codeowners', 'Silver', 'pass'),
      check('ci', 'Silver', 'fail'),
      check('licence', 'Gold', 'pass'),
    ]);
    expect(placed.level).toBe('Bronze');
    expect(placed.nextLevel?.level).toBe('Silver');
    expect(placed.nextLevel?.missing.map(c => c.id)).toEqual(['ci']);
  });

  it('does not count an unknown outcome as passing', () => {
    const placed = placeOnLevels(LEVELS, [
      check('owner', 'Bronze', 'pass'),
      check('readme', 'Bronze', 'unknown'),
    ]);
    expect(placed.level).toBeNull();
    expect(placed.nextLevel).toEqual({
      level: 'Bronze',
      missing: [check('readme', 'Bronze', 'unknown')],
    });
  });

  it('never skips a level: passing Gold does not make up for failing Silver', () => {
    const placed = placeOnLevels(LEVELS, [
      check('owner', 'Bronze', 'pass'),
      check('ci', 'Silver', 'fail'),
      check('licence', 'Gold', 'pass'),
    ]);
    expect(placed.level).toBe('Bronze');
  });

  it('passes over a level that has no checks', () => {
    const placed = placeOnLevels(LEVELS, [
      check('owner', 'Bronze', 'pass'),
      check('ci', 'Silver', 'pass'),
    ]);
    expect(placed).toEqual({ level: 'Silver', nextLevel: null });
  });

  it('has no next level at the top', () => {
    const placed = placeOnLevels(LEVELS, [
      check('owner', 'Bronze', 'pass'),
      check('ci', 'Silver', 'pass'),
      check('licence', 'Gold', 'pass'),
    ]);
    expect(placed).toEqual({ level: 'Gold', nextLevel: null });
  });
});
