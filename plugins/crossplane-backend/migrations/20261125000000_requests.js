// @ts-check

/**
 * Requests for infrastructure made through Paved, and the timeline of each.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('crossplane_requests', table => {
    table.comment('Requests for Crossplane composite resources made by teams');
    table.string('id', 36).primary().comment('UUID made by the store');
    table
      .string('client_request_id')
      .notNullable()
      .comment('Chosen by the client per form submission, for idempotency');
    table
      .string('requested_by')
      .notNullable()
      .comment('User entity ref of the person who asked');
    table.string('offering').notNullable().comment('XRD name');
    table.string('offering_title').notNullable();
    table.string('environment').notNullable();
    table.string('entity_ref').notNullable();
    table.string('owner_ref').notNullable();
    table.string('cluster').notNullable();
    table.string('api_version').notNullable();
    table.string('kind').notNullable();
    table
      .string('namespace')
      .nullable()
      .comment('Absent for cluster-scoped resources');
    table.string('name').notNullable();
    table.text('parameters').notNullable().comment('JSON, as submitted');
    table.string('status', 32).notNullable();
    table.text('message').nullable();
    table
      .text('approval')
      .nullable()
      .comment('JSON: decision, by, at, comment');
    table
      .string('active_key', 1024)
      .nullable()
      .comment(
        'cluster|apiVersion|kind|namespace|name, lower-case, while the request holds its resource',
      );
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    // Sending the same submission twice returns the first request.
    table.unique(['requested_by', 'client_request_id'], {
      indexName: 'crossplane_requests_client_request_uniq',
    });
    // No two live requests for one resource; NULL (rejected) keys never collide.
    table.unique(['active_key'], {
      indexName: 'crossplane_requests_active_key_uniq',
    });
    table.index(['entity_ref'], 'crossplane_requests_entity_ref_idx');
    table.index(['owner_ref'], 'crossplane_requests_owner_ref_idx');
    table.index(['status'], 'crossplane_requests_status_idx');
  });

  await knex.schema.createTable('crossplane_request_events', table => {
    table.comment('Timeline of each request: the statuses it reached');
    table.increments('id');
    table
      .string('request_id', 36)
      .notNullable()
      .references('id')
      .inTable('crossplane_requests')
      .onDelete('CASCADE');
    table.string('status', 32).notNullable();
    table.timestamp('at', { useTz: true }).notNullable();
    table
      .string('actor')
      .nullable()
      .comment('User entity ref; absent when the cluster moved it');
    table.text('message').nullable();
    table.index(['request_id'], 'crossplane_request_events_request_id_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('crossplane_request_events');
  await knex.schema.dropTable('crossplane_requests');
};
