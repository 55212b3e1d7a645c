/*
 * Test helpers that put an Application, a claim or a composite resource into a chosen state over
 * the stand-in's HTTP API, so watchers and informers see ordinary MODIFIED
 * events. They also set the `paved.dev/sandbox-forced` annotation, which
 * makes the simulated controllers leave the object alone until
 * {@link releaseForcedState} removes it.
 */
import { request } from 'node:https';
import { FORCED_ANNOTATION, WAITING_MESSAGE } from './crossplane';

/** Where a stand-in listens and how to talk to it. */
export interface StandInConnection {
  /** The stand-in's `url`. */
  url: string;
  /** The stand-in's `caPem`. */
  caPem: string;
  token: string;
}

/** A custom resource, named the way `CustomObjectsApi` names it; no namespace for a cluster-scoped one. */
export interface CustomObjectRef {
  group: string;
  version: string;
  plural: string;
  namespace?: string;
  name: string;
}

/** The sync statuses Argo CD writes, which a forced state may set. */
export const SYNC_STATUSES = ['Synced', 'OutOfSync', 'Unknown'] as const;
/** The health statuses Argo CD writes, which a forced state may set. */
export const HEALTH_STATUSES = [
  'Healthy',
  'Progressing',
  'Degraded',
  'Suspended',
  'Missing',
  'Unknown',
] as const;

export interface ForcedApplicationState {
  sync?: (typeof SYNC_STATUSES)[number];
  health?: (typeof HEALTH_STATUSES)[number];
  /** Shown as the health message. */
  message?: string;
}

export type ForcedClaimState = 'ReconcileError' | 'Ready';
/** `Creating` is Synced but not yet Ready, as while composed resources are provisioned. */
export type ForcedCompositeState = 'ReconcileError' | 'Creating' | 'Ready';

function objectPath(ref: CustomObjectRef): string {
  const namespace =
    ref.namespace === undefined
      ? ''
      : `/namespaces/${encodeURIComponent(ref.namespace)}`;
  return `/apis/${ref.group}/${ref.version}${namespace}/${
    ref.plural
  }/${encodeURIComponent(ref.name)}`;
}

/** A merge patch over HTTPS; returns the patched object. */
async function mergePatch(
  connection: StandInConnection,
  path: string,
  body: unknown,
): Promise<any> {
  const text = JSON.stringify(body);
  const response = await new Promise<{ status: number; text: string }>(
    (resolve, reject) => {
      const req = request(
        `${connection.url}${path}`,
        {
          method: 'PATCH',
          ca: connection.caPem,
          headers: {
            authorization: `Bearer ${connection.token}`,
            'content-type': 'application/merge-patch+json',
          },
        },
        res => {
          let received = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            received += chunk;
          });
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, text: received }),
          );
        },
      );
      req.on('error', reject);
      req.end(text);
    },
  );
  const parsed = JSON.parse(response.text);
  if (response.status >= 300) {
    throw new Error(
      `PATCH ${path} failed with ${response.status}: ${parsed.message}`,
    );
  }
  return parsed;
}

const forcedMetadata = {
  metadata: { annotations: { [FORCED_ANNOTATION]: 'true' } },
};

/**
 * Sets an Application's sync and/or health status (Argo CD writes status
 * through the main resource) and pauses the simulated Argo CD for it.
 */
export async function forceApplicationState(
  connection: StandInConnection,
  namespace: string,
  name: string,
  state: ForcedApplicationState,
): Promise<void> {
  await mergePatch(
    connection,
    objectPath({
      group: 'argoproj.io',
      version: 'v1alpha1',
      plural: 'applications',
      namespace,
      name,
    }),
    {
      ...forcedMetadata,
      status: {
        ...(state.sync ? { sync: { status: state.sync } } : {}),
        ...(state.health || state.message
          ? {
              health: {
                ...(state.health ? { status: state.health } : {}),
                ...(state.message ? { message: state.message } : {}),
              },
            }
          : {}),
      },
    },
  );
}

interface ForcedCondition {
  type: string;
  status: string;
  reason: string;
  message?: string;
}

/** Annotates the object, then replaces the given conditions through its status subresource. */
async function forceConditions(
  connection: StandInConnection,
  ref: CustomObjectRef,
  forced: ForcedCondition[],
): Promise<void> {
  const path = objectPath(ref);
  const annotated = await mergePatch(connection, path, forcedMetadata);
  const time = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const conditions = (annotated.status?.conditions ?? []) as Array<{
    type: string;
  }>;
  await mergePatch(connection, `${path}/status`, {
    status: {
      conditions: [
        ...conditions.filter(c => !forced.some(f => f.type === c.type)),
        ...forced.map(c => ({ ...c, lastTransitionTime: time })),
      ],
    },
  });
}

const synced = (message?: string): ForcedCondition => ({
  type: 'Synced',
  status: 'True',
  reason: 'ReconcileSuccess',
  ...(message ? { message } : {}),
});
const available: ForcedCondition = {
  type: 'Ready',
  status: 'True',
  reason: 'Available',
};
const reconcileError = (message: string): ForcedCondition => ({
  type: 'Synced',
  status: 'False',
  reason: 'ReconcileError',
  message,
});

/**
 * Puts a v1 claim into `ReconcileError` (Synced=False with `message`) or
 * `Ready` (Synced=True, Ready=True) through its status subresource and
 * pauses the simulated Crossplane for it.
 */
export async function forceClaimState(
  connection: StandInConnection,
  claim: CustomObjectRef,
  state: ForcedClaimState,
  message?: string,
): Promise<void> {
  await forceConditions(
    connection,
    claim,
    state === 'Ready'
      ? [synced(message), available]
      : [
          reconcileError(message ?? 'cannot apply composite resource'),
          {
            type: 'Ready',
            status: 'False',
            reason: 'Waiting',
            message: WAITING_MESSAGE,
          },
        ],
  );
}

/**
 * Puts a v2 composite resource into `ReconcileError` (Synced=False with
 * `message`), `Creating` (Synced=True, Ready=False with `message`, e.g.
 * "Unready resources: instance") or `Ready` through its status subresource
 * and pauses the simulated Crossplane for it.
 */
export async function forceCompositeState(
  connection: StandInConnection,
  composite: CustomObjectRef,
  state: ForcedCompositeState,
  message?: string,
): Promise<void> {
  const creating: ForcedCondition = {
    type: 'Ready',
    status: 'False',
    reason: 'Creating',
    ...(message && state === 'Creating' ? { message } : {}),
  };
  const conditions: Record<ForcedCompositeState, ForcedCondition[]> = {
    ReconcileError: [
      reconcileError(message ?? 'cannot compose resources'),
      creating,
    ],
    Creating: [synced(), creating],
    Ready: [synced(message), available],
  };
  await forceConditions(connection, composite, conditions[state]);
}

/** Removes the forced-state annotation so the simulated controllers take the object over again. */
export async function releaseForcedState(
  connection: StandInConnection,
  object: CustomObjectRef,
): Promise<void> {
  await mergePatch(connection, objectPath(object), {
    metadata: { annotations: { [FORCED_ANNOTATION]: null } },
  });
}
