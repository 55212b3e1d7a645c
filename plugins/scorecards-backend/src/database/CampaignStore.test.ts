import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseCampaignStore, NewCampaign } from './CampaignStore';
import { DatabaseScorecardStore } from './ScorecardStore';

jest.setTimeout(60_000);

const silverInProduction: NewCampaign = {
  title: 'Production services at Silver',
  description: 'Every production service has CI and CODEOWNERS.',
  targetLevel: 'Silver',
  deadline: '2027-03-01',
  scope: {
    lifecycle: ['production'],
    owner: ['group:default/team-a', 'group:default/team-b'],
  },
  createdBy: 'user:default/ingrid',
};

describe('DatabaseCampaignStore', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_18', 'SQLITE_3'] });

  async function createStore(databaseId: Parameters<typeof databases.init>[0]) {
    const knex = await databases.init(databaseId);
    return DatabaseCampaignStore.create(mockServices.database({ knex }));
  }

  it.each(databases.eachSupportedId())(
    'keeps campaigns with their scope, lists the newest first and deletes them (%p)',
    async databaseId => {
      const store = await createStore(databaseId);
      const first = await store.create(silverInProduction);
      const second = await store.create({
        title: 'Shop at Gold',
        targetLevel: 'Gold',
        deadline: '2027-06-30',
        scope: { system: ['system:default/shop'] },
        createdBy: 'user:default/otto',
      });

      expect(first.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(second.id).not.toBe(first.id);
      expect(await store.get(first.id)).toEqual({
        ...silverInProduction,
        id: first.id,
        createdAt: first.createdAt,
      });
      // No description is no description, not an empty one.
      expect(await store.get(second.id)).not.toHaveProperty('description');

      const listed = await store.list();
      expect(listed.map(c => c.id).sort()).toEqual(
        [first.id, second.id].sort(),
      );
      expect(new Date(listed[0].createdAt).getTime()).toBeGreaterThanOrEqual(
        new Date(listed[1].createdAt).getTime(),
      );

      expect(await store.delete(first.id)).toBe(true);
      expect(await store.delete(first.id)).toBe(false);
      expect(await store.get(first.id)).toBeUndefined();
      expect((await store.list()).map(c => c.title)).toEqual(['Shop at Gold']);
    },
  );

  it.each(databases.eachSupportedId())(
    'shares one migrated database with the scorecard store (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const database = mockServices.database({ knex });
      // Both stores starting at once, as the plugin does, migrate once without racing.
      const [campaigns, scorecards] = await Promise.all([
        DatabaseCampaignStore.create(database),
        DatabaseScorecardStore.create(database),
      ]);
      await campaigns.create(silverInProduction);
      expect(await scorecards.list({})).toEqual([]);
      expect(await campaigns.list()).toHaveLength(1);
    },
  );
});
