/*
 * The HTTP face of the stand-in: kube-apiserver URL layout, bearer-token
 * authentication, discovery and the object verbs. Request bodies, response
 * formats (JSON, Table, protobuf), list pages and watch streams have files
 * of their own.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Server, createServer } from 'node:https';
import { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ArgoCdController } from './argocd';
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
  StatusError,
  badRequest,
  expired,
  methodNotAllowed,
  pathNotFound,
  unauthorized,
  unsupportedMediaType,
} from './status';
import { LocalClient } from './localClient';
import { KubeObject } from './store';
import { TablePrinter } from './builtInPrinters';
import { hasProtobufMessage } from './protobuf';
import {
  mediaType,
  readDeleteOptions,
  readObject,
  readPatch,
} from './requestBodies';
import { ResponseFormat, negotiate, notAcceptable } from './responseFormat';
import { sendJson, sendProtobuf } from './responses';
import {
  builtInPrinter,
  customResourcePrinter,
  includeObjectOf,
  toTable,
} from './table';
import { OpenWatch, serveWatch } from './watchStream';
import { listItem, listPage } from './listPages';
import {
  ControllerOptions,
  KubernetesRequestCounts,
  KubernetesStandIn,
  KubernetesStandInOptions,
} from './standInApi';
import { generateServingCertificate } from './tls';

export type {
  ControllerOptions,
  KubernetesRequestCounts,
  KubernetesStandIn,
  KubernetesStandInOptions,
} from './standInApi';

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

/**
 * The Crossplane offerings shipped with this package, each an XRD with its
 * Composition: v2 `PostgreSQLInstance` and `Cache` composites and the v1
 * `Bucket` claim, in `platform.paved.dev`.
 */
export function bundledXrdFiles(): string[] {
  return yamlFilesIn('crds/offered');
}

function readManifestFile(file: string): unknown[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map(document => document.toJS())
    .filter(Boolean);
}

/** What a resource URL names once parsed. */
interface ResourcePath {
  type: ResourceType;
  version: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

function segmentsOf(url: URL): string[] {
  return url.pathname
    .split('/')
    .filter(segment => segment !== '')
    .map(decodeURIComponent);
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
    // XRDs and the Compositions that go with them, each at the version its file names.
    for (const file of options.xrdFiles) {
      for (const manifest of readManifestFile(file) as KubeObject[]) {
        const type = client.typeOf(manifest.apiVersion, manifest.kind);
        if (!type) {
          throw new Error(
            `${file}: ${manifest.apiVersion} ${manifest.kind} is not served`,
          );
        }
        const [, version] = manifest.apiVersion.split('/');
        this.cluster.create({ type, version, name: '' }, manifest);
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
    const crossplaneTiming = { reconcile: crossplane, delayMs };
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
      if (res.headersSent) {
        res.end();
      } else if (negotiate(req).kind === 'protobuf') {
        sendProtobuf(res, status.code, status.toStatus());
      } else {
        sendJson(res, status.code, status.toStatus());
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
    const verb = resourceVerb(req.method ?? 'GET', path, query);
    if (!type.verbs.includes(verb)) {
      throw methodNotAllowed();
    }
    const format = negotiate(req);
    const protobuf = hasProtobufMessage(
      apiVersionOf(type.group, version),
      type.kind,
    );
    if (format.kind === 'protobuf' && !protobuf) {
      throw notAcceptable();
    }
    /** Sends a result; `rows` are what a Table response shows of it (get and list only). */
    const send = (
      code: number,
      body: Record<string, any>,
      rows?: KubeObject[],
    ) => {
      if (format.kind === 'protobuf') {
        sendProtobuf(res, code, body);
      } else if (format.kind === 'table' && rows) {
        sendJson(
          res,
          code,
          toTable(this.printer(type, version), rows, {
            apiVersion: format.apiVersion,
            includeObject: includeObjectOf(query),
            headers: true,
            metadata:
              verb === 'get'
                ? { resourceVersion: body.metadata.resourceVersion }
                : body.metadata,
          }),
        );
      } else {
        sendJson(res, code, body);
      }
    };
    const target: Target = { type, version, namespace, name: name ?? '' };
    switch (verb) {
      case 'watch':
        this.watch(req, res, path, query, format);
        return;
      case 'list': {
        const page = listPage(
          this.cluster.store,
          type,
          namespace,
          this.selection(path, query),
          query,
        );
        const objects = page.objects.map(object =>
          this.cluster.present(type, version, object),
        );
        const list = {
          apiVersion: apiVersionOf(type.group, version),
          kind: type.listKind,
          metadata: page.metadata,
          items: objects.map(object => listItem(type, object)),
        };
        send(200, list, objects);
        return;
      }
      case 'get': {
        const object = this.cluster.get(target);
        send(200, object, [object]);
        return;
      }
      case 'create':
        if (
          name !== undefined ||
          (namespace === undefined && type.namespaced)
        ) {
          throw methodNotAllowed();
        }
        send(
          201,
          this.cluster.create(target, await readObject(req, { protobuf })),
        );
        return;
      case 'update':
        if (name === undefined) {
          throw methodNotAllowed();
        }
        send(
          200,
          this.cluster.update(
            target,
            await readObject(req, { protobuf }),
            subresource,
          ),
        );
        return;
      case 'patch': {
        if (name === undefined) {
          throw methodNotAllowed();
        }
        const patchTypes: Record<string, PatchType> = {
          'application/merge-patch+json': 'merge',
          'application/json-patch+json': 'json',
        };
        const patchType = patchTypes[mediaType(req)];
        if (!patchType) {
          throw unsupportedMediaType(Object.keys(patchTypes));
        }
        const patch = await readPatch(req);
        send(200, this.cluster.patch(target, patchType, patch, subresource));
        return;
      }
      case 'delete': {
        if (name === undefined || subresource) {
          throw methodNotAllowed();
        }
        const result = this.cluster.delete(
          target,
          await readDeleteOptions(req),
        );
        send(result.code, result.body as Record<string, any>);
        return;
      }
      default:
        throw methodNotAllowed();
    }
  }

  /** How Table responses show objects of a type: the CRD's printer columns, or the built-in printer. */
  private printer(type: ResourceType, version: string): TablePrinter {
    if (!type.custom) {
      return builtInPrinter(type);
    }
    const crd = this.cluster.store.get(
      typeKey(CRD_TYPE.group, CRD_TYPE.plural),
      undefined,
      `${type.plural}.${type.group}`,
    );
    return customResourcePrinter(crd, version);
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

  private watch(
    req: IncomingMessage,
    res: ServerResponse,
    path: ResourcePath,
    query: URLSearchParams,
    format: ResponseFormat,
  ) {
    const { type, version } = path;
    const watch = serveWatch(req, res, this.cluster.store, {
      type,
      version,
      query,
      matches: this.selection(path, query),
      present: object => this.cluster.present(type, version, object),
      format,
      printer: this.printer(type, version),
      includeObject: includeObjectOf(query),
      bookmarkIntervalMs: this.options.bookmarkIntervalMs,
      onClose: closed => this.watches.delete(closed),
    });
    if (watch) {
      this.watches.add(watch);
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
