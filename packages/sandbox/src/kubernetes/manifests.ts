/*
 * What Argo CD's repo server makes of an Application source's files: a plain
 * directory of YAML/JSON manifests, or a kustomization reduced to the
 * fields GitOps repos commonly use (`resources` naming files, `namespace`,
 * `commonLabels`, `images`, `replicas`), with the Application's own
 * `spec.source.kustomize` overrides (`images`, `replicas`, `commonLabels`,
 * `namespace`) applied on top. Helm charts, remote bases, patches and
 * generators are not rendered.
 */
import { parseAllDocuments } from 'yaml';
import { isObject } from './schema';

/** One rendered manifest: a Kubernetes object as the repository states it. */
export type Manifest = Record<string, any> & {
  apiVersion: string;
  kind: string;
  metadata: Record<string, any> & { name: string };
};

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

/** Kustomize's image override: `name=newName:newTag`, `name:newTag` or `name@digest`. */
function parseImageOverride(override: string) {
  const [name, replacement] = override.includes('=')
    ? override.split('=')
    : [override.replace(/[:@][^/]*$/, ''), override];
  const digest = replacement.split('@')[1];
  const withoutDigest = replacement.split('@')[0];
  const tagAt = withoutDigest.lastIndexOf(':');
  const hasTag = tagAt > withoutDigest.lastIndexOf('/');
  return {
    name,
    newName: hasTag ? withoutDigest.slice(0, tagAt) : withoutDigest,
    newTag: hasTag ? withoutDigest.slice(tagAt + 1) : undefined,
    digest,
  };
}

interface ImageRule {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

function imageName(image: string): string {
  const withoutDigest = image.split('@')[0];
  const tagAt = withoutDigest.lastIndexOf(':');
  return tagAt > withoutDigest.lastIndexOf('/')
    ? withoutDigest.slice(0, tagAt)
    : withoutDigest;
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
      const rule = rules.find(r => r.name === imageName(container.image ?? ''));
      if (!rule) continue;
      const name = rule.newName ?? imageName(container.image);
      container.image = rule.digest
        ? `${name}@${rule.digest}`
        : `${name}:${rule.newTag ?? container.image.split(':').pop()}`;
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
        ['Deployment', 'ReplicaSet', 'StatefulSet'].includes(manifest.kind)
      ) {
        manifest.spec = { ...manifest.spec, replicas: Number(count) };
      }
    }
  }
}

function applyCommonLabels(
  manifests: Manifest[],
  labels: Record<string, string> | undefined,
) {
  if (!labels) return;
  for (const manifest of manifests) {
    manifest.metadata.labels = { ...manifest.metadata.labels, ...labels };
    if (isObject(manifest.spec?.template?.metadata)) {
      manifest.spec.template.metadata.labels = {
        ...manifest.spec.template.metadata.labels,
        ...labels,
      };
    }
  }
}

function applyNamespace(manifests: Manifest[], namespace: string | undefined) {
  if (!namespace) return;
  for (const manifest of manifests) {
    manifest.metadata.namespace = namespace;
  }
}

/**
 * Renders the files at an Application source's path (keys relative to it)
 * into manifests, and says which of Argo CD's source types it took them
 * for; throws with a message naming the file when it cannot.
 */
export function renderManifests(
  files: Record<string, string>,
  source: RenderedSource,
): { manifests: Manifest[]; sourceType: 'Kustomize' | 'Directory' } {
  const kustomizationFile = KUSTOMIZATION_FILES.find(f => f in files);
  let manifests: Manifest[];
  if (kustomizationFile) {
    const [kustomization] = parseAllDocuments(files[kustomizationFile]).map(
      d => d.toJS() ?? {},
    );
    const resources = (kustomization.resources ?? []) as string[];
    manifests = resources.flatMap(resource => {
      const file = resource.replace(/^\.\//, '');
      if (!(file in files)) {
        throw new Error(
          `${kustomizationFile}: resource "${resource}" is not a file in the source path (the sandbox renders no remote or directory bases)`,
        );
      }
      return parseManifests(file, files[file]);
    });
    applyNamespace(manifests, kustomization.namespace);
    applyCommonLabels(manifests, kustomization.commonLabels);
    applyImages(manifests, (kustomization.images ?? []) as ImageRule[]);
    applyReplicas(manifests, kustomization.replicas ?? []);
  } else {
    manifests = Object.keys(files)
      .filter(file => /\.(ya?ml|json)$/.test(file))
      .filter(file => source.directory?.recurse || !file.includes('/'))
      .sort()
      .flatMap(file => parseManifests(file, files[file]));
  }
  const overrides = source.kustomize ?? {};
  applyNamespace(manifests, overrides.namespace);
  applyCommonLabels(manifests, overrides.commonLabels);
  applyImages(manifests, (overrides.images ?? []).map(parseImageOverride));
  applyReplicas(manifests, overrides.replicas ?? []);
  return {
    manifests,
    sourceType: kustomizationFile ? 'Kustomize' : 'Directory',
  };
}
