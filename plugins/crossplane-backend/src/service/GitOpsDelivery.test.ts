import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { InfrastructureRequest } from '@paved/plugin-crossplane-common';
import {
  GitOpsDelivery,
  GitOpsTarget,
  manifestPathOf,
  readDelivery,
} from './GitOpsDelivery';
import { readRequestConfig } from './guardrails';

function environmentsConfig(delivery: Record<string, string>) {
  return new ConfigReader({
    crossplane: {
      environments: [{ name: 'prod', cluster: 'prod-eu', delivery }],
    },
  });
}

const readProd = (delivery: Record<string, string>) =>
  readRequestConfig(environmentsConfig(delivery), ['prod-eu']).environments[0]
    .delivery;

describe('crossplane.environments[].delivery', () => {
  it('delivers directly when absent', () => {
    const config = new ConfigReader({ name: 'dev', cluster: 'dev' });
    expect(readDelivery(config, 'dev')).toEqual({ type: 'direct' });
  });

  it('reads a GitOps repository with the default branch and folder', () => {
    expect(
      readProd({
        type: 'gitops',
        repository: 'https://github.com/acme/platform-gitops',
      }),
    ).toEqual({
      type: 'gitops',
      repository: 'https://github.com/acme/platform-gitops',
      owner: 'acme',
      repo: 'platform-gitops',
      branch: 'main',
      path: 'infrastructure/{environment}/{namespace}',
    });
  });

  it.each([
    [{ type: 'argo' }, /delivery.type is 'argo'; use 'direct' or 'gitops'/],
    [{ type: 'gitops' }, /delivery.repository is required for gitops/],
    [
      { type: 'gitops', repository: 'http://github.com/acme/gitops' },
      /'http:\/\/github.com\/acme\/gitops' is not the https URL of a GitHub repository/,
    ],
    [
      { type: 'gitops', repository: 'https://github.com/acme' },
      /is not the https URL of a GitHub repository/,
    ],
    [
      {
        type: 'gitops',
        repository: 'https://github.com/acme/gitops',
        path: 'infra/{team}',
      },
      /path 'infra\/\{team\}' must be a folder inside the repository using only \{environment\}, \{cluster\}, \{namespace\}/,
    ],
    [
      {
        type: 'gitops',
        repository: 'https://github.com/acme/gitops',
        path: '../elsewhere',
      },
      /must be a folder inside the repository/,
    ],
  ])('refuses %j at start-up, naming the environment', (delivery, message) => {
    expect(() => readProd(delivery)).toThrow(message);
    expect(() => readProd(delivery)).toThrow(/environment 'prod' delivery/);
  });

  it('refuses a GitOps repository on a host without a GitHub integration', () => {
    const target = readProd({
      type: 'gitops',
      repository: 'https://git.example.com/acme/gitops',
    }) as GitOpsTarget;
    expect(() =>
      GitOpsDelivery.fromConfig(
        new ConfigReader({ app: { baseUrl: 'https://portal.example.com' } }),
        { targets: [target], logger: mockServices.logger.mock() },
      ),
    ).toThrow(
      'crossplane.environments: the GitOps repository https://git.example.com/acme/gitops has no GitHub integration; add integrations.github with host git.example.com',
    );
  });

  it('files each request by environment and namespace, one file per resource', () => {
    const target = readProd({
      type: 'gitops',
      repository: 'https://github.com/acme/gitops',
      path: '/clusters/{cluster}/{environment}/{namespace}/',
    }) as GitOpsTarget;
    const request = {
      environment: 'prod',
      resource: {
        cluster: 'prod-eu',
        apiVersion: 'platform.paved.dev/v1alpha1',
        kind: 'PostgreSQLInstance',
        namespace: 'team-payments',
        name: 'orders-db',
      },
    } as InfrastructureRequest;
    expect(manifestPathOf(request, target)).toBe(
      'clusters/prod-eu/prod/team-payments/postgresqlinstance-orders-db.yaml',
    );
    const { namespace, ...clusterScoped } = request.resource;
    expect(
      manifestPathOf({ ...request, resource: clusterScoped }, target),
    ).toBe(
      'clusters/prod-eu/prod/cluster-scoped/postgresqlinstance-orders-db.yaml',
    );
  });
});
