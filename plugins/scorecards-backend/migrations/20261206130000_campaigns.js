// @ts-check

/**
 * Campaigns: a target level that every entity in a scope should reach by a deadline. Progress is
 * not stored; it is computed from the latest scorecards when asked for.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('scorecard_campaigns', table => {
    table.comment('Campaigns set by platform admins');
    table.string('id', 36).primary().comment('UUID');
    table.string('title', 200).notNullable();
    table.text('description').nullable();
    table.string('target_level', 128).notNullable();
    table.string('deadline', 10).notNullable().comment('YYYY-MM-DD');
    table
      .text('scope')
      .notNullable()
      .comment('JSON of the entity filter: owner, system, lifecycle');
    table
      .string('created_by', 512)
      .notNullable()
      .comment('User entity ref of the creator');
    table.datetime('created_at').notNullable();
    table.index('created_at');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('scorecard_campaigns');
};
