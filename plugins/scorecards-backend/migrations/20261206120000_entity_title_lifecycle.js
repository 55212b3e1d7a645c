// @ts-check

/**
 * The organisation overview lists entities by title and filters them by lifecycle, so both are
 * kept with each entity's latest scorecard. Rows scored before this migration get them at the next
 * scoring run.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('scorecard_entities', table => {
    table
      .string('title', 512)
      .nullable()
      .comment("The entity's metadata.title, else its name");
    table
      .string('lifecycle', 128)
      .nullable()
      .comment("The entity's spec.lifecycle");
    table.index('lifecycle');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('scorecard_entities', table => {
    table.dropIndex('lifecycle');
  });
  await knex.schema.alterTable('scorecard_entities', table => {
    table.dropColumn('title');
    table.dropColumn('lifecycle');
  });
};
