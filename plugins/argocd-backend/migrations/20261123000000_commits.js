// @ts-check

/**
 * Commit details fetched from GitHub for deployed revisions. Commits never change, so rows are
 * written once and shared by every replica.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('argocd_commits', table => {
    table.comment(
      'Commit details of revisions Argo CD deployed, by repository and SHA',
    );
    table
      .string('repo_url', 512)
      .notNullable()
      .comment('Web URL of the repository, https://host/owner/repo');
    table.string('sha', 64).notNullable().comment('Full commit SHA');
    table.text('message').notNullable();
    table.string('author_name', 255).notNullable();
    table.string('author_login', 255).nullable();
    table.text('author_avatar_url').nullable();
    table
      .string('committed_at', 40)
      .nullable()
      .comment('ISO 8601, as GitHub reports it');
    table.text('url').notNullable().comment('Web page of the commit');
    table.datetime('fetched_at').defaultTo(knex.fn.now()).notNullable();
    table.primary(['repo_url', 'sha']);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('argocd_commits');
};
