import { Entity } from '@backstage/catalog-model';
import {
  CheckResult,
  EntityScorecard,
  EntitySummary,
} from '@paved/plugin-scorecards-common';

export const cartEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'cart', namespace: 'default' },
  spec: {
    type: 'service',
    owner: 'group:default/team-shop',
    lifecycle: 'production',
  },
};

/** A check result; passing Bronze by default. */
export function check(overrides: Partial<CheckResult> = {}): CheckResult {
  return {
    id: 'has-owner',
    title: 'Owned by a group',
    description: 'The component is owned by a Group.',
    level: 'Bronze',
    outcome: 'pass',
    facts: { catalogEntityFactRetriever: { ownerIsGroup: true } },
    remediation: { text: 'Set spec.owner to a group.' },
    stale: false,
    ...overrides,
  };
}

const codeowners = check({
  id: 'codeowners',
  title: 'CODEOWNERS',
  description: 'CODEOWNERS exists, parses, and names an owner.',
  level: 'Silver',
  outcome: 'fail',
  facts: {
    githubRepositoryFactRetriever: {
      hasCodeowners: false,
      codeownersValid: false,
    },
  },
  remediation: {
    text: 'Add .github/CODEOWNERS with a line such as "* @acme/team-shop".',
    url: 'https://docs.github.com/codeowners',
    action: {
      title: 'Open a pull request adding CODEOWNERS',
      url: '/create/templates/default/add-codeowners?formData=%7B%22entityRef%22%3A%22component%3Adefault%2Fcart%22%7D',
    },
  },
});

const ci = check({
  id: 'has-ci',
  title: 'CI workflow',
  description: 'A GitHub Actions workflow runs on pushes.',
  level: 'Silver',
  outcome: 'unknown',
  facts: {},
  remediation: {
    text: 'Add a CI workflow from the Paved template.',
    url: '/create/templates/default/ci-workflow',
  },
});

const licence = check({
  id: 'license',
  title: 'Licence',
  description: 'The repository has a licence file.',
  level: 'Gold',
  outcome: 'pass',
  facts: { githubRepositoryFactRetriever: { hasLicense: true } },
  remediation: { text: 'Add a LICENSE file.' },
});

/** Cart at Bronze, two Silver checks missing (one failing, one unknown), Gold's licence passing. */
export const bronzeCart: EntityScorecard = {
  entityRef: 'component:default/cart',
  level: 'Bronze',
  nextLevel: { level: 'Silver', missing: [codeowners, ci] },
  checks: [check(), codeowners, ci, licence],
  evaluatedAt: new Date(Date.now() - 3 * 60_000).toISOString(),
  stale: false,
};

/** Cart after fixing CODEOWNERS and CI: Silver, Gold needs nothing more but was not checked. */
export const silverCart: EntityScorecard = {
  ...bronzeCart,
  level: 'Silver',
  nextLevel: {
    level: 'Gold',
    missing: [check({ ...licence, outcome: 'fail' })],
  },
  checks: [
    check(),
    { ...codeowners, outcome: 'pass' },
    {
      ...ci,
      outcome: 'pass',
      facts: { githubRepositoryFactRetriever: { hasCiWorkflow: true } },
    },
    { ...licence, outcome: 'fail' },
  ],
  evaluatedAt: new Date().toISOString(),
};

/** A scored entity in the org overview. */
export function summary(overrides: Partial<EntitySummary>): EntitySummary {
  return {
    entityRef: 'component:default/cart',
    title: 'Cart',
    ownerRef: 'group:default/team-shop',
    systemRef: 'system:default/shop',
    lifecycle: 'production',
    level: 'Bronze',
    passed: 3,
    failed: 2,
    unknown: 0,
    evaluatedAt: new Date(Date.now() - 5 * 60_000).toISOString(),
    stale: false,
    ...overrides,
  };
}
