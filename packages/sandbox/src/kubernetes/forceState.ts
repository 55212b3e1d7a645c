/*
 * Test helpers that put an Application or a claim into a chosen state over
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

/** A custom resource, named the way `CustomObjectsApi` names it. */
export interface CustomObjectRef {
  group: string;
  version: string;
  plural: string;
  namespace: string;
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

function objectPath(ref: CustomObjectRef): string {
  return `/apis/${ref.group}/${ref.version}/namespaces/${encodeURIComponent(
    ref.namespace,
  )}/${ref.plural}/${encodeURIComponent(ref.name)}`;
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

/**
 * Puts a claim into `ReconcileError` (Synced=False with `message`) or
 * `Ready` (Synced=True, Ready=True) through its status subresource and
 * pauses the simulated Crossplane for it.
 */
export async function forceClaimState(
  connection: StandInConnection,
  claim: CustomObjectRef,
  state: ForcedClaimState,
  message?: string,
): Promise<void> {
  const path = objectPath(claim);
  const annotated = await mergePatch(connection, path, forcedMetadata);
  const time = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const forced =
    state === 'Ready'
      ? [
          {
            type: 'Synced',
            status: 'True',
            reason: 'ReconcileSuccess',
            ...(message ? { message } : {}),
          },
          { type: 'Ready', status: 'True', reason: 'Available' },
        ]
      : [
          {
            type: 'Synced',
            status: 'False',
            reason: 'ReconcileError',
            message: message ?? 'cannot apply composite resource',
          },
          {
            type: 'Ready',
            status: 'False',
            reason: 'Waiting',
            message: WAITING_MESSAGE,
          },
        ];
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

/** Removes the forced-state annotation so the simulated controllers take the object over again. */
export async function releaseForcedState(
  connection: StandInConnection,
  object: CustomObjectRef,
): Promise<void> {
  await mergePatch(connection, objectPath(object), {
    metadata: { annotations: { [FORCED_ANNOTATION]: null } },
  });
}
