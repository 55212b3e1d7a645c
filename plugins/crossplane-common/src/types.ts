/**
 * The JSON Schema of a request form, generated from an XRD version's `spec` schema: the
 * keywords react-jsonschema-form and validators understand, without Kubernetes' extensions.
 */
export interface FormSchema {
  type?: string;
  title?: string;
  description?: string;
  enum?: unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  required?: string[];
  properties?: Record<string, FormSchema>;
  items?: FormSchema;
  minItems?: number;
  maxItems?: number;
  additionalProperties?: boolean | FormSchema;
  /** Only for `x-kubernetes-int-or-string`: an integer or a string. */
  anyOf?: FormSchema[];
}

/**
 * Presentation hints for the form, in react-jsonschema-form's uiSchema shape: nested by property
 * name (`items` for array elements), `ui:order` from `x-ui-order`, `ui:widget: hidden` from
 * `x-ui-hidden` and `ui:advanced` from `x-ui-advanced`.
 */
export interface FormUiSchema {
  'ui:order'?: string[];
  'ui:widget'?: 'hidden';
  'ui:advanced'?: true;
  [property: string]: FormUiSchema | string[] | string | boolean | undefined;
}

/** Where an offering's resources live: Crossplane v2 scopes, or a v1 XRD's cluster-scoped XR. */
export type OfferingScope = 'Namespaced' | 'Cluster' | 'LegacyCluster';

/** One kind of infrastructure teams may request: an offered CompositeResourceDefinition. */
export interface Offering {
  /** The XRD's name, e.g. `postgresqlinstances.platform.paved.dev`. */
  name: string;
  group: string;
  kind: string;
  plural: string;
  /** The XRD version that is served and referenceable, which requests are made in. */
  version: string;
  scope: OfferingScope;
  /** `v1` for a legacy XRD (scope `LegacyCluster`, claims), `v2` otherwise. */
  apiVersion: 'v1' | 'v2';
  /** The claim teams create in their namespace, for a v1 XRD with `claimNames`. */
  claim?: { kind: string; plural: string };
  title: string;
  description?: string;
  /**
   * The catalog `spec.type` of its resources (`database`, `cache`, `bucket`), from the XRD's
   * `paved.dev/resource-type` annotation; absent when the XRD has none.
   */
  resourceType?: string;
  /** Names of the clusters that offer it. */
  clusters: string[];
  /** JSON Schema of the resource's `spec`, Crossplane's own fields removed. */
  schema: FormSchema;
  uiSchema: FormUiSchema;
  /** Keys of the connection Secret, for a v1 XRD that declares them. */
  connectionSecretKeys?: string[];
}

/** How reading offerings from one cluster is going. */
export interface OfferingClusterState {
  name: string;
  title: string;
  status: 'loading' | 'ready' | 'error';
  error?: string;
  /** When the cluster last answered, as an ISO timestamp. */
  lastContactAt?: string;
}

/** Answer of `GET /offerings`. */
export interface OfferingsResponse {
  offerings: Offering[];
  clusters: OfferingClusterState[];
}
