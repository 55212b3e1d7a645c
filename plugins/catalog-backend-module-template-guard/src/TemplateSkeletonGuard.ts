import {
  ANNOTATION_SOURCE_LOCATION,
  Entity,
  parseLocationRef,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { CatalogProcessor, LocationSpec } from '@backstage/plugin-catalog-node';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * The actions that copy a folder (or, with `:file`, one file) next to the template into the
 * task's workspace. The single-file ones copy through a symlink, so its target must be inside too.
 */
const SKELETON_ACTIONS = new Set([
  'fetch:template',
  'fetch:plain',
  'fetch:template:file',
  'fetch:plain:file',
]);

type EscapingLink = { entry: string; target: string };

/**
 * Refuses `Template` entities read from a file location whose skeleton reaches outside itself:
 * a symlink pointing out of the skeleton (which the scaffolder's `fetch:template` drops silently,
 * publishing the rest), or a skeleton folder outside the template's own folder.
 * URL locations are not checked: their trees are read through the SCM's API, without symlinks.
 *
 * @public
 */
export class TemplateSkeletonGuard implements CatalogProcessor {
  getProcessorName(): string {
    return 'TemplateSkeletonGuard';
  }

  async preProcessEntity(
    entity: Entity,
    location: LocationSpec,
  ): Promise<Entity> {
    if (entity.kind !== 'Template' || location.type !== 'file') {
      return entity;
    }
    const templateFolder = path.dirname(path.resolve(location.target));
    const baseFolder = scaffolderBaseFolder(entity, templateFolder);
    if (!baseFolder) {
      return entity;
    }
    for (const url of skeletonUrls(entity)) {
      const problem = await findEscape(
        url,
        path.resolve(baseFolder, url),
        templateFolder,
      );
      if (problem) {
        throw new InputError(
          `Template ${entity.metadata.name} is refused: ${problem}`,
        );
      }
    }
    return entity;
  }
}

/**
 * The folder the scaffolder resolves relative fetch URLs against, as its `getEntityBaseUrl`
 * does: a `file:` source-location annotation wins over the file the entity was read from.
 * Undefined when the skeleton is read through a URL instead.
 */
function scaffolderBaseFolder(
  entity: Entity,
  templateFolder: string,
): string | undefined {
  const source = entity.metadata.annotations?.[ANNOTATION_SOURCE_LOCATION];
  if (!source) {
    return templateFolder;
  }
  const { type, target } = parseLocationRef(source);
  return type === 'file' ? path.dirname(target) : undefined;
}

/** Relative `url` inputs of the template's skeleton steps; templated ones are only known at run time. */
function skeletonUrls(entity: Entity): string[] {
  const steps = entity.spec?.steps as
    | Array<{ action?: string; input?: { url?: unknown } } | null>
    | undefined;
  if (!Array.isArray(steps)) {
    return [];
  }
  return steps.flatMap(step => {
    const url = step?.input?.url;
    if (
      !SKELETON_ACTIONS.has(step?.action ?? '') ||
      typeof url !== 'string' ||
      url.includes('${{') ||
      URL.canParse(url)
    ) {
      return [];
    }
    return [url];
  });
}

async function findEscape(
  url: string,
  skeleton: string,
  templateFolder: string,
): Promise<string | undefined> {
  const realTemplateFolder = await realPathOf(templateFolder);
  const realSkeleton = await realPathOf(skeleton);
  if (!isInside(realTemplateFolder, realSkeleton)) {
    return (
      `its skeleton ${url} resolves to ${realSkeleton}, outside the template's folder ` +
      `${realTemplateFolder}. Keep the skeleton inside the template's folder.`
    );
  }
  const stat = await fs.stat(realSkeleton).catch(() => undefined);
  if (!stat?.isDirectory()) {
    // A missing skeleton fails the task at its fetch step, before anything is published.
    return undefined;
  }
  const links = await findEscapingLinks(realSkeleton);
  if (links.length === 0) {
    return undefined;
  }
  const named = links
    .map(link => `${link.entry}, a symlink to ${link.target}`)
    .join(' and ');
  return links.length === 1
    ? `its skeleton ${url} holds ${named} outside the skeleton; the scaffolder would drop it ` +
        `silently. Replace the link with the file it should contain.`
    : `its skeleton ${url} holds ${named} outside the skeleton; the scaffolder would ` +
        `drop them silently. Replace each link with the file it should contain.`;
}

/** Every symlink under the skeleton whose target lies outside it; links are not followed. */
async function findEscapingLinks(root: string): Promise<EscapingLink[]> {
  const found: EscapingLink[] = [];
  const walk = async (folder: string) => {
    const entries = await fs.readdir(folder, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const entryPath = path.join(folder, entry.name);
      if (entry.isSymbolicLink()) {
        const target = await linkTarget(entryPath);
        if (!isInside(root, target)) {
          found.push({
            entry: path.relative(root, entryPath).split(path.sep).join('/'),
            target,
          });
        }
      } else if (entry.isDirectory()) {
        await walk(entryPath);
      }
    }
  };
  await walk(root);
  return found;
}

/** Where a link leads: its real path, or for a dangling or looping link, its text resolved. */
async function linkTarget(link: string): Promise<string> {
  try {
    return await fs.realpath(link);
  } catch {
    return realPathOf(
      path.resolve(path.dirname(link), await fs.readlink(link)),
    );
  }
}

/** The real path of the nearest existing ancestor, with the rest of the path appended. */
async function realPathOf(file: string): Promise<string> {
  try {
    return await fs.realpath(file);
  } catch {
    const parent = path.dirname(file);
    return parent === file
      ? file
      : path.join(await realPathOf(parent), path.basename(file));
  }
}

function isInside(folder: string, file: string): boolean {
  const relative = path.relative(folder, file);
  return (
    relative === '' ||
    (relative !== '..' &&
      !relative.startsWith(`..${path.sep}`) &&
      !path.isAbsolute(relative))
  );
}
