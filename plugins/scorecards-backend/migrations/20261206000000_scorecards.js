// @ts-check

/**
 * Scorecards: each entity's latest result, and one history row per entity and day (the day's
 * last result) so trends can be drawn without keeping every run.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('scorecard_entities', table => {
    table.comment('Latest scorecard of each scored catalog entity');
    table.string('entity_ref', 512).primary();
    table
      .string('owner_ref', 512)
      .nullable()
      .comment('Entity ref of the owner');
    table
      .string('system_ref', 512)
      .nullable()
      .comment('Entity ref of the system');
    table
      .string('level', 128)
      .nullable()
      .comment('Highest level reached; null: none');
    table.text('checks').notNullable().comment('JSON of every check result');
    table.boolean('stale').notNullable();
    table.datetime('evaluated_at').notNullable();
    table.index('owner_ref');
    table.index('system_ref');
  });
  await knex.schema.createTable('scorecard_history', table => {
    table.comment(
      'Level and check counts of each entity per day (UTC), the last result of the day',
    );
    table.string('entity_ref', 512).notNullable();
    table.string('day', 10).notNullable().comment('YYYY-MM-DD');
    table.string('level', 128).nullable();
    table.integer('passed').notNullable();
    table.integer('failed').notNullable();
    table.integer('unknown').notNullable();
    table.primary(['entity_ref', 'day']);
    table.index('day');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('scorecard_history');
  await knex.schema.dropTable('scorecard_entities');
};
