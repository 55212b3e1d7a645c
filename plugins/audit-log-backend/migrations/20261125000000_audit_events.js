// @ts-check

/**
 * Auditor events from every plugin, kept for `auditLog.retention`. The exact filters of the admin
 * page (time range, plugin + event, outcome) have indexes; actor and target are substring matches.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('audit_events', table => {
    table.comment('Auditor events stored for the audit log page');
    table.bigIncrements('id');
    table
      .timestamp('occurred_at', { useTz: true })
      .notNullable()
      .comment('When the auditor received the event');
    table.string('plugin', 255).notNullable();
    table.string('event_id', 255).notNullable();
    table
      .string('severity', 16)
      .notNullable()
      .comment('low, medium, high or critical');
    table
      .string('status', 16)
      .notNullable()
      .comment('initiated, succeeded or failed');
    table
      .string('actor_id', 512)
      .nullable()
      .comment('User entity ref or service subject');
    table.string('actor_ip', 255).nullable();
    table.text('actor_user_agent').nullable();
    table.string('actor_hostname', 255).nullable();
    table
      .text('target')
      .nullable()
      .comment(
        'Entity ref, location target, template ref, task id or cluster, from meta',
      );
    table.string('error_name', 255).nullable();
    table.text('error_message').nullable();
    table.string('request_method', 16).nullable();
    table.text('request_url').nullable();
    table.text('meta').nullable().comment('The event meta as JSON');

    table.index(['occurred_at'], 'audit_events_occurred_at_idx');
    table.index(['plugin', 'event_id'], 'audit_events_plugin_event_idx');
    table.index(['status', 'error_name'], 'audit_events_outcome_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('audit_events');
};
