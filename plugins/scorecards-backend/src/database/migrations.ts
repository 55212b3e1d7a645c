import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@paved/plugin-scorecards-backend',
  'migrations',
);

const clients = new WeakMap<DatabaseService, Promise<Knex>>();

/**
 * The plugin's database client, migrated once however many stores ask for it, so two stores
 * starting together do not race on the migrations.
 */
export function migratedClient(database: DatabaseService): Promise<Knex> {
  let client = clients.get(database);
  if (!client) {
    client = (async () => {
      const knex = await database.getClient();
      if (!database.migrations?.skip) {
        await knex.migrate.latest({ directory: migrationsDir });
      }
      return knex;
    })();
    clients.set(database, client);
  }
  return client;
}
