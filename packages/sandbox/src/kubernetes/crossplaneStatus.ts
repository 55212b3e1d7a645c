/*
 * Status conditions as crossplane-runtime sets them, with an Event for each
 * change, shared by the simulated claim, composite and provider controllers.
 */
import { LocalClient, ObjectRef, timestamp } from './localClient';
import { isObject } from './schema';
import { KubeObject } from './store';

/** While an object carries this annotation, the simulated controllers leave it alone. */
export const FORCED_ANNOTATION = 'paved.dev/sandbox-forced';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface ConditionEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export function isForced(object: KubeObject): boolean {
  return object.metadata.annotations?.[FORCED_ANNOTATION] !== undefined;
}

export function conditionsOf(object: KubeObject): Condition[] {
  return isObject(object.status) && Array.isArray(object.status.conditions)
    ? (object.status.conditions as Condition[])
    : [];
}

export function isReady(object: KubeObject): boolean {
  return conditionsOf(object).some(
    c => c.type === 'Ready' && c.status === 'True',
  );
}

/**
 * Sets conditions the way crossplane-runtime's SetConditions does (a
 * condition that did not change keeps its lastTransitionTime) and records
 * the Event `eventFor` gives for each one that did, from `component`.
 */
export function setConditions(
  client: LocalClient,
  object: KubeObject,
  ref: ObjectRef,
  desired: Condition[],
  recorder: {
    component: string;
    eventFor: (condition: Condition) => ConditionEvent;
  },
  extraStatus: Record<string, unknown> = {},
): KubeObject {
  const time = timestamp();
  const merged = [...conditionsOf(object)];
  const changed: Condition[] = [];
  for (const condition of desired) {
    const index = merged.findIndex(c => c.type === condition.type);
    const before = merged[index];
    const same =
      before &&
      before.status === condition.status &&
      before.reason === condition.reason &&
      (before.message ?? '') === (condition.message ?? '');
    if (!same) {
      const next = { ...condition, lastTransitionTime: time };
      changed.push(next);
      if (index >= 0) {
        merged[index] = next;
      } else {
        merged.push(next);
      }
    }
  }
  const updated = client.mergePatch(
    ref,
    { status: { ...extraStatus, conditions: merged } },
    'status',
  );
  for (const condition of changed) {
    client.recordEvent(
      updated,
      recorder.component,
      recorder.eventFor(condition),
    );
  }
  return updated;
}
