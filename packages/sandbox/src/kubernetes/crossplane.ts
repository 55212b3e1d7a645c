/*
 * A stand-in for Crossplane's controllers:
 * - the definition and offered controllers, which turn each
 *   CompositeResourceDefinition into served composite (and, for v1
 *   `LegacyCluster` XRDs, claim) CRDs and mark the XRD Established and Offered;
 * - the v2 composite resource controller and a provider (composites.ts);
 * - a claim controller that binds each v1 claim to a composite resource,
 *   reports Synced/Ready conditions with Events, publishes the connection
 *   Secret once the composite is "ready", rejects parameters its
 *   Composition's guardrails refuse, and cleans up behind a finalizer on
 *   deletion. A claim's composite composes nothing.
 */
import { createHash, randomBytes } from 'node:crypto';
import { CompositeReconciler } from './composites';
import { COMPOSITION_PLURAL, guardrailViolation } from './compositions';
import {
  Condition,
  ConditionEvent,
  isForced,
  isReady,
  setConditions,
} from './crossplaneStatus';
import { DelayedActions } from './delayedActions';
import { LocalClient, ObjectRef, timestamp, tolerateGone } from './localClient';
import { typeKey } from './resources';
import { isObject } from './schema';
import { KubeObject, ObjectStore, StoreEvent } from './store';
import {
  XRD_GROUP,
  XRD_PLURAL,
  XrdSpec,
  claimCrd,
  compositeCrd,
  isModern,
  xrdStatus,
} from './xrd';

export { FORCED_ANNOTATION, isForced } from './crossplaneStatus';
export type { Condition } from './crossplaneStatus';

export const CLAIM_FINALIZER = 'finalizer.apiextensions.crossplane.io';
const COMPONENT =
  'offered/compositeresourcedefinition.apiextensions.crossplane.io';
const CRD_GROUP = 'apiextensions.k8s.io';
const CRD_PLURAL = 'customresourcedefinitions';

export const WAITING_MESSAGE =
  'Composite resource claim is waiting for composite resource to become Ready';

/** The Event a claim gets when one of its conditions changes to this. */
function claimEvent(condition: Condition): ConditionEvent {
  const key = `${condition.type}/${condition.status}/${condition.reason}`;
  const events: Record<string, ConditionEvent> = {
    'Synced/True/ReconcileSuccess': {
      type: 'Normal',
      reason: 'ConfigureCompositeResource',
      message: 'Successfully applied composite resource',
    },
    'Ready/False/Waiting': {
      type: 'Normal',
      reason: 'BindCompositeResource',
      message: WAITING_MESSAGE,
    },
    'Ready/True/Available': {
      type: 'Normal',
      reason: 'PropagateConnectionSecret',
      message:
        'Successfully propagated connection details from composite resource',
    },
    'Ready/False/Deleting': {
      type: 'Normal',
      reason: 'DeleteCompositeResource',
      message: 'Deleting composite resource',
    },
  };
  return (
    events[key] ?? {
      type: 'Warning' as const,
      reason: 'ConfigureCompositeResource',
      message: condition.message ?? condition.reason,
    }
  );
}

/** Crossplane names a claim's composite `{claim}-{5 random characters}`; here the suffix comes from the claim's uid so it is stable. */
function compositeName(claim: KubeObject): string {
  const suffix = createHash('sha256')
    .update(claim.metadata.uid)
    .digest('hex')
    .slice(0, 5);
  return `${claim.metadata.name}-${suffix}`;
}

/** Plausible connection details for the keys an XRD declares. */
function connectionValue(
  key: string,
  claim: KubeObject,
  composite: string,
): string {
  const parameters = parametersOf(claim);
  const underscored = claim.metadata.name.replace(/-/g, '_');
  switch (key) {
    case 'username':
      return underscored;
    case 'password':
      return randomBytes(18).toString('base64url');
    case 'host':
      return `${composite}.${claim.metadata.namespace}.db.sandbox.paved.dev`;
    case 'database':
      return underscored;
    case 'bucket':
      return composite;
    case 'region':
      return String(parameters.region ?? 'eu-central-1');
    case 'endpoint':
      return `https://s3.${String(
        parameters.region ?? 'eu-central-1',
      )}.sandbox.paved.dev`;
    default:
      return randomBytes(12).toString('hex');
  }
}

function parametersOf(object: KubeObject): Record<string, unknown> {
  const spec = isObject(object.spec) ? object.spec : {};
  return isObject(spec.parameters) ? spec.parameters : {};
}

/** Spec fields that belong to the claim only and are not copied to its composite. */
const CLAIM_ONLY_FIELDS = [
  'resourceRef',
  'writeConnectionSecretToRef',
  'compositeDeletePolicy',
];

export class CrossplaneController {
  private readonly delayed = new DelayedActions();
  /** Claims (by uid) whose composite is "being provisioned" or "being deleted". */
  private readonly pending = new Set<string>();
  private readonly composites: CompositeReconciler;
  private unsubscribe = () => {};

  constructor(
    private readonly client: LocalClient,
    private readonly store: ObjectStore,
    /** `reconcile: false` leaves claims and composites alone; XRDs still become CRDs. */
    private readonly options: { reconcile: boolean; delayMs: number },
  ) {
    this.composites = new CompositeReconciler(client, this.delayed, options);
  }

  /** Establishes the XRDs already stored, then follows changes. */
  start(): void {
    for (const xrd of this.client.list(XRD_GROUP, XRD_PLURAL)) {
      this.establish(xrd);
    }
    this.unsubscribe = this.store.subscribeAll(event => this.onEvent(event));
  }

  stop(): void {
    this.unsubscribe();
    this.delayed.cancelAll();
  }

  /** Reacts after the write that caused the event has been announced to everyone, as a watching controller would. */
  private onEvent(event: StoreEvent) {
    if (event.resource === typeKey(XRD_GROUP, XRD_PLURAL)) {
      const xrd = event.object;
      this.delayed.later(0, () =>
        event.type === 'DELETED'
          ? this.withdraw(xrd)
          : this.refreshXrd(xrd.metadata.name),
      );
      return;
    }
    if (!this.options.reconcile) {
      return;
    }
    // A composed resource's change (or deletion) brings its composite back, as Crossplane's watches do.
    const owner = this.composites.ownerOf(event.object);
    if (owner) {
      this.delayed.later(0, () =>
        this.composites.reconcile(owner.xrd.metadata.name, owner.ref),
      );
    }
    if (event.type === 'DELETED') {
      return;
    }
    const compositeXrd = this.composites.xrdForComposite(event.resource);
    if (compositeXrd) {
      const spec = compositeXrd.spec as XrdSpec;
      const ref = {
        group: spec.group,
        plural: spec.names.plural,
        namespace: event.object.metadata.namespace,
        name: event.object.metadata.name,
      };
      this.delayed.later(0, () =>
        this.composites.reconcile(compositeXrd.metadata.name, ref),
      );
      return;
    }
    const xrd = this.xrdForClaim(event.resource);
    if (xrd) {
      const ref = this.claimRef(xrd, event.object);
      this.delayed.later(0, () => this.reconcileClaim(xrd.metadata.name, ref));
    }
  }

  private refreshXrd(name: string) {
    const xrd = this.client.get({ group: XRD_GROUP, plural: XRD_PLURAL, name });
    if (xrd && !xrd.metadata.deletionTimestamp) {
      this.establish(xrd);
    }
  }

  /** Serves the XRD's composite and claim CRDs and reports it Established and Offered. */
  private establish(xrd: KubeObject) {
    const crds = [compositeCrd(xrd), claimCrd(xrd)].filter(
      (crd): crd is NonNullable<typeof crd> => crd !== undefined,
    );
    for (const crd of crds) {
      this.client.apply(
        { group: CRD_GROUP, plural: CRD_PLURAL, name: crd.metadata.name },
        crd as unknown as KubeObject,
      );
    }
    this.client.mergePatch(
      { group: XRD_GROUP, plural: XRD_PLURAL, name: xrd.metadata.name },
      { status: xrdStatus(xrd, timestamp()) },
      'status',
    );
  }

  /** An XRD's generated CRDs go with it, and their objects with them. */
  private withdraw(xrd: KubeObject) {
    for (const crd of [compositeCrd(xrd), claimCrd(xrd)]) {
      if (crd) {
        this.client.delete({
          group: CRD_GROUP,
          plural: CRD_PLURAL,
          name: crd.metadata.name,
        });
      }
    }
  }

  private xrdForClaim(resource: string): KubeObject | undefined {
    return this.client.list(XRD_GROUP, XRD_PLURAL).find(xrd => {
      const spec = xrd.spec as XrdSpec;
      return (
        spec.claimNames !== undefined &&
        !isModern(xrd) &&
        typeKey(spec.group, spec.claimNames.plural) === resource
      );
    });
  }

  private claimRef(xrd: KubeObject, claim: KubeObject): ObjectRef {
    const spec = xrd.spec as XrdSpec;
    return {
      group: spec.group,
      plural: spec.claimNames?.plural ?? '',
      namespace: claim.metadata.namespace,
      name: claim.metadata.name,
    };
  }

  private reconcileClaim(xrdName: string, ref: ObjectRef) {
    const xrd = this.client.get({
      group: XRD_GROUP,
      plural: XRD_PLURAL,
      name: xrdName,
    });
    const claim = this.client.get(ref);
    if (!xrd || !claim || isForced(claim)) {
      return;
    }
    const spec = xrd.spec as XrdSpec;
    const composite: ObjectRef = {
      group: spec.group,
      plural: spec.names.plural,
      name: compositeName(claim),
    };
    tolerateGone(() => {
      if (claim.metadata.deletionTimestamp) {
        this.deleteClaim(claim, ref, composite);
        return;
      }
      const claimSpec = isObject(claim.spec) ? claim.spec : {};
      if (
        !claim.metadata.finalizers?.includes(CLAIM_FINALIZER) ||
        !isObject(claimSpec.resourceRef)
      ) {
        // The next event for this claim brings the reconcile back here.
        this.client.mergePatch(ref, {
          metadata: {
            finalizers: [
              ...(claim.metadata.finalizers ?? []),
              CLAIM_FINALIZER,
            ].filter((f, i, all) => all.indexOf(f) === i),
          },
          spec: {
            resourceRef: {
              apiVersion: `${spec.group}/${spec.versions[0].name}`,
              kind: spec.names.kind,
              name: composite.name,
            },
            ...(claimSpec.compositionRef || !spec.defaultCompositionRef
              ? {}
              : { compositionRef: spec.defaultCompositionRef }),
          },
        });
        return;
      }
      const rejection = this.guardrailViolation(claim);
      if (rejection) {
        this.setConditions(claim, ref, [
          {
            type: 'Synced',
            status: 'False',
            reason: 'ReconcileError',
            message: `cannot apply composite resource: ${rejection}`,
          },
        ]);
        return;
      }
      const xr = this.applyComposite(xrd, claim, composite);
      if (!isReady(xr)) {
        this.setConditions(claim, ref, [
          { type: 'Synced', status: 'True', reason: 'ReconcileSuccess' },
          {
            type: 'Ready',
            status: 'False',
            reason: 'Waiting',
            message: WAITING_MESSAGE,
          },
        ]);
        this.provisionLater(xrd.metadata.name, claim, ref, composite);
        return;
      }
      const published = this.publishConnectionSecret(spec, claim, xr);
      this.setConditions(
        claim,
        ref,
        [
          { type: 'Synced', status: 'True', reason: 'ReconcileSuccess' },
          { type: 'Ready', status: 'True', reason: 'Available' },
        ],
        published
          ? { connectionDetails: { lastPublishedTime: published } }
          : {},
      );
    });
  }

  /** Creates or updates the claim's composite resource with the claim's spec. */
  private applyComposite(
    xrd: KubeObject,
    claim: KubeObject,
    composite: ObjectRef,
  ): KubeObject {
    const spec = xrd.spec as XrdSpec;
    const claimSpec = { ...(claim.spec as Record<string, unknown>) };
    CLAIM_ONLY_FIELDS.forEach(field => delete claimSpec[field]);
    const apiVersion = `${spec.group}/${spec.versions[0].name}`;
    return this.client.apply(composite, {
      apiVersion,
      kind: spec.names.kind,
      metadata: {
        name: composite.name,
        labels: {
          'crossplane.io/claim-name': claim.metadata.name,
          'crossplane.io/claim-namespace': claim.metadata.namespace ?? '',
          'crossplane.io/composite': composite.name,
        },
      },
      spec: {
        ...claimSpec,
        claimRef: {
          apiVersion,
          kind: spec.claimNames?.kind,
          name: claim.metadata.name,
          namespace: claim.metadata.namespace,
        },
      },
    } as unknown as KubeObject);
  }

  /** After the configured delay the composite reports Ready, as if the provider had finished. */
  private provisionLater(
    xrdName: string,
    claim: KubeObject,
    ref: ObjectRef,
    composite: ObjectRef,
  ) {
    if (this.pending.has(claim.metadata.uid)) {
      return;
    }
    this.pending.add(claim.metadata.uid);
    this.delayed.later(this.options.delayMs, () => {
      this.pending.delete(claim.metadata.uid);
      tolerateGone(() => {
        const time = timestamp();
        this.client.mergePatch(
          composite,
          {
            status: {
              conditions: [
                { type: 'Synced', status: 'True', reason: 'ReconcileSuccess' },
                { type: 'Ready', status: 'True', reason: 'Available' },
              ].map(c => ({ ...c, lastTransitionTime: time })),
            },
          },
          'status',
        );
      });
      this.reconcileClaim(xrdName, ref);
    });
  }

  /** Writes the claim's connection Secret if it asks for one and it is missing; returns when it was published. */
  private publishConnectionSecret(
    spec: XrdSpec,
    claim: KubeObject,
    composite: KubeObject,
  ): string | undefined {
    const claimSpec = claim.spec as {
      writeConnectionSecretToRef?: { name?: string };
    };
    const name = claimSpec.writeConnectionSecretToRef?.name;
    if (!name) {
      return undefined;
    }
    const ref = {
      group: '',
      plural: 'secrets',
      namespace: claim.metadata.namespace,
      name,
    };
    const previous = isObject(claim.status)
      ? (claim.status.connectionDetails as { lastPublishedTime?: string })
      : undefined;
    if (this.client.get(ref) && previous?.lastPublishedTime) {
      return previous.lastPublishedTime;
    }
    const keys = spec.connectionSecretKeys ?? [];
    this.client.apply(ref, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name,
        namespace: claim.metadata.namespace,
        ownerReferences: [
          {
            apiVersion: claim.apiVersion,
            kind: claim.kind,
            name: claim.metadata.name,
            uid: claim.metadata.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      type: 'connection.crossplane.io/v1alpha1',
      data: Object.fromEntries(
        keys.map(key => [
          key,
          Buffer.from(
            connectionValue(key, claim, composite.metadata.name),
          ).toString('base64'),
        ]),
      ),
    } as unknown as KubeObject);
    return timestamp();
  }

  /** Ready=False/Deleting first; after the delay the composite and Secret go and the finalizer is removed. */
  private deleteClaim(claim: KubeObject, ref: ObjectRef, composite: ObjectRef) {
    if (!claim.metadata.finalizers?.includes(CLAIM_FINALIZER)) {
      return;
    }
    this.setConditions(claim, ref, [
      { type: 'Ready', status: 'False', reason: 'Deleting' },
    ]);
    if (this.pending.has(`delete/${claim.metadata.uid}`)) {
      return;
    }
    this.pending.add(`delete/${claim.metadata.uid}`);
    this.delayed.later(this.options.delayMs, () => {
      this.pending.delete(`delete/${claim.metadata.uid}`);
      tolerateGone(() => {
        this.client.delete(composite);
        const secret = (
          claim.spec as { writeConnectionSecretToRef?: { name?: string } }
        ).writeConnectionSecretToRef?.name;
        if (secret) {
          this.client.delete({
            group: '',
            plural: 'secrets',
            namespace: claim.metadata.namespace,
            name: secret,
          });
        }
        const current = this.client.get(ref);
        if (current) {
          this.client.mergePatch(ref, {
            metadata: {
              finalizers: (current.metadata.finalizers ?? []).filter(
                f => f !== CLAIM_FINALIZER,
              ),
            },
          });
        }
      });
    });
  }

  /** What the claim's Composition's guardrails refuse, if anything, so failures can be provoked on purpose. */
  private guardrailViolation(claim: KubeObject): string | undefined {
    const compositionRef = (
      claim.spec as { compositionRef?: { name?: string } }
    ).compositionRef;
    const composition = compositionRef?.name
      ? this.client.get({
          group: XRD_GROUP,
          plural: COMPOSITION_PLURAL,
          name: compositionRef.name,
        })
      : undefined;
    return composition
      ? guardrailViolation(composition, claim)?.message
      : undefined;
  }

  private setConditions(
    claim: KubeObject,
    ref: ObjectRef,
    desired: Condition[],
    extraStatus: Record<string, unknown> = {},
  ) {
    setConditions(
      this.client,
      claim,
      ref,
      desired,
      { component: COMPONENT, eventFor: claimEvent },
      extraStatus,
    );
  }
}
