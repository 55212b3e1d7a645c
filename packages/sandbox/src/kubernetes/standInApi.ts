/*
 * What code that starts a stand-in sees: its options and the handle it gets back.
 */
import { ManifestReader, RevisionResolver } from './argocd';
import { TlsKeyPair } from './tls';

export interface KubernetesStandInOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** The bearer token every request (bar health checks) must carry. */
  token: string;
  /** A label for this instance; run several instances for several clusters. */
  clusterName: string;
  /** CustomResourceDefinition YAML files to serve from the start; defaults to {@link bundledCrdFiles}. */
  crdFiles?: string[];
  /** Crossplane CompositeResourceDefinition (and Composition) YAML files to offer from the start; defaults to {@link bundledXrdFiles}. */
  xrdFiles?: string[];
  /** The simulated Crossplane and Argo CD controllers; both run unless switched off. */
  controllers?: ControllerOptions;
  /** How many past events watches can resume from before getting 410 Expired; defaults to 1000. */
  eventWindow?: number;
  /** How often watches that allow bookmarks get one; defaults to 60 seconds, about what the apiserver does. */
  bookmarkIntervalMs?: number;
  /**
   * The serving key and certificate (PEM). Defaults to a new self-signed CA
   * certificate for 127.0.0.1 and localhost; pass the `tls` of an earlier
   * instance to keep the CA clients already trust.
   */
  tls?: TlsKeyPair;
}

export interface ControllerOptions {
  /** Reconcile Crossplane claims and composite resources (XRDs are always turned into CRDs); defaults to true. */
  crossplane?: boolean;
  /** Report Argo CD Application sync, health and history; defaults to true. */
  argoCd?: boolean;
  /** Run Deployments, ReplicaSets and Pods and publish PodMetrics; defaults to true. */
  workloads?: boolean;
  /** How long "provisioning" a claim or managed resource, deleting one, syncing an Application and starting a Pod take; defaults to 2 seconds. */
  delayMs?: number;
  /** Resolves Application sources to commits; defaults to a fixed fake SHA per source. */
  resolveRevision?: RevisionResolver;
  /**
   * Reads an Application source's repository at a commit. With it, a sync applies
   * the rendered manifests to this cluster and `status.resources` compares
   * them with the live objects; without it nothing is applied.
   */
  readManifests?: ManifestReader;
  /** How often Application sources are resolved again to notice new commits; defaults to 30 seconds. */
  revisionPollIntervalMs?: number;
}

/** How many HTTP requests a stand-in has served since it started or since its counts were last reset. */
export interface KubernetesRequestCounts {
  /** Every request, authenticated or not, whatever its answer. */
  total: number;
  /** Requests that opened a watch (`watch=true` on a collection). */
  watches: number;
  /**
   * By Kubernetes verb: `get`, `list`, `watch`, `create`, `update`, `patch`
   * and `delete` for resource URLs; `nonResource` for discovery, `/version`,
   * OpenAPI, health checks and paths that name no resource.
   */
  byVerb: Record<string, number>;
}

export interface KubernetesStandIn {
  /** Base URL to use as a kubeconfig cluster `server`: `https://127.0.0.1:{port}`. */
  url: string;
  clusterName: string;
  /** The CA certificate (PEM) clients must trust; the server certificate itself. */
  caPem: string;
  /** `caPem` in base64, the form of kubeconfig's `certificate-authority-data` and Backstage's `caData`. */
  caData: string;
  /** The serving key and certificate, to pass as `tls` to a later instance. */
  tls: TlsKeyPair;
  /**
   * Ends every open watch with an ERROR event carrying 410 Expired and
   * forgets the event history, as when an apiserver's watch cache falls
   * behind an etcd compaction; clients must relist.
   */
  expireWatches(): void;
  /**
   * The HTTP requests served so far, so a test or benchmark can prove that
   * something made no Kubernetes calls. The simulated controllers work
   * in-process and are not counted.
   */
  requests(): KubernetesRequestCounts;
  /** Starts counting requests from zero. */
  resetRequestCounts(): void;
  /**
   * Changes the controllers' `delayMs` for the steps they start from now
   * on, e.g. to seed a cluster quickly and then behave at the usual pace.
   */
  setControllerDelay(delayMs: number): void;
  stop(): Promise<void>;
}
