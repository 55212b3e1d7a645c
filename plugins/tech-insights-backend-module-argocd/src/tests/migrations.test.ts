import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { ArgocdFactStore } from '../ArgocdFactStore';

jest.setTimeout(60_000);

const migrationsDir = resolvePackagePath(
  '@paved/plugin-tech-insights-backend-module-argocd',
  'migrations',
);
// The name ArgocdFactStore migrates with: renaming it would run the migrations again on a
// database that already has the table.
const migrationsTable = 'paved_argocd_facts_knex_migrations';
const techInsightsMigrationsDir = resolvePackagePath(
  '@backstage-community/plugin-tech-insights-backend',
  'migrations',
);

const cartFacts = {
  facts: {
    deployedWithArgoCd: true,
    applications: 2,
    allAppsSynced: true,
    allAppsHealthy: false,
    productionDeployedAt: '2026-12-01T08:00:00.000Z',
  },
  collectedAt: new Date('2026-12-06T09:00:05.000Z'),
};

describe('migrations', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_18', 'SQLITE_3'] });

  it.each(databases.eachSupportedId())(
    '20261206120000_argocd_entity_facts keeps each entity its last facts across restarts, and down drops only its table, on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      // The module lives in the tech-insights database, beside Tech Insights' own migrations.
      await knex.migrate.latest({ directory: techInsightsMigrationsDir });
      const database = mockServices.database({ knex });

      const store = await ArgocdFactStore.create(database);
      await store.saveFacts('component:default/cart', cartFacts);
      // A newer run replaces the entity's facts rather than adding a row.
      const newer = {
        ...cartFacts,
        collectedAt: new Date('2026-12-06T10:00:00.000Z'),
      };
      await store.saveFacts('component:default/cart', newer);

      // A restart migrates again; the facts reported while Argo CD cannot be read stay.
      const restarted = await ArgocdFactStore.create(database);
      expect(await restarted.getFacts('component:default/cart')).toEqual(newer);
      expect(
        await restarted.getFacts('component:default/search'),
      ).toBeUndefined();

      await knex.migrate.down({
        directory: migrationsDir,
        tableName: migrationsTable,
      });
      expect(await knex.schema.hasTable('paved_argocd_entity_facts')).toBe(
        false,
      );
      // Tech Insights' own tables are none of this migration's business.
      expect(await knex.schema.hasTable('facts')).toBe(true);

      // Up again after down: the table comes back empty and usable.
      const again = await ArgocdFactStore.create(database);
      expect(await again.getFacts('component:default/cart')).toBeUndefined();
      await again.saveFacts('component:default/cart', cartFacts);
      expect(await again.getFacts('component:default/cart')).toEqual(cartFacts);

      await knex.destroy();
    },
  );
});
