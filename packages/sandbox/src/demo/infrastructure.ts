/*
 * The demo catalog's databases as live infrastructure: each PostgreSQL
 * `Resource` of type `database` in demo/ becomes a Crossplane v2
 * PostgreSQLInstance in its owning team's namespace on every cluster, and
 * seeding waits until each is Ready with its connection Secret, so a
 * newcomer finds real infrastructure behind the catalog on day one.
 */
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
} from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export interface DemoDatabase {
  name: string;
  /** The owning team, a Group of the demo organisation; also its namespace. */
  owner: string;
  system?: string;
  /** PostgreSQL major version, when the description names one. */
  version?: string;
}

const POSTGRES = {
  group: 'platform.paved.dev',
  version: 'v1alpha1',
  plural: 'postgresqlinstances',
};

/** How long seeding waits for the databases to turn Ready. */
const READY_TIMEOUT_MS = 60_000;

/**
 * The database Resources of the demo catalog that are PostgreSQL (tagged
 * `postgresql`); others of type `database`, such as a VictoriaMetrics
 * cluster, have no offering to stand for them.
 */
export function readDemoDatabases(demoDir: string): DemoDatabase[] {
  const location = parse(readFileSync(join(demoDir, 'all.yaml'), 'utf8'));
  return (location.spec.targets as string[])
    .flatMap(target =>
      parseAllDocuments(readFileSync(join(demoDir, target), 'utf8')).map(
        document => document.toJS(),
      ),
    )
    .filter(
      entity =>
        entity?.kind === 'Resource' &&
        entity.spec?.type === 'database' &&
        (entity.metadata.tags ?? []).includes('postgresql'),
    )
    .map(entity => ({
      name: entity.metadata.name,
      owner: String(entity.spec.owner).replace(/^group:(default\/)?/, ''),
      system: entity.spec.system,
      version: /PostgreSQL (\d+)/.exec(entity.metadata.description ?? '')?.[1],
    }));
}

/** The composite resource for a demo database: larger, highly available and protected from deletion on prod, small on dev. */
export function databaseComposite(database: DemoDatabase, isProd: boolean) {
  return {
    apiVersion: `${POSTGRES.group}/${POSTGRES.version}`,
    kind: 'PostgreSQLInstance',
    metadata: {
      name: database.name,
      namespace: database.owner,
      labels: {
        'backstage.io/kubernetes-id': database.name,
        ...(database.system
          ? { 'app.kubernetes.io/part-of': database.system }
          : {}),
      },
      annotations: { 'paved.dev/owner': `group:default/${database.owner}` },
    },
    spec: {
      parameters: {
        ...(database.version ? { version: database.version } : {}),
        storageGB: isProd ? 100 : 20,
        tier: isProd ? 'high-availability' : 'dev',
        backups: { enabled: true, retentionDays: isProd ? 14 : 3 },
        // Dev databases are thrown away freely; production ones are not.
        deletionProtection: isProd,
      },
    },
  };
}

async function createNamespace(core: CoreV1Api, name: string) {
  try {
    await core.createNamespace({ body: { metadata: { name } } });
  } catch (error) {
    // Another part of seeding may have made the team's namespace already.
    if (!(error instanceof ApiException && error.code === 409)) {
      throw error;
    }
  }
}

function isReady(object: any): boolean {
  return (object.status?.conditions ?? []).some(
    (c: any) => c.type === 'Ready' && c.status === 'True',
  );
}

/** Polls until every demo database on the cluster is Ready; fails naming those that are not. */
async function waitUntilReady(
  custom: CustomObjectsApi,
  cluster: string,
  names: string[],
) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const list = await custom.listClusterCustomObject(POSTGRES);
    const notReady = (list.items as any[]).filter(
      item => names.includes(item.metadata.name) && !isReady(item),
    );
    if (notReady.length === 0) {
      return;
    }
    if (Date.now() > deadline) {
      const why = notReady.map(
        item =>
          `${item.metadata.namespace}/${item.metadata.name}: ${JSON.stringify(
            item.status?.conditions ?? [],
          )}`,
      );
      throw new Error(
        `demo databases on ${cluster} not Ready after ${READY_TIMEOUT_MS} ms: ${why.join(
          '; ',
        )}`,
      );
    }
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}

/**
 * Creates a namespace per team (where Paved puts what the team requests) and the demo's
 * databases on every cluster, each in its team's namespace, and waits until they are Ready.
 */
export async function seedInfrastructure(options: {
  demoDir: string;
  /** Slugs of every team; each gets a namespace of that name. */
  teams: string[];
  clusters: Array<{ name: string; kubeConfig: KubeConfig }>;
}) {
  const databases = readDemoDatabases(options.demoDir);
  await Promise.all(
    options.clusters.map(async cluster => {
      const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
      const custom = cluster.kubeConfig.makeApiClient(CustomObjectsApi);
      const isProd = cluster.name.endsWith('prod');
      for (const team of new Set([
        ...options.teams,
        ...databases.map(d => d.owner),
      ])) {
        await createNamespace(core, team);
      }
      for (const database of databases) {
        await custom.createNamespacedCustomObject({
          ...POSTGRES,
          namespace: database.owner,
          body: databaseComposite(database, isProd),
        });
      }
      await waitUntilReady(
        custom,
        cluster.name,
        databases.map(d => d.name),
      );
    }),
  );
}
