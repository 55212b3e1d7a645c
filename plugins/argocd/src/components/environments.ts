import {
  ApplicationSummary,
  EntityApplicationsResponse,
  InstanceState,
} from '@paved/plugin-argocd-common';

/** One Argo CD instance (an environment) with the entity's Applications on it. */
export interface Environment {
  instance: InstanceState;
  applications: ApplicationSummary[];
}

/**
 * Groups Applications by instance, in the order the backend searched the instances. An
 * Application on an instance the backend did not list still gets an environment of its own.
 */
export function groupByEnvironment(
  response: EntityApplicationsResponse,
): Environment[] {
  const environments = new Map<string, Environment>(
    response.instances.map(instance => [
      instance.instance,
      { instance, applications: [] },
    ]),
  );
  for (const application of response.applications) {
    let environment = environments.get(application.instance);
    if (!environment) {
      environment = {
        instance: {
          instance: application.instance,
          title: application.instanceTitle,
          cluster: application.cluster,
          status: 'ready',
        },
        applications: [],
      };
      environments.set(application.instance, environment);
    }
    environment.applications.push(application);
  }
  return [...environments.values()];
}

/** "Matches nothing" is only true when some instance actually answered (or none exists). */
export function showsNoApplications(
  response: EntityApplicationsResponse,
): boolean {
  return (
    response.applications.length === 0 &&
    (response.instances.length === 0 ||
      response.instances.some(i => i.status === 'ready'))
  );
}
