import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

interface CatalogEntity {
  kind: string;
  metadata: {
    name: string;
    title?: string;
    description?: string;
    annotations?: Record<string, string>;
    tags?: string[];
  };
  spec?: Record<string, any>;
}

export interface DemoTeam {
  slug: string;
  name: string;
  /** The Group's `spec.type`: `team`, or `department` for groups of teams. */
  type: string;
  description?: string;
  /** Slug of the parent team; none for a team right below the organisation. */
  parent?: string;
}

export interface DemoComponent {
  name: string;
  title: string;
  description: string;
  type: string;
  lifecycle: string;
  owner: string;
  system?: string;
  tags: string[];
  /** argocd/app-name, set only on deployed components */
  argoAppName?: string;
  /** Files of the component's folder in demo/, keyed by repo path (catalog-info, mkdocs, docs) */
  files: Record<string, string>;
}

/** A System of the catalog and the team that owns it. */
export interface DemoSystem {
  name: string;
  owner: string;
}

export interface DemoOrganisation {
  org: string;
  teams: DemoTeam[];
  systems: DemoSystem[];
  users: { login: string; name: string; email?: string; teams: string[] }[];
  components: DemoComponent[];
}

function readTree(dir: string, root = dir): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      Object.assign(files, readTree(path, root));
    } else {
      files[relative(root, path)] = readFileSync(path, 'utf8');
    }
  }
  return files;
}

/**
 * The demo organisation as the catalog files in demo/ describe it, so the GitHub stand-in and the
 * clusters hold exactly what the portal's catalog says: the org of the components' project slugs,
 * a team per Group below the organisation (nested like the Groups), users (their GitHub login is
 * their catalog User name, so GitHub sign-in finds them), and one repo's worth of files per
 * component.
 */
export function readDemoOrganisation(demoDir: string): DemoOrganisation {
  const location = parse(readFileSync(join(demoDir, 'all.yaml'), 'utf8'));
  const targets = location.spec.targets as string[];
  const entities = targets.flatMap(target =>
    parseAllDocuments(readFileSync(join(demoDir, target), 'utf8')).map(doc => ({
      entity: doc.toJS() as CatalogEntity,
      target,
    })),
  );

  const groups = entities
    .filter(e => e.entity.kind === 'Group')
    .map(e => e.entity);
  // Every group below the organisation is a GitHub team (departments too), nested as in the
  // catalog, so GitHub's org provider rebuilds the same hierarchy from the stand-in.
  const teamGroups = groups.filter(g => g.spec?.type !== 'organization');
  const groupSlugs = new Set(teamGroups.map(g => g.metadata.name));
  const teams: DemoTeam[] = [];
  const pending = [...teamGroups];
  while (pending.length > 0) {
    // Parents first: GitHub needs a team to exist before it can be a parent.
    const index = pending.findIndex(
      g =>
        !groupSlugs.has(g.spec?.parent) ||
        teams.some(t => t.slug === g.spec?.parent),
    );
    if (index < 0) {
      throw new Error(
        `demo groups have a parent cycle: ${pending
          .map(g => g.metadata.name)
          .join(', ')}`,
      );
    }
    const [g] = pending.splice(index, 1);
    teams.push({
      slug: g.metadata.name,
      name: g.spec?.profile?.displayName ?? g.metadata.title ?? g.metadata.name,
      type: g.spec?.type,
      description: g.metadata.description,
      parent: groupSlugs.has(g.spec?.parent) ? g.spec?.parent : undefined,
    });
  }
  const teamSlugs = new Set(teams.map(t => t.slug));

  const users = entities
    .filter(e => e.entity.kind === 'User')
    .map(({ entity }) => ({
      login: entity.metadata.name,
      name: entity.spec?.profile?.displayName ?? entity.metadata.name,
      email: entity.spec?.profile?.email,
      teams: ((entity.spec?.memberOf ?? []) as string[]).filter(t =>
        teamSlugs.has(t),
      ),
    }));

  const ownerName = (owner: unknown) =>
    String(owner).replace(/^group:(default\/)?/, '');
  const systems = entities
    .filter(e => e.entity.kind === 'System')
    .map(({ entity }) => ({
      name: entity.metadata.name,
      owner: ownerName(entity.spec?.owner),
    }));

  const components = entities
    .filter(e => e.entity.kind === 'Component')
    .map(({ entity, target }) => {
      const annotations = entity.metadata.annotations ?? {};
      const componentDir = join(demoDir, target, '..');
      return {
        name: entity.metadata.name,
        title: entity.metadata.title ?? entity.metadata.name,
        description: entity.metadata.description ?? '',
        type: entity.spec?.type,
        lifecycle: entity.spec?.lifecycle,
        owner: ownerName(entity.spec?.owner),
        system: entity.spec?.system,
        tags: entity.metadata.tags ?? [],
        argoAppName: annotations['argocd/app-name'],
        files: readTree(componentDir),
      };
    });

  const slugs = new Set(
    components
      .map(c => entities.find(e => e.entity.metadata.name === c.name)?.entity)
      .map(
        e =>
          e?.metadata.annotations?.['github.com/project-slug']?.split('/')[0],
      )
      .filter(Boolean),
  );
  if (slugs.size !== 1) {
    throw new Error(
      `demo components must share one GitHub org, found ${[...slugs].join(
        ', ',
      )}`,
    );
  }
  return { org: [...slugs][0]!, teams, systems, users, components };
}
