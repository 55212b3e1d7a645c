// @ts-check

/**
 * The last Argo CD facts of each entity, so that while an Argo CD instance cannot be read the
 * retriever returns them again, marked stale, with their original time. Lives in the
 * tech-insights database with its own migrations table.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('paved_argocd_entity_facts', table => {
    table.comment(
      'Last Argo CD facts collected for each entity, kept while an instance cannot be read',
    );
    table
      .string('entity_ref', 512)
      .primary()
      .comment('kind:namespace/name, as stringifyEntityRef writes it');
    table.text('facts').notNullable().comment('JSON of the fact values');
    table.datetime('collected_at').notNullable();
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('paved_argocd_entity_facts');
};
