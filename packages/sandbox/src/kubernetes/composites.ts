/*
 * A stand-in for Crossplane v2's composite resource controller and for the
 * provider behind the resources it composes:
 * - each v2 composite resource (XR) of a `Namespaced` or `Cluster` XRD gets
 *   Crossplane's finalizer and a Composition in `spec.crossplane.compositionRef`,
 *   then the Composition's pipeline (see compositions.ts) decides what it is
 *   composed of: managed resources and a connection Secret, owned by the XR
 *   and listed in `spec.crossplane.resourceRefs`;
 * - Synced/Ready conditions with Crossplane's reasons and messages
 *   ("Unready resources: …"), an Event for each change;
 * - the simulated provider reports each composed managed resource (a custom
 *   resource in the `managed` category) Ready after the controller's delay;
 * - deletion: Ready=False/Deleting, then the composed resources go and the
 *   finalizer is removed.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  COMPOSITION_PLURAL,
  ComposedResource,
  ConnectionSecretStep,
  runPipeline,
  someNames,
} from './compositions';
import {
  Condition,
  ConditionEvent,
  conditionsOf,
  isForced,
  isReady,
  setConditions,
} from './crossplaneStatus';
import { DelayedActions } from './delayedActions';
import { LocalClient, ObjectRef, timestamp, tolerateGone } from './localClient';
import { typeKey } from './resources';
import { isObject } from './schema';
import { KubeObject } from './store';
import {
  XRD_GROUP,
  XRD_PLURAL,
  XrdSpec,
  referenceableVersion,
  scopeOf,
} from './xrd';

export const COMPOSITE_FINALIZER = 'composite.apiextensions.crossplane.io';
export const COMPOSITE_LABEL = 'crossplane.io/composite';
const RESOURCE_NAME_ANNOTATION = 'crossplane.io/composition-resource-name';
const EXTERNAL_NAME_ANNOTATION = 'crossplane.io/external-name';

interface CrossplaneSpec {
  compositionRef?: { name: string };
  compositionSelector?: { matchLabels?: Record<string, string> };
  resourceRefs?: ResourceRef[];
}

interface ResourceRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

function crossplaneSpecOf(xr: KubeObject): CrossplaneSpec {
  const spec = isObject(xr.spec) ? xr.spec : {};
  return isObject(spec.crossplane) ? (spec.crossplane as CrossplaneSpec) : {};
}

/** The Event recorded when one of an XR's conditions changes to this. */
function compositeEvent(condition: Condition): ConditionEvent {
  const key = `${condition.type}/${condition.status}/${condition.reason}`;
  switch (key) {
    case 'Synced/True/ReconcileSuccess':
      return {
        type: 'Normal',
        reason: 'ComposeResources',
        message: 'Successfully composed resources',
      };
    case 'Ready/True/Available':
      return {
        type: 'Normal',
        reason: 'ComposeResources',
        message: 'All composed resources are ready',
      };
    case 'Ready/False/Deleting':
      return {
        type: 'Normal',
        reason: 'DeleteCompositeResource',
        message: 'Deleting composite resource',
      };
    // ReconcileError is a Warning from the step that failed; Creating repeats "Unready resources: …".
    default:
      return {
        type:
          condition.status === 'False' && condition.type === 'Synced'
            ? 'Warning'
            : 'Normal',
        reason: condition.message?.startsWith('cannot select')
          ? 'SelectComposition'
          : 'ComposeResources',
        message: condition.message ?? condition.reason,
      };
  }
}

/** Crossplane gives composed resources `{xr}-{5 random characters}`; here the suffix is derived so it is stable. */
function composedName(xr: KubeObject, resourceName: string): string {
  const suffix = createHash('sha256')
    .update(`${xr.metadata.uid}/${resourceName}`)
    .digest('hex')
    .slice(0, 5);
  return `${xr.metadata.name}-${suffix}`;
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

/** Plausible connection details: names from the XR, endpoints from what the provider reported, secrets random. */
function connectionValue(
  key: string,
  xr: KubeObject,
  source: KubeObject,
): string {
  const atProvider =
    isObject(source.status) && isObject(source.status.atProvider)
      ? source.status.atProvider
      : {};
  switch (key) {
    case 'username':
    case 'database':
      return xr.metadata.name.replace(/-/g, '_');
    case 'password':
      return randomBytes(18).toString('base64url');
    case 'host':
    case 'endpoint':
      return String(atProvider.address ?? '');
    default:
      return atProvider[key] !== undefined
        ? String(atProvider[key])
        : randomBytes(12).toString('hex');
  }
}

export class CompositeReconciler {
  /** Managed resources (by uid) being "provisioned", XRs (by uid) being deleted. */
  private readonly pending = new Set<string>();

  constructor(
    private readonly client: LocalClient,
    private readonly delayed: DelayedActions,
    private readonly options: { delayMs: number },
  ) {}

  /** The XRD whose v2 composite resources are of this type (a store event's `group/plural`), if any. */
  xrdForComposite(resource: string): KubeObject | undefined {
    return this.client.list(XRD_GROUP, XRD_PLURAL).find(xrd => {
      const spec = xrd.spec as XrdSpec;
      return (
        scopeOf(xrd) !== 'LegacyCluster' &&
        typeKey(spec.group, spec.names.plural) === resource
      );
    });
  }

  /** The XR that controls a composed object, if it is one of ours. */
  ownerOf(object: KubeObject): { xrd: KubeObject; ref: ObjectRef } | undefined {
    if (!object.metadata.labels?.[COMPOSITE_LABEL]) {
      return undefined;
    }
    const owners = (object.metadata.ownerReferences ?? []) as Array<{
      apiVersion: string;
      kind: string;
      name: string;
      controller?: boolean;
    }>;
    const owner = owners.find(o => o.controller);
    if (!owner) {
      return undefined;
    }
    const xrd = this.client.list(XRD_GROUP, XRD_PLURAL).find(candidate => {
      const spec = candidate.spec as XrdSpec;
      return (
        scopeOf(candidate) !== 'LegacyCluster' &&
        spec.group === groupOf(owner.apiVersion) &&
        spec.names.kind === owner.kind
      );
    });
    if (!xrd) {
      return undefined;
    }
    const spec = xrd.spec as XrdSpec;
    return {
      xrd,
      ref: {
        group: spec.group,
        plural: spec.names.plural,
        namespace:
          scopeOf(xrd) === 'Namespaced' ? object.metadata.namespace : undefined,
        name: owner.name,
      },
    };
  }

  reconcile(xrdName: string, ref: ObjectRef): void {
    const xrd = this.client.get({
      group: XRD_GROUP,
      plural: XRD_PLURAL,
      name: xrdName,
    });
    const xr = this.client.get(ref);
    if (!xrd || !xr || isForced(xr)) {
      return;
    }
    tolerateGone(() => {
      if (xr.metadata.deletionTimestamp) {
        this.delete(xr, ref);
        return;
      }
      const crossplane = crossplaneSpecOf(xr);
      if (
        !xr.metadata.finalizers?.includes(COMPOSITE_FINALIZER) ||
        !crossplane.compositionRef
      ) {
        this.initialise(xrd, xr, ref, crossplane);
        return;
      }
      this.compose(xrd, xr, ref, crossplane.compositionRef.name);
    });
  }

  private fail(xr: KubeObject, ref: ObjectRef, message: string) {
    this.setConditions(xr, ref, [
      {
        type: 'Synced',
        status: 'False',
        reason: 'ReconcileError',
        message,
      },
    ]);
  }

  private setConditions(xr: KubeObject, ref: ObjectRef, desired: Condition[]) {
    return setConditions(this.client, xr, ref, desired, {
      component: `composite/${ref.plural}.${ref.group}`,
      eventFor: compositeEvent,
    });
  }

  /** Adds the finalizer and selects a Composition; the write's own event brings the reconcile back. */
  private initialise(
    xrd: KubeObject,
    xr: KubeObject,
    ref: ObjectRef,
    crossplane: CrossplaneSpec,
  ) {
    const selected =
      crossplane.compositionRef ?? this.selectComposition(xrd, crossplane);
    if (!selected) {
      this.fail(
        xr,
        ref,
        'cannot select Composition: no compatible Compositions found',
      );
      return;
    }
    const updated = this.client.mergePatch(ref, {
      metadata: {
        finalizers: [
          ...new Set([...(xr.metadata.finalizers ?? []), COMPOSITE_FINALIZER]),
        ],
      },
      spec: { crossplane: { compositionRef: selected } },
    });
    if (!crossplane.compositionRef) {
      this.client.recordEvent(updated, `composite/${ref.plural}.${ref.group}`, {
        type: 'Normal',
        reason: 'SelectComposition',
        message: `Successfully selected composition: ${selected.name}`,
      });
    }
  }

  /** A selector's first match (by name), else the XRD's default, else the first Composition for this type. */
  private selectComposition(
    xrd: KubeObject,
    crossplane: CrossplaneSpec,
  ): { name: string } | undefined {
    const spec = xrd.spec as XrdSpec;
    const compatible = this.client
      .list(XRD_GROUP, COMPOSITION_PLURAL)
      .filter(composition => {
        const typeRef = (composition.spec as any)?.compositeTypeRef;
        return (
          typeRef?.kind === spec.names.kind &&
          typeRef?.apiVersion ===
            `${spec.group}/${referenceableVersion(spec).name}`
        );
      })
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    const wanted = crossplane.compositionSelector?.matchLabels;
    if (wanted) {
      const match = compatible.find(composition =>
        Object.entries(wanted).every(
          ([key, value]) => composition.metadata.labels?.[key] === value,
        ),
      );
      return match ? { name: match.metadata.name } : undefined;
    }
    if (spec.defaultCompositionRef) {
      return { name: spec.defaultCompositionRef.name };
    }
    return compatible[0] ? { name: compatible[0].metadata.name } : undefined;
  }

  private compose(
    xrd: KubeObject,
    xr: KubeObject,
    ref: ObjectRef,
    compositionName: string,
  ) {
    const composition = this.client.get({
      group: XRD_GROUP,
      plural: COMPOSITION_PLURAL,
      name: compositionName,
    });
    if (!composition) {
      this.fail(
        xr,
        ref,
        `cannot fetch Composition: compositions.apiextensions.crossplane.io "${compositionName}" not found`,
      );
      return;
    }
    const result = runPipeline(composition, xr);
    if ('error' in result) {
      this.fail(xr, ref, `cannot compose resources: ${result.error}`);
      return;
    }
    const composed: Array<{ resourceName: string; object?: KubeObject }> = [];
    for (const resource of result.resources) {
      const applied = this.applyComposed(xrd, xr, resource);
      if (typeof applied === 'string') {
        this.fail(xr, ref, `cannot compose resources: ${applied}`);
        return;
      }
      composed.push({ resourceName: resource.resourceName, object: applied });
    }
    if (result.connectionSecret) {
      composed.push({
        resourceName: result.connectionSecret.resourceName,
        object: this.composeConnectionSecret(
          xrd,
          xr,
          result.connectionSecret,
          composed,
        ),
      });
    }
    this.recordResourceRefs(xrd, xr, ref, composed);
    const unready = composed
      .filter(({ object }) => !object || !this.isComposedReady(object))
      .map(({ resourceName }) => resourceName);
    this.setConditions(xr, ref, [
      { type: 'Synced', status: 'True', reason: 'ReconcileSuccess' },
      unready.length > 0
        ? {
            type: 'Ready',
            status: 'False',
            reason: 'Creating',
            message: `Unready resources: ${someNames(unready)}`,
          }
        : { type: 'Ready', status: 'True', reason: 'Available' },
    ]);
  }

  /** Resources with conditions are ready when Ready=True; others (Secrets, ConfigMaps) once they exist. */
  private isComposedReady(object: KubeObject): boolean {
    return conditionsOf(object).length === 0 || isReady(object);
  }

  private composedMetadata(
    xrd: KubeObject,
    xr: KubeObject,
    resourceName: string,
    given: Record<string, any>,
    existing?: KubeObject,
  ) {
    return {
      ...given,
      namespace:
        scopeOf(xrd) === 'Namespaced' ? xr.metadata.namespace : given.namespace,
      labels: {
        ...existing?.metadata.labels,
        ...given.labels,
        [COMPOSITE_LABEL]: xr.metadata.name,
      },
      annotations: {
        ...existing?.metadata.annotations,
        ...given.annotations,
        [RESOURCE_NAME_ANNOTATION]: resourceName,
      },
      ownerReferences: [
        {
          apiVersion: xr.apiVersion,
          kind: xr.kind,
          name: xr.metadata.name,
          uid: xr.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    };
  }

  /** Creates or updates one composed resource; returns why it cannot when its type is not served. */
  private applyComposed(
    xrd: KubeObject,
    xr: KubeObject,
    resource: ComposedResource,
  ): KubeObject | string {
    const { apiVersion, kind } = resource.object as {
      apiVersion?: string;
      kind?: string;
    };
    const type =
      apiVersion && kind ? this.client.typeOf(apiVersion, kind) : undefined;
    if (!type) {
      return `composed resource "${resource.resourceName}": ${apiVersion} ${kind} is not served by this cluster`;
    }
    const given = isObject(resource.object.metadata)
      ? resource.object.metadata
      : {};
    const ref: ObjectRef = {
      group: type.group,
      plural: type.plural,
      namespace:
        scopeOf(xrd) === 'Namespaced'
          ? xr.metadata.namespace
          : (given.namespace as string | undefined),
      name: (given.name as string) ?? composedName(xr, resource.resourceName),
    };
    const existing = this.client.get(ref);
    const applied = this.client.apply(ref, {
      ...resource.object,
      metadata: {
        ...this.composedMetadata(
          xrd,
          xr,
          resource.resourceName,
          given,
          existing,
        ),
        name: ref.name,
      },
    } as unknown as KubeObject);
    if (type.categories.includes('managed')) {
      this.provision(applied, ref);
    }
    return this.client.get(ref) ?? applied;
  }

  /** The Secret of connection details, written once the resource it describes is ready and then left as it is. */
  private composeConnectionSecret(
    xrd: KubeObject,
    xr: KubeObject,
    step: ConnectionSecretStep,
    composed: Array<{ resourceName: string; object?: KubeObject }>,
  ): KubeObject | undefined {
    const ref: ObjectRef = {
      group: '',
      plural: 'secrets',
      namespace: xr.metadata.namespace,
      name: step.nameFormat.replace('%s', xr.metadata.name),
    };
    const existing = this.client.get(ref);
    if (existing) {
      return existing;
    }
    const source = composed.find(
      c => c.resourceName === step.fromResource,
    )?.object;
    if (!source || !isReady(source) || !ref.namespace) {
      return undefined;
    }
    return this.client.create(ref, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        ...this.composedMetadata(xrd, xr, step.resourceName, {}),
        name: ref.name,
        namespace: ref.namespace,
      },
      type: 'connection.crossplane.io/v1alpha1',
      data: Object.fromEntries(
        step.keys.map(key => [
          key,
          Buffer.from(connectionValue(key, xr, source)).toString('base64'),
        ]),
      ),
    });
  }

  private recordResourceRefs(
    xrd: KubeObject,
    xr: KubeObject,
    ref: ObjectRef,
    composed: Array<{ object?: KubeObject }>,
  ) {
    const refs: ResourceRef[] = composed
      .flatMap(({ object }) => (object ? [object] : []))
      .map(object => ({
        apiVersion: object.apiVersion,
        kind: object.kind,
        name: object.metadata.name,
        ...(scopeOf(xrd) === 'Cluster' && object.metadata.namespace
          ? { namespace: object.metadata.namespace }
          : {}),
      }))
      .sort((a, b) =>
        `${a.apiVersion}/${a.kind}/${a.name}`.localeCompare(
          `${b.apiVersion}/${b.kind}/${b.name}`,
        ),
      );
    if (
      JSON.stringify(refs) !==
      JSON.stringify(crossplaneSpecOf(xr).resourceRefs ?? [])
    ) {
      this.client.mergePatch(ref, {
        spec: { crossplane: { resourceRefs: refs } },
      });
    }
  }

  /**
   * The simulated provider: a new managed resource is Synced and Creating at
   * once, and after the delay has an external name, `atProvider` details and
   * Ready=True; its status change brings its XR back to reconcile.
   */
  private provision(managed: KubeObject, ref: ObjectRef) {
    if (
      conditionsOf(managed).length > 0 ||
      this.pending.has(managed.metadata.uid)
    ) {
      return;
    }
    this.pending.add(managed.metadata.uid);
    this.client.mergePatch(
      ref,
      {
        status: {
          conditions: [
            { type: 'Synced', status: 'True', reason: 'ReconcileSuccess' },
            { type: 'Ready', status: 'False', reason: 'Creating' },
          ].map(c => ({ ...c, lastTransitionTime: timestamp() })),
        },
      },
      'status',
    );
    this.delayed.later(this.options.delayMs, () => {
      this.pending.delete(managed.metadata.uid);
      tolerateGone(() => {
        const current = this.client.get(ref);
        if (!current || current.metadata.deletionTimestamp) {
          return;
        }
        this.client.mergePatch(ref, {
          metadata: {
            annotations: { [EXTERNAL_NAME_ANNOTATION]: current.metadata.name },
          },
        });
        const forProvider = isObject((current.spec as any)?.forProvider)
          ? ((current.spec as any).forProvider as Record<string, unknown>)
          : {};
        const time = timestamp();
        this.client.mergePatch(
          ref,
          {
            status: {
              atProvider: {
                address: `${current.metadata.name}.${current.metadata.namespace}.${ref.group}`,
                ...(forProvider.port !== undefined
                  ? { port: forProvider.port }
                  : {}),
                state: 'available',
              },
              conditions: [
                { type: 'Synced', status: 'True', reason: 'ReconcileSuccess' },
                { type: 'Ready', status: 'True', reason: 'Available' },
              ].map(c => ({ ...c, lastTransitionTime: time })),
            },
          },
          'status',
        );
      });
    });
  }

  /** Ready=False/Deleting first; after the delay the composed resources go and the finalizer is removed. */
  private delete(xr: KubeObject, ref: ObjectRef) {
    if (!xr.metadata.finalizers?.includes(COMPOSITE_FINALIZER)) {
      return;
    }
    this.setConditions(xr, ref, [
      { type: 'Ready', status: 'False', reason: 'Deleting' },
    ]);
    const key = `delete/${xr.metadata.uid}`;
    if (this.pending.has(key)) {
      return;
    }
    this.pending.add(key);
    this.delayed.later(this.options.delayMs, () => {
      this.pending.delete(key);
      tolerateGone(() => {
        const current = this.client.get(ref);
        if (!current) {
          return;
        }
        for (const composed of crossplaneSpecOf(current).resourceRefs ?? []) {
          const type = this.client.typeOf(composed.apiVersion, composed.kind);
          if (type) {
            this.client.delete({
              group: type.group,
              plural: type.plural,
              namespace: composed.namespace ?? current.metadata.namespace,
              name: composed.name,
            });
          }
        }
        this.client.mergePatch(ref, {
          metadata: {
            finalizers: (current.metadata.finalizers ?? []).filter(
              f => f !== COMPOSITE_FINALIZER,
            ),
          },
        });
      });
    });
  }
}
