// @ts-check

/**
 * What the GitHub fact retriever remembers between runs, shared by every replica: the ETag and
 * body of each conditional request, each repository's last facts, and when a host's rate limit
 * resets. Lives in the tech-insights database with its own migrations table.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('paved_github_responses', table => {
    table.comment('Last 200 answer of each GitHub GET, replayed on a 304');
    table.string('url', 1024).primary().comment('API URL of the request');
    table.string('etag', 255).notNullable();
    table.text('body').notNullable().comment('JSON of the response data');
    table.datetime('updated_at').notNullable();
  });
  await knex.schema.createTable('paved_github_repository_facts', table => {
    table.comment(
      'Last facts collected from each repository, kept while GitHub cannot be asked',
    );
    table
      .string('repository', 512)
      .primary()
      .comment('https://host/owner/repo');
    table.text('facts').notNullable().comment('JSON of the fact values');
    table.datetime('collected_at').notNullable();
  });
  await knex.schema.createTable('paved_github_rate_limits', table => {
    table.comment(
      'API base URLs whose rate limit is exhausted, until it resets',
    );
    table.string('api_base_url', 512).primary();
    table.datetime('limited_until').notNullable();
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('paved_github_rate_limits');
  await knex.schema.dropTable('paved_github_repository_facts');
  await knex.schema.dropTable('paved_github_responses');
};
