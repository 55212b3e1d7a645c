/*
 * Argo CD's built-in health assessment (gitops-engine `pkg/health`) for the
 * kinds the sandbox runs or stores, and its rule that an Application is as
 * healthy as its least healthy resource.
 */
import { isObject } from './schema';
import { KubeObject } from './store';

export type HealthStatus =
  | 'Healthy'
  | 'Suspended'
  | 'Progressing'
  | 'Missing'
  | 'Degraded'
  | 'Unknown';

export interface Health {
  status: HealthStatus;
  message?: string;
}

/** gitops-engine's order, best first: an Application takes the worst of its resources. */
const HEALTH_ORDER: HealthStatus[] = [
  'Healthy',
  'Suspended',
  'Progressing',
  'Missing',
  'Degraded',
  'Unknown',
];

export function worstHealth(healths: Health[]): Health | undefined {
  if (healths.length === 0) {
    return undefined;
  }
  const worst = healths
    .map(h => HEALTH_ORDER.indexOf(h.status))
    .reduce((a, b) => Math.max(a, b), 0);
  return { status: HEALTH_ORDER[worst] };
}

type Json = Record<string, any>;

function section(object: KubeObject, field: string): Json {
  const value = object[field];
  return isObject(value) ? value : {};
}

function deploymentHealth(deployment: KubeObject): Health {
  const spec = section(deployment, 'spec');
  const status = section(deployment, 'status');
  if (spec.paused) {
    return { status: 'Suspended', message: 'Deployment is paused' };
  }
  if (
    (deployment.metadata.generation ?? 0) > (status.observedGeneration ?? 0)
  ) {
    return {
      status: 'Progressing',
      message:
        'Waiting for rollout to finish: observed deployment generation less than desired generation',
    };
  }
  const progressing = (status.conditions ?? []).find(
    (c: Json) => c.type === 'Progressing',
  );
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return {
      status: 'Degraded',
      message: `Deployment "${deployment.metadata.name}" exceeded its progress deadline`,
    };
  }
  const replicas = spec.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const available = status.availableReplicas ?? 0;
  if (updated < replicas) {
    return {
      status: 'Progressing',
      message: `Waiting for rollout to finish: ${updated} out of ${replicas} new replicas have been updated...`,
    };
  }
  if ((status.replicas ?? 0) > updated) {
    return {
      status: 'Progressing',
      message: `Waiting for rollout to finish: ${
        status.replicas - updated
      } old replicas are pending termination...`,
    };
  }
  if (available < updated) {
    return {
      status: 'Progressing',
      message: `Waiting for rollout to finish: ${available} of ${updated} updated replicas are available...`,
    };
  }
  return { status: 'Healthy' };
}

function replicatedHealth(object: KubeObject, readyField: string): Health {
  const spec = section(object, 'spec');
  const status = section(object, 'status');
  const wanted = spec.replicas ?? 1;
  const ready = status[readyField] ?? 0;
  return ready >= wanted
    ? { status: 'Healthy' }
    : {
        status: 'Progressing',
        message: `Waiting for rollout to finish: ${ready} of ${wanted} replicas are ready...`,
      };
}

function podHealth(pod: KubeObject): Health {
  const status = section(pod, 'status');
  switch (status.phase) {
    case 'Running': {
      const ready = (status.conditions ?? []).some(
        (c: Json) => c.type === 'Ready' && c.status === 'True',
      );
      return ready ? { status: 'Healthy' } : { status: 'Progressing' };
    }
    case 'Succeeded':
      return { status: 'Healthy', message: status.message };
    case 'Failed':
      return { status: 'Degraded', message: status.message };
    default:
      return { status: 'Progressing', message: status.message };
  }
}

function loadBalancedHealth(object: KubeObject, needsAddress: boolean): Health {
  const ingress = section(object, 'status').loadBalancer?.ingress;
  return !needsAddress || (Array.isArray(ingress) && ingress.length > 0)
    ? { status: 'Healthy' }
    : { status: 'Progressing' };
}

function jobHealth(job: KubeObject): Health {
  const conditions = (section(job, 'status').conditions ?? []) as Json[];
  const failed = conditions.find(
    c => c.type === 'Failed' && c.status === 'True',
  );
  if (failed) {
    return { status: 'Degraded', message: failed.message };
  }
  return conditions.some(c => c.type === 'Complete' && c.status === 'True')
    ? { status: 'Healthy' }
    : { status: 'Progressing' };
}

/**
 * The health Argo CD reports for a live object, or undefined for kinds it
 * assesses none for (ConfigMaps, Secrets and the like).
 */
export function healthOf(
  group: string,
  object: KubeObject,
): Health | undefined {
  switch (`${group}/${object.kind}`) {
    case 'apps/Deployment':
      return deploymentHealth(object);
    case 'apps/ReplicaSet':
      return replicatedHealth(object, 'availableReplicas');
    case 'apps/StatefulSet':
      return replicatedHealth(object, 'readyReplicas');
    case 'apps/DaemonSet': {
      const status = section(object, 'status');
      return (status.numberAvailable ?? 0) >=
        (status.desiredNumberScheduled ?? 0)
        ? { status: 'Healthy' }
        : { status: 'Progressing' };
    }
    case '/Pod':
      return podHealth(object);
    case '/Service':
      return loadBalancedHealth(
        object,
        section(object, 'spec').type === 'LoadBalancer',
      );
    case 'networking.k8s.io/Ingress':
      return loadBalancedHealth(object, true);
    case 'batch/Job':
      return jobHealth(object);
    case 'autoscaling/HorizontalPodAutoscaler':
      return { status: 'Healthy' };
    case 'argoproj.io/Application': {
      const health = section(object, 'status').health;
      return isObject(health) && typeof health.status === 'string'
        ? { status: health.status as HealthStatus }
        : { status: 'Unknown' };
    }
    default:
      return undefined;
  }
}
