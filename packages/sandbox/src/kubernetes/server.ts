/*
 * The HTTP face of the stand-in: kube-apiserver URL layout, bearer-token
 * authentication, discovery, list/watch and the object verbs.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Server, createServer } from 'node:https';
import { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { ArgoCdController, ManifestReader, RevisionResolver } from './argocd';
import { Cluster, PatchType, Target } from './cluster';
import { CrossplaneController } from './crossplane';
import { WorkloadController } from './workloads';
import {
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
} from './discovery';
import { CRD_TYPE, ResourceType, apiVersionOf, typeKey } from './resources';
import { parseFieldSelector, parseLabelSelector } from './selectors';
import {
  Status,
  StatusError,
  badRequest,
  expired,
  methodNotAllowed,
  pathNotFound,
  unauthorized,
  unsupportedMediaType,
} from './status';
import { LocalClient } from './localClient';
import { KubeObject, StoreEvent } from './store';
import { TlsKeyPair, generateServingCertificate } from './tls';

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
  /** Crossplane CompositeResourceDefinition YAML files to offer from the start; defaults to {@link bundledXrdFiles}. */
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
  /** Reconcile Crossplane claims (XRDs are always turned into CRDs); defaults to true. */
  crossplane?: boolean;
  /** Report Argo CD Application sync, health and history; defaults to true. */
  argoCd?: boolean;
  /** Run Deployments, ReplicaSets and Pods and publish PodMetrics; defaults to true. */
  workloads?: boolean;
  /** How long "provisioning" a claim, deleting one, syncing an Application and starting a Pod take; defaults to 2 seconds. */
  delayMs?: number;
  /** Resolves Application sources to commits; defaults to a fixed fake SHA per source. */
  resolveRevision?: RevisionResolver;
  /**
   * Reads an Application source's files at a commit. With it, a sync applies
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

const MAX_BODY_BYTES = 3 * 1024 * 1024;
const UNAUTHENTICATED_PATHS = new Set(['/healthz', '/readyz', '/livez']);
/** What the apiserver answers with; clients ask for it spelled with `@v1.0` (older) or `.v1.0`. */
const OPENAPI_V2_PROTOBUF =
  'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const KUBERNETES_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2024-12-11T00:00:00Z',
  goVersion: 'go1.23.3',
  compiler: 'gc',
  platform: 'linux/amd64',
};

function yamlFilesIn(subdirectory: string): string[] {
  // Resolved through package.json so it works from src/ and from a build in dist/.
  const directory = join(
    dirname(require.resolve('@paved/sandbox/package.json')),
    'src/kubernetes',
    subdirectory,
  );
  return readdirSync(directory)
    .filter(file => file.endsWith('.yaml'))
    .sort()
    .map(file => join(directory, file));
}

/** The Argo CD and Crossplane CRD files shipped with this package. */
export function bundledCrdFiles(): string[] {
  return yamlFilesIn('crds');
}

/** The Crossplane XRDs shipped with this package: `PostgreSQLInstance` and `Bucket` claims in `platform.paved.dev`. */
export function bundledXrdFiles(): string[] {
  return yamlFilesIn('crds/offered');
}

function readManifestFile(file: string): unknown[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map(document => document.toJS())
    .filter(Boolean);
}

interface OpenWatch {
  expire(status: Status): void;
  close(): void;
}

/** What a resource URL names once parsed. */
interface ResourcePath {
  type: ResourceType;
  version: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

function sendJson(res: ServerResponse, code: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      throw new StatusError(
        413,
        'RequestEntityTooLarge',
        `Request entity too large: limit is ${MAX_BODY_BYTES}`,
      );
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? 'application/json')
    .split(';')[0]
    .trim()
    .toLowerCase();
}

async function readObject(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  const type = mediaType(req);
  try {
    if (type === 'application/yaml') {
      return parseYaml(text);
    }
    if (type === 'application/json' || type === '*/*') {
      return JSON.parse(text);
    }
  } catch (error) {
    throw badRequest(
      `couldn't get version/kind; json parse error: ${
        (error as Error).message
      }`,
    );
  }
  throw unsupportedMediaType(['application/json', 'application/yaml']);
}

/** Default list/watch output: core items omit apiVersion and kind, as the apiserver's typed lists do. */
function listItem(type: ResourceType, object: KubeObject) {
  if (type.custom) {
    return object;
  }
  const { apiVersion: _apiVersion, kind: _kind, ...rest } = object;
  return rest;
}

interface ContinueToken {
  rv: string;
  start: string;
}

function decodeContinue(token: string): ContinueToken {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString());
    if (typeof parsed.rv === 'string' && typeof parsed.start === 'string') {
      return parsed;
    }
  } catch {
    // Falls through to the same answer as any other malformed token.
  }
  throw badRequest(
    'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
  );
}

function segmentsOf(url: URL): string[] {
  return url.pathname
    .split('/')
    .filter(segment => segment !== '')
    .map(decodeURIComponent);
}

function objectKey(object: KubeObject): string {
  return `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

type ResolvedOptions = Required<
  Omit<KubernetesStandInOptions, 'tls' | 'controllers'>
> & { controllers: ControllerOptions };

/** The verb the apiserver's request info would give a request for a resource. */
function resourceVerb(
  method: string,
  path: ResourcePath,
  query: URLSearchParams,
) {
  switch (method) {
    case 'GET':
      if (path.name !== undefined) return 'get';
      return ['true', '1'].includes(query.get('watch') ?? '')
        ? 'watch'
        : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    default:
      return method.toLowerCase();
  }
}

class StandInServer {
  private readonly cluster: Cluster;
  private counts: KubernetesRequestCounts = {
    total: 0,
    watches: 0,
    byVerb: {},
  };
  private readonly watches = new Set<OpenWatch>();
  private readonly controllers: Array<{ stop(): void }> = [];
  /** The options objects the controllers read their delay from at each step, so it can change while they run. */
  private readonly timings: Array<{ delayMs: number }> = [];
  private address = '';

  constructor(private readonly options: ResolvedOptions) {
    this.cluster = new Cluster(options.eventWindow);
    const client = new LocalClient(this.cluster);
    for (const file of options.crdFiles) {
      for (const crd of readManifestFile(file)) {
        this.cluster.create({ type: CRD_TYPE, version: 'v1', name: '' }, crd);
      }
    }
    for (const file of options.xrdFiles) {
      for (const xrd of readManifestFile(file)) {
        client.create(
          {
            group: 'apiextensions.crossplane.io',
            plural: 'compositeresourcedefinitions',
          },
          xrd,
        );
      }
    }
    const {
      crossplane = true,
      argoCd = true,
      workloads = true,
      delayMs = 2000,
      resolveRevision,
      readManifests,
      revisionPollIntervalMs = 30_000,
    } = options.controllers;
    const crossplaneTiming = { claims: crossplane, delayMs };
    this.timings.push(crossplaneTiming);
    const crossplaneController = new CrossplaneController(
      client,
      this.cluster.store,
      crossplaneTiming,
    );
    crossplaneController.start();
    this.controllers.push(crossplaneController);
    if (workloads) {
      const workloadTiming = { delayMs };
      this.timings.push(workloadTiming);
      const workloadController = new WorkloadController(
        client,
        this.cluster.store,
        workloadTiming,
      );
      workloadController.start();
      this.controllers.push(workloadController);
    }
    if (argoCd) {
      const argoCdOptions = {
        delayMs,
        resolveRevision,
        readManifests,
        pollIntervalMs: revisionPollIntervalMs,
      };
      this.timings.push(argoCdOptions);
      const argoCdController = new ArgoCdController(
        client,
        this.cluster.store,
        argoCdOptions,
      );
      argoCdController.start();
      this.controllers.push(argoCdController);
    }
  }

  setControllerDelay(delayMs: number) {
    this.timings.forEach(timing => {
      timing.delayMs = delayMs;
    });
  }

  stopControllers() {
    this.controllers.forEach(controller => controller.stop());
  }

  setAddress(address: string) {
    this.address = address;
  }

  expireWatches() {
    this.cluster.store.compact();
    const current = Number(this.cluster.store.currentResourceVersion());
    for (const watch of [...this.watches]) {
      watch.expire(expired(current - 1, current).toStatus());
    }
  }

  closeWatches() {
    for (const watch of [...this.watches]) {
      watch.close();
    }
  }

  requests(): KubernetesRequestCounts {
    return structuredClone(this.counts);
  }

  resetRequestCounts() {
    this.counts = { total: 0, watches: 0, byVerb: {} };
  }

  private count(url: URL, method: string) {
    let path: ResourcePath | undefined;
    try {
      path = this.resolve(segmentsOf(url));
    } catch {
      // A malformed path names no resource; routing answers it.
    }
    const verb = path
      ? resourceVerb(method, path, url.searchParams)
      : 'nonResource';
    this.counts.total += 1;
    if (verb === 'watch') {
      this.counts.watches += 1;
    }
    this.counts.byVerb[verb] = (this.counts.byVerb[verb] ?? 0) + 1;
  }

  async handle(req: IncomingMessage, res: ServerResponse) {
    try {
      this.count(
        new URL(req.url ?? '/', 'http://stand-in'),
        req.method ?? 'GET',
      );
      await this.route(req, res);
    } catch (error) {
      const status =
        error instanceof StatusError
          ? error
          : new StatusError(500, 'InternalError', String(error));
      if (!res.headersSent) {
        sendJson(res, status.code, status.toStatus());
      } else {
        res.end();
      }
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    if (UNAUTHENTICATED_PATHS.has(url.pathname)) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('ok');
      return;
    }
    if (req.headers.authorization !== `Bearer ${this.options.token}`) {
      throw unauthorized();
    }
    if (url.pathname === '/openapi/v2') {
      this.openApiV2(req, res);
      return;
    }
    const segments = segmentsOf(url);
    const discovery = this.discovery(segments);
    if (discovery !== undefined) {
      if (req.method !== 'GET') {
        throw methodNotAllowed();
      }
      sendJson(res, 200, discovery);
      return;
    }
    const target = this.resolve(segments);
    if (!target) {
      throw pathNotFound();
    }
    await this.serveResource(req, res, target, url.searchParams);
  }

  /**
   * An OpenAPI v2 document that describes no types. kubectl downloads it to
   * validate manifests before sending them and skips types it does not
   * describe, so `kubectl apply` works without `--validate=false` and
   * validation is left to the stand-in's CRD schemas.
   */
  private openApiV2(req: IncomingMessage, res: ServerResponse) {
    if (req.method !== 'GET') {
      throw methodNotAllowed();
    }
    if ((req.headers.accept ?? '').includes('proto-openapi.spec.v2')) {
      // An empty protobuf message is an empty openapi_v2.Document.
      res.writeHead(200, {
        'Content-Type': OPENAPI_V2_PROTOBUF,
        'Content-Length': 0,
      });
      res.end();
      return;
    }
    sendJson(res, 200, {
      swagger: '2.0',
      info: { title: 'Kubernetes', version: KUBERNETES_VERSION.gitVersion },
      paths: {},
      definitions: {},
    });
  }

  /** Answers the discovery and version endpoints; undefined for any other path. */
  private discovery(segments: string[]): unknown {
    const types = this.cluster.allTypes();
    const path = segments.join('/');
    if (path === 'version') return KUBERNETES_VERSION;
    if (path === 'api') return apiVersions(this.address);
    if (path === 'api/v1') return apiResourceList(types, '', 'v1');
    if (path === 'apis') return apiGroupList(types);
    if (segments[0] === 'apis' && segments.length === 2) {
      return apiGroup(types, segments[1]) ?? undefined;
    }
    if (segments[0] === 'apis' && segments.length === 3) {
      return apiResourceList(types, segments[1], segments[2]);
    }
    return undefined;
  }

  /**
   * Parses `/api/v1/...` and `/apis/{group}/{version}/...` into a resource,
   * following the apiserver's layout: `[namespaces/{ns}/]{plural}[/{name}[/{subresource}]]`.
   */
  private resolve(segments: string[]): ResourcePath | undefined {
    let group: string;
    let rest: string[];
    if (segments[0] === 'api' && segments[1] === 'v1') {
      group = '';
      rest = segments.slice(1);
    } else if (segments[0] === 'apis' && segments.length >= 4) {
      group = segments[1];
      rest = segments.slice(2);
    } else {
      return undefined;
    }
    const [version, ...parts] = rest;
    let namespace: string | undefined;
    // `namespaces/{ns}/status` is the namespace's own subresource, not a collection inside it.
    if (
      parts[0] === 'namespaces' &&
      parts.length >= 3 &&
      parts[2] !== 'status'
    ) {
      namespace = parts[1];
      parts.splice(0, 2);
    }
    if (parts.length === 0 || parts.length > 3) {
      return undefined;
    }
    const [plural, name, subresource] = parts;
    const type = this.cluster.resolve(group, version, plural);
    if (!type) {
      return undefined;
    }
    const scopedRight =
      namespace === undefined ? !type.namespaced || !name : type.namespaced;
    const subresourceKnown =
      subresource === undefined ||
      (subresource === 'status' &&
        type.versions.get(version)?.statusSubresource === true);
    if (!scopedRight || !subresourceKnown) {
      return undefined;
    }
    return { type, version, namespace, name, subresource };
  }

  private async serveResource(
    req: IncomingMessage,
    res: ServerResponse,
    path: ResourcePath,
    query: URLSearchParams,
  ) {
    if (query.has('dryRun')) {
      throw badRequest('dryRun is not supported by this Kubernetes stand-in');
    }
    const { type, version, namespace, name, subresource } = path;
    if (!type.verbs.includes(resourceVerb(req.method ?? 'GET', path, query))) {
      throw methodNotAllowed();
    }
    if (name === undefined) {
      if (req.method === 'GET') {
        if (['true', '1'].includes(query.get('watch') ?? '')) {
          this.watch(req, res, path, query);
        } else {
          sendJson(res, 200, this.list(path, query));
        }
        return;
      }
      if (
        req.method === 'POST' &&
        (namespace !== undefined || !type.namespaced)
      ) {
        const target: Target = { type, version, namespace, name: '' };
        sendJson(res, 201, this.cluster.create(target, await readObject(req)));
        return;
      }
      throw methodNotAllowed();
    }
    const target: Target = { type, version, namespace, name };
    switch (req.method) {
      case 'GET':
        sendJson(res, 200, this.cluster.get(target));
        return;
      case 'PUT':
        sendJson(
          res,
          200,
          this.cluster.update(target, await readObject(req), subresource),
        );
        return;
      case 'PATCH': {
        const patchTypes: Record<string, PatchType> = {
          'application/merge-patch+json': 'merge',
          'application/json-patch+json': 'json',
        };
        const patchType = patchTypes[mediaType(req)];
        if (!patchType) {
          throw unsupportedMediaType(Object.keys(patchTypes));
        }
        const text = await readBody(req);
        let patch: unknown;
        try {
          patch = JSON.parse(text);
        } catch (error) {
          throw badRequest(`error decoding patch: ${(error as Error).message}`);
        }
        sendJson(
          res,
          200,
          this.cluster.patch(target, patchType, patch, subresource),
        );
        return;
      }
      case 'DELETE': {
        if (subresource) {
          throw methodNotAllowed();
        }
        const text = await readBody(req);
        let options: unknown = {};
        try {
          options = text ? JSON.parse(text) : {};
        } catch (error) {
          throw badRequest(
            `couldn't get version/kind; json parse error: ${
              (error as Error).message
            }`,
          );
        }
        const result = this.cluster.delete(target, options);
        sendJson(res, result.code, result.body);
        return;
      }
      default:
        throw methodNotAllowed();
    }
  }

  private selection(path: ResourcePath, query: URLSearchParams) {
    const labels = parseLabelSelector(query.get('labelSelector'));
    const fields = parseFieldSelector(query.get('fieldSelector'), [
      'metadata.name',
      'metadata.namespace',
      ...path.type.extraFieldSelectors,
    ]);
    return (object: KubeObject) =>
      (path.namespace === undefined ||
        object.metadata.namespace === path.namespace) &&
      labels(object) &&
      fields(object);
  }

  private list(path: ResourcePath, query: URLSearchParams) {
    const { type, version, namespace } = path;
    const matches = this.selection(path, query);
    const token = query.get('continue');
    const resume = token ? decodeContinue(token) : undefined;
    const resourceVersion =
      resume?.rv ?? this.cluster.store.currentResourceVersion();
    const all = this.cluster.store
      .list(typeKey(type.group, type.plural), namespace)
      .filter(object => !resume || objectKey(object) > resume.start)
      .filter(matches);
    const limit = Number(query.get('limit') ?? 0);
    const page = limit > 0 ? all.slice(0, limit) : all;
    const remaining = all.length - page.length;
    const filtered = query.has('labelSelector') || query.has('fieldSelector');
    const metadata = {
      resourceVersion,
      ...(remaining > 0
        ? {
            continue: Buffer.from(
              JSON.stringify({
                v: 'meta.k8s.io/v1',
                rv: resourceVersion,
                start: objectKey(page[page.length - 1]),
              }),
            ).toString('base64url'),
            ...(filtered ? {} : { remainingItemCount: remaining }),
          }
        : {}),
    };
    return {
      apiVersion: apiVersionOf(type.group, version),
      kind: type.listKind,
      metadata,
      items: page.map(object =>
        listItem(type, this.cluster.present(type, version, object)),
      ),
    };
  }

  /**
   * A watch stream: newline-delimited JSON events over a chunked response.
   * Without a resourceVersion (or with "0") it starts with ADDED events for
   * the current objects; with one it replays what happened after it, or
   * sends 410 Expired if that history is gone.
   */
  private watch(
    req: IncomingMessage,
    res: ServerResponse,
    path: ResourcePath,
    query: URLSearchParams,
  ) {
    const { type, version } = path;
    const store = this.cluster.store;
    const matches = this.selection(path, query);
    const from = query.get('resourceVersion') ?? '';
    if (from !== '' && !/^\d+$/.test(from)) {
      throw badRequest(
        `resourceVersion: Invalid value: "${from}": strconv.ParseUint: parsing "${from}": invalid syntax`,
      );
    }
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-cache, private',
    });
    res.flushHeaders();
    const send = (eventType: string, object: unknown) => {
      if (!res.writableEnded) {
        res.write(`${JSON.stringify({ type: eventType, object })}\n`);
      }
    };
    const present = (object: KubeObject) =>
      this.cluster.present(type, version, object);
    const timers: NodeJS.Timeout[] = [];
    let unsubscribe = () => {};
    const watch: OpenWatch = {
      expire: status => {
        send('ERROR', status);
        watch.close();
      },
      close: () => {
        unsubscribe();
        timers.forEach(timer => clearTimeout(timer));
        this.watches.delete(watch);
        res.end();
      },
    };
    // A change that moves an object in or out of the selection looks like an add or delete to this watcher.
    const onEvent = (event: StoreEvent) => {
      const inNow = matches(event.object);
      const inBefore = event.previous ? matches(event.previous) : false;
      if (event.type !== 'MODIFIED') {
        if (inNow) send(event.type, present(event.object));
      } else if (inNow) {
        send(inBefore ? 'MODIFIED' : 'ADDED', present(event.object));
      } else if (inBefore) {
        send('DELETED', present(event.object));
      }
    };
    const key = typeKey(type.group, type.plural);
    try {
      if (from === '' || from === '0') {
        for (const object of store.list(key).filter(matches)) {
          send('ADDED', present(object));
        }
        unsubscribe = store.subscribe(
          key,
          Number(store.currentResourceVersion()),
          onEvent,
        );
      } else {
        unsubscribe = store.subscribe(key, Number(from), onEvent);
      }
    } catch (error) {
      if (error instanceof StatusError) {
        send('ERROR', error.toStatus());
        res.end();
        return;
      }
      throw error;
    }
    this.watches.add(watch);
    req.on('close', () => watch.close());
    if (query.get('allowWatchBookmarks') === 'true') {
      const bookmark = () => {
        send('BOOKMARK', {
          kind: type.kind,
          apiVersion: apiVersionOf(type.group, version),
          metadata: { resourceVersion: store.currentResourceVersion() },
        });
        timers.push(setTimeout(bookmark, this.options.bookmarkIntervalMs));
      };
      timers.push(setTimeout(bookmark, this.options.bookmarkIntervalMs));
    }
    const timeoutSeconds = Number(query.get('timeoutSeconds') ?? 0);
    if (timeoutSeconds > 0) {
      timers.push(setTimeout(() => watch.close(), timeoutSeconds * 1000));
    }
  }
}

/** Starts a stand-in Kubernetes API server on loopback. */
export async function startKubernetesStandIn(
  options: KubernetesStandInOptions,
): Promise<KubernetesStandIn> {
  const resolved: ResolvedOptions = {
    token: options.token,
    clusterName: options.clusterName,
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    eventWindow: options.eventWindow ?? 1000,
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000,
    crdFiles: options.crdFiles ?? bundledCrdFiles(),
    xrdFiles: options.xrdFiles ?? bundledXrdFiles(),
    controllers: options.controllers ?? {},
  };
  const tls =
    options.tls ??
    (await generateServingCertificate(`paved-sandbox-${resolved.clusterName}`));
  const standIn = new StandInServer(resolved);
  const server: Server = createServer(tls, (req, res) => {
    standIn.handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(resolved.port, resolved.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const hostForUrl = resolved.host.includes(':')
    ? `[${resolved.host}]`
    : resolved.host;
  standIn.setAddress(`${hostForUrl}:${port}`);
  let stopped: Promise<void> | undefined;
  return {
    url: `https://${hostForUrl}:${port}`,
    clusterName: resolved.clusterName,
    caPem: tls.cert,
    caData: Buffer.from(tls.cert).toString('base64'),
    tls,
    expireWatches: () => standIn.expireWatches(),
    setControllerDelay: delayMs => standIn.setControllerDelay(delayMs),
    requests: () => standIn.requests(),
    resetRequestCounts: () => standIn.resetRequestCounts(),
    stop: () => {
      stopped ??= new Promise<void>((resolve, reject) => {
        standIn.stopControllers();
        standIn.closeWatches();
        server.close(error => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}
