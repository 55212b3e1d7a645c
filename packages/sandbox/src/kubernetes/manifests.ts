/*
 * What Argo CD's repo server makes of an Application source's files: a plain
 * directory of YAML/JSON manifests, or a kustomization built as kustomize
 * v5 builds one, reduced to the fields GitOps repos commonly use:
 * `resources` (files, and folders holding their own kustomization, such as
 * an overlay's `../../base`), `namespace`, `labels`, `commonLabels`,
 * `patches` (strategic merge), `images` and `replicas`, with the
 * Application's own `spec.source.kustomize` overrides (`images`,
 * `replicas`, `commonLabels`, `namespace`) applied on top. Anything else in
 * a kustomization is refused with a message naming it; Helm charts, remote
 * bases and generators are not rendered.
 */
import { posix } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { isObject } from './schema';
import {
  applyLabels,
  METADATA_LABEL_FIELDS,
  SELECTOR_LABEL_FIELDS,
  TEMPLATE_LABEL_FIELDS,
} from './kustomizeLabels';
import { mergeKeyOf, strategicMerge } from './strategicMerge';

/** One rendered manifest: a Kubernetes object as the repository states it. */
export type Manifest = Record<string, any> & {
  apiVersion: string;
  kind: string;
  metadata: Record<string, any> & { name: string };
};

/** A repository's files at a commit, keyed by their path from the repository root. */
export type RepositoryFiles = Record<string, string>;

/** The parts of `spec.source` rendering reads. */
export interface RenderedSource {
  directory?: { recurse?: boolean };
  kustomize?: {
    images?: string[];
    replicas?: Array<{ name: string; count: number | string }>;
    commonLabels?: Record<string, string>;
    namespace?: string;
  };
}

const KUSTOMIZATION_FILES = [
  'kustomization.yaml',
  'kustomization.yml',
  'Kustomization',
];

/** A remote kustomize resource (a URL or a git repository), which the sandbox does not fetch. */
const REMOTE = /^[a-z][a-z0-9+.-]*:\/\/|^git@|^github\.com\//i;

/** The kustomization fields the sandbox renders; any other is an error rather than silently ignored. */
const KUSTOMIZATION_FIELDS = new Set([
  'apiVersion',
  'kind',
  'metadata',
  'resources',
  'namespace',
  'labels',
  'commonLabels',
  'patches',
  'images',
  'replicas',
]);

interface ImageRule {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

interface PatchEntry {
  path?: string;
  patch?: string;
  target?: Record<string, string>;
}

interface Kustomization {
  resources?: string[];
  namespace?: string;
  labels?: Array<{
    pairs?: Record<string, string>;
    includeSelectors?: boolean;
    includeTemplates?: boolean;
  }>;
  commonLabels?: Record<string, string>;
  patches?: PatchEntry[];
  images?: ImageRule[];
  replicas?: Array<{ name: string; count: number | string }>;
}

function groupVersionOf(manifest: Manifest): [string, string] {
  const [group, version] = manifest.apiVersion.includes('/')
    ? manifest.apiVersion.split('/')
    : ['', manifest.apiVersion];
  return [group, version];
}

function parseManifests(file: string, text: string): Manifest[] {
  const documents = parseAllDocuments(text);
  const objects: Manifest[] = [];
  for (const document of documents) {
    if (document.errors.length > 0) {
      throw new Error(`${file}: ${document.errors[0].message}`);
    }
    const value = document.toJS();
    if (value === null || value === undefined) {
      continue;
    }
    if (
      !isObject(value) ||
      typeof value.apiVersion !== 'string' ||
      typeof value.kind !== 'string' ||
      !isObject(value.metadata) ||
      typeof value.metadata.name !== 'string'
    ) {
      throw new Error(
        `${file}: every document must be a Kubernetes object with apiVersion, kind and metadata.name`,
      );
    }
    objects.push(value as Manifest);
  }
  return objects;
}

/**
 * A kustomization with the fields the sandbox renders. Like kustomize's Go types, label values
 * and image fields must be strings: an unquoted `newTag: 1.10` is refused, not read as 1.1.
 */
function parseKustomization(file: string, text: string): Kustomization {
  const [document] = parseAllDocuments(text);
  if (document?.errors.length) {
    throw new Error(`${file}: ${document.errors[0].message}`);
  }
  const value = document?.toJS() ?? {};
  if (!isObject(value)) {
    throw new Error(`${file}: a kustomization must be a YAML mapping`);
  }
  const unsupported = Object.keys(value).filter(
    key => !KUSTOMIZATION_FIELDS.has(key),
  );
  if (unsupported.length > 0) {
    throw new Error(
      `${file}: ${unsupported
        .map(key => `"${key}"`)
        .join(
          ', ',
        )} not rendered by the sandbox (it renders resources, namespace, labels, commonLabels, patches, images and replicas)`,
    );
  }
  const kustomization = value as Kustomization;
  const strings: Array<[string, unknown]> = [
    ...Object.entries(kustomization.commonLabels ?? {}).map(
      ([key, label]): [string, unknown] => [`commonLabels.${key}`, label],
    ),
    ...(kustomization.labels ?? []).flatMap((entry, i) =>
      Object.entries(entry.pairs ?? {}).map(
        ([key, label]): [string, unknown] => [
          `labels[${i}].pairs.${key}`,
          label,
        ],
      ),
    ),
    ...(kustomization.images ?? []).flatMap((image, i) =>
      Object.entries(image).map(([key, field]): [string, unknown] => [
        `images[${i}].${key}`,
        field,
      ]),
    ),
  ];
  const notString = strings.find(([, field]) => typeof field !== 'string');
  if (notString) {
    throw new Error(
      `${file}: invalid Kustomization: ${notString[0]} must be a string; quote it`,
    );
  }
  return kustomization;
}

/** Kustomize's image override: `name=newName:newTag`, `name:newTag` or `name@digest`. */
function parseImageOverride(override: string): ImageRule {
  const [name, replacement] = override.includes('=')
    ? override.split('=')
    : [splitImage(override).name, override];
  const { name: newName, tag, digest } = splitImage(replacement);
  return { name, newName, newTag: tag, digest };
}

function splitImage(image: string) {
  const [withoutDigest, digest] = image.split('@');
  const tagAt = withoutDigest.lastIndexOf(':');
  const hasTag = tagAt > withoutDigest.lastIndexOf('/');
  return {
    name: hasTag ? withoutDigest.slice(0, tagAt) : withoutDigest,
    tag: hasTag ? withoutDigest.slice(tagAt + 1) : undefined,
    digest,
  };
}

function podSpecs(manifest: Manifest): Array<Record<string, any>> {
  const spec = manifest.spec ?? {};
  return [
    spec,
    spec.template?.spec,
    spec.jobTemplate?.spec?.template?.spec,
  ].filter(isObject);
}

function applyImages(manifests: Manifest[], rules: ImageRule[]) {
  for (const podSpec of manifests.flatMap(podSpecs)) {
    for (const container of [
      ...(podSpec.containers ?? []),
      ...(podSpec.initContainers ?? []),
    ]) {
      const current = splitImage(String(container.image ?? ''));
      const rule = rules.find(r => r.name === current.name);
      if (!rule) continue;
      const name = rule.newName ?? current.name;
      if (rule.digest) {
        container.image = `${name}@${rule.digest}`;
      } else if (rule.newTag) {
        container.image = `${name}:${rule.newTag}`;
      } else {
        container.image = `${name}${current.tag ? `:${current.tag}` : ''}${
          current.digest ? `@${current.digest}` : ''
        }`;
      }
    }
  }
}

function applyReplicas(
  manifests: Manifest[],
  replicas: Array<{ name: string; count: number | string }>,
) {
  for (const { name, count } of replicas) {
    for (const manifest of manifests) {
      if (
        manifest.metadata.name === name &&
        [
          'Deployment',
          'ReplicaSet',
          'StatefulSet',
          'ReplicationController',
        ].includes(manifest.kind)
      ) {
        manifest.spec = { ...manifest.spec, replicas: Number(count) };
      }
    }
  }
}

function applyNamespace(manifests: Manifest[], namespace: string | undefined) {
  if (!namespace) return;
  for (const manifest of manifests) {
    manifest.metadata.namespace = namespace;
  }
}

/** Whether a patch's `target` selects a manifest: each field an anchored regular expression, as in kustomize. */
function selects(target: Record<string, string>, manifest: Manifest) {
  const [group, version] = groupVersionOf(manifest);
  const fields: Record<string, string | undefined> = {
    group,
    version,
    kind: manifest.kind,
    name: manifest.metadata.name,
    namespace: manifest.metadata.namespace,
  };
  return Object.entries(target).every(([field, pattern]) => {
    if (!(field in fields)) {
      throw new Error(
        `patch target field "${field}" is not rendered by the sandbox (it selects by group, version, kind, name and namespace)`,
      );
    }
    return new RegExp(`^(?:${pattern})$`).test(fields[field] ?? '');
  });
}

/** Whether a strategic-merge patch without a target is about this manifest: same group, version, kind and name. */
function patchesByIdentity(patch: Record<string, any>, manifest: Manifest) {
  return (
    patch.apiVersion === manifest.apiVersion &&
    patch.kind === manifest.kind &&
    patch.metadata?.name === manifest.metadata.name &&
    (patch.metadata?.namespace === undefined ||
      patch.metadata.namespace === manifest.metadata.namespace)
  );
}

/** Builds kustomizations from a repository's files, reaching bases anywhere inside it. */
class KustomizeBuild {
  constructor(private readonly files: RepositoryFiles) {}

  private isFolder(path: string) {
    return (
      path === '.' ||
      Object.keys(this.files).some(file => file.startsWith(`${path}/`))
    );
  }

  kustomizationIn(folder: string): string | undefined {
    return KUSTOMIZATION_FILES.map(name => posix.join(folder, name)).find(
      file => file in this.files,
    );
  }

  /** A path a kustomization names, from the repository root; never outside the repository. */
  private resolve(file: string, folder: string, entry: string): string {
    if (REMOTE.test(entry)) {
      throw new Error(
        `${file}: remote resource "${entry}" is not rendered by the sandbox`,
      );
    }
    const path = posix.normalize(posix.join(folder, entry));
    if (path === '..' || path.startsWith('../') || posix.isAbsolute(entry)) {
      throw new Error(`${file}: "${entry}" points outside the repository root`);
    }
    return path.replace(/\/$/, '');
  }

  /** A file a kustomization reads must lie in or below its folder, as kustomize's default load restrictor demands. */
  private readFile(file: string, folder: string, entry: string): string {
    const path = this.resolve(file, folder, entry);
    if (posix.relative(folder, path).startsWith('..')) {
      throw new Error(
        `${file}: security; file "${entry}" is not in or below "${folder}"`,
      );
    }
    if (!(path in this.files)) {
      throw new Error(`${file}: "${entry}" does not exist`);
    }
    return path;
  }

  /** Builds the kustomization in `folder`: its resources (folders recursively), then patches, namespace, labels, replicas, images. */
  build(folder: string, from: string[] = []): Manifest[] {
    const file = this.kustomizationIn(folder);
    if (!file) {
      throw new Error(
        `unable to find one of ${KUSTOMIZATION_FILES.map(f => `'${f}'`).join(
          ', ',
        )} in directory '${folder}'${
          from.length ? ` (a resource of ${from[from.length - 1]})` : ''
        }`,
      );
    }
    if (from.includes(folder)) {
      throw new Error(
        `cycle detected: ${[...from, folder].join(' -> ')} builds itself`,
      );
    }
    const kustomization = parseKustomization(file, this.files[file]);
    const manifests: Manifest[] = [];
    const seen = new Set<string>();
    const idOf = (m: Manifest) =>
      [
        groupVersionOf(m)[0],
        m.kind,
        m.metadata.namespace,
        m.metadata.name,
      ].join('/');
    for (const entry of kustomization.resources ?? []) {
      const path = this.resolve(file, folder, String(entry));
      let added: Manifest[];
      if (path in this.files) {
        const checked = this.readFile(file, folder, entry);
        added = parseManifests(checked, this.files[checked]);
      } else if (this.isFolder(path)) {
        added = this.build(path, [...from, folder]);
      } else {
        throw new Error(`${file}: resource "${entry}" does not exist`);
      }
      for (const manifest of added) {
        if (seen.has(idOf(manifest))) {
          throw new Error(
            `${file}: may not add resource with an already registered id: ${manifest.kind}/${manifest.metadata.name}`,
          );
        }
        seen.add(idOf(manifest));
        manifests.push(manifest);
      }
    }
    this.applyPatches(file, folder, manifests, kustomization.patches ?? []);
    applyNamespace(manifests, kustomization.namespace);
    for (const label of kustomization.labels ?? []) {
      let fields = METADATA_LABEL_FIELDS;
      if (label.includeSelectors) fields = SELECTOR_LABEL_FIELDS;
      else if (label.includeTemplates) fields = TEMPLATE_LABEL_FIELDS;
      applyLabels(manifests, label.pairs, fields);
    }
    applyLabels(manifests, kustomization.commonLabels, SELECTOR_LABEL_FIELDS);
    applyReplicas(manifests, kustomization.replicas ?? []);
    applyImages(manifests, kustomization.images ?? []);
    return manifests;
  }

  /** Strategic-merge patches, each applied to its target or, without one, to the object of its own kind and name. */
  private applyPatches(
    file: string,
    folder: string,
    manifests: Manifest[],
    patches: PatchEntry[],
  ) {
    patches.forEach((entry, index) => {
      const extra = Object.keys(entry).filter(
        key => !['path', 'patch', 'target'].includes(key),
      );
      if (extra.length > 0) {
        throw new Error(
          `${file}: patches[${index}].${extra[0]} is not rendered by the sandbox`,
        );
      }
      let text: string;
      if (typeof entry.path === 'string') {
        text = this.files[this.readFile(file, folder, entry.path)];
      } else if (typeof entry.patch === 'string') {
        text = entry.patch;
      } else {
        throw new Error(`${file}: patches[${index}] needs a path or a patch`);
      }
      const name = entry.path ?? `patches[${index}]`;
      const documents = parseAllDocuments(text).map(document => {
        if (document.errors.length > 0) {
          throw new Error(`${file}: ${name}: ${document.errors[0].message}`);
        }
        return document.toJS();
      });
      for (const patch of documents.filter(d => d !== null)) {
        if (Array.isArray(patch)) {
          throw new Error(
            `${file}: ${name} is a JSON 6902 patch (a list of operations), which the sandbox does not render; write it as a strategic-merge patch (a partial object)`,
          );
        }
        if (!isObject(patch)) {
          throw new Error(
            `${file}: ${name} must be a partial Kubernetes object`,
          );
        }
        const matched = entry.target
          ? manifests.filter(m => selects(entry.target!, m))
          : manifests.filter(m => patchesByIdentity(patch, m));
        if (!entry.target && matched.length === 0) {
          throw new Error(
            `${file}: no resource matches strategic merge patch "${
              patch.kind
            }/${(patch.metadata as { name?: string })?.name}" in ${name}`,
          );
        }
        for (const manifest of matched) {
          const [group] = groupVersionOf(manifest);
          const merged = strategicMerge(manifest, patch, path =>
            mergeKeyOf(group, manifest.kind, path),
          ) as Manifest;
          // A targeted patch changes neither the name nor the kind of what it patches.
          merged.apiVersion = manifest.apiVersion;
          merged.kind = manifest.kind;
          merged.metadata = {
            ...merged.metadata,
            name: manifest.metadata.name,
          };
          manifests[manifests.indexOf(manifest)] = merged;
        }
      }
    });
  }
}

/**
 * Folders that the kustomizations among `files` build and that `files`
 * holds nothing of yet: what a reader fetching a repository folder by
 * folder must still read before the source renders. Entries rendering
 * would refuse (remote, outside the repository) are left to it to report.
 */
export function unreadBases(files: RepositoryFiles): string[] {
  const paths = Object.keys(files);
  const unread = new Set<string>();
  for (const file of paths) {
    if (!KUSTOMIZATION_FILES.includes(posix.basename(file))) continue;
    const kustomization = parseAllDocuments(files[file])[0]?.toJS();
    const resources = isObject(kustomization) ? kustomization.resources : [];
    for (const entry of Array.isArray(resources) ? resources : []) {
      const path = posix.normalize(
        posix.join(posix.dirname(file), String(entry)),
      );
      if (
        !path.startsWith('..') &&
        !REMOTE.test(String(entry)) &&
        !(path in files) &&
        !paths.some(known => known.startsWith(`${path}/`))
      ) {
        unread.add(path);
      }
    }
  }
  return [...unread];
}

/**
 * Renders the manifests of an Application source at `path` in a
 * repository (`files` keyed from its root), and says which of Argo CD's
 * source types it took them for; throws with a message naming the file
 * when it cannot.
 */
export function renderManifests(
  files: RepositoryFiles,
  path: string,
  source: RenderedSource,
): { manifests: Manifest[]; sourceType: 'Kustomize' | 'Directory' } {
  const root = posix.normalize(path || '.').replace(/\/$/, '') || '.';
  if (root === '..' || root.startsWith('../') || posix.isAbsolute(root)) {
    throw new Error(`${path}: app path points outside the repository root`);
  }
  const build = new KustomizeBuild(files);
  const prefix = root === '.' ? '' : `${root}/`;
  const under = Object.keys(files).filter(file => file.startsWith(prefix));
  if (under.length === 0) {
    throw new Error(`${path}: app path does not exist`);
  }
  const kustomized = build.kustomizationIn(root) !== undefined;
  let manifests: Manifest[];
  if (kustomized) {
    manifests = build.build(root);
  } else {
    manifests = under
      .filter(file => /\.(ya?ml|json)$/.test(file))
      .filter(
        file =>
          source.directory?.recurse || !file.slice(prefix.length).includes('/'),
      )
      .sort()
      .flatMap(file => parseManifests(file, files[file]));
  }
  const overrides = source.kustomize ?? {};
  applyNamespace(manifests, overrides.namespace);
  applyLabels(manifests, overrides.commonLabels, SELECTOR_LABEL_FIELDS);
  applyImages(manifests, (overrides.images ?? []).map(parseImageOverride));
  applyReplicas(manifests, overrides.replicas ?? []);
  return {
    manifests,
    sourceType: kustomized ? 'Kustomize' : 'Directory',
  };
}
