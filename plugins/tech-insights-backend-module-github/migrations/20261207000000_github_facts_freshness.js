// @ts-check

/**
 * What a repository's last facts were read with, so a run can skip reading a repository that has
 * not changed: the ETag of the repository's own answer (any push or settings change moves it), and
 * when branch protection and rulesets were last read (which that ETag does not cover).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('paved_github_repository_facts', table => {
    table
      .string('repository_etag', 255)
      .nullable()
      .comment(
        'Read version and ETag of GET /repos/{owner}/{repo} the facts were read with',
      );
    table
      .datetime('review_checked_at')
      .nullable()
      .comment('When branch protection and rulesets were last read');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('paved_github_repository_facts', table => {
    table.dropColumn('review_checked_at');
    table.dropColumn('repository_etag');
  });
};
