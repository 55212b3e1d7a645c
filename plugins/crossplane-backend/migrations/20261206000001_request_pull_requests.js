// @ts-check

/**
 * Requests delivered through GitOps: the pull request carrying each one's manifest, and when
 * delivery may be tried again after a passing failure (GitHub's rate limit resets).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('crossplane_requests', table => {
    table
      .string('pull_request_repository', 1024)
      .nullable()
      .comment('Web URL of the GitOps repository holding the pull request');
    table.integer('pull_request_number').nullable();
    table
      .string('pull_request_url', 1024)
      .nullable()
      .comment('Web page of the pull request');
    table
      .timestamp('retry_at', { useTz: true })
      .nullable()
      .comment('Delivery is not tried again before this time');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('crossplane_requests', table => {
    table.dropColumn('pull_request_repository');
    table.dropColumn('pull_request_number');
    table.dropColumn('pull_request_url');
    table.dropColumn('retry_at');
  });
};
