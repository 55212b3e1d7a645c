// @ts-check

/** Statuses after which a request no longer holds its resource: another may change it. */
const FINISHED = ['ready', 'credentials-available', 'failed', 'rejected'];

/**
 * Day 2: a request may also change (`update`) or delete a live resource. Each request gets its
 * operation, and an update the generation its change made; a finished request gives up its
 * resource's active key, so the next change of that resource can be requested.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('crossplane_requests', table => {
    table
      .string('operation', 16)
      .notNullable()
      .defaultTo('create')
      .comment('create, update or delete');
    table
      .integer('generation')
      .nullable()
      .comment(
        "An update's: the resource's metadata.generation its change made",
      );
  });
  await knex('crossplane_requests')
    .whereIn('status', FINISHED)
    .update({ active_key: null });
};

/**
 * Back to creates only: updates and deletes are removed with their timelines, and each
 * resource's newest live create holds its active key again, as before.
 *
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  const changes = knex('crossplane_requests')
    .whereNot('operation', 'create')
    .select('id');
  await knex('crossplane_request_events')
    .whereIn('request_id', changes)
    .delete();
  await knex('crossplane_requests').whereNot('operation', 'create').delete();

  const creates = await knex('crossplane_requests')
    .whereNot('status', 'rejected')
    .whereNull('active_key')
    .orderBy('created_at', 'desc')
    .select('id', 'cluster', 'api_version', 'kind', 'namespace', 'name');
  const held = new Set(
    (
      await knex('crossplane_requests')
        .whereNotNull('active_key')
        .select('active_key')
    ).map(row => row.active_key),
  );
  for (const row of creates) {
    const key = [
      row.cluster,
      row.api_version,
      row.kind,
      row.namespace ?? '',
      row.name,
    ]
      .join('|')
      .toLowerCase();
    if (held.has(key)) continue;
    held.add(key);
    await knex('crossplane_requests')
      .where({ id: row.id })
      .update({ active_key: key });
  }

  // SQLite drops a column by rebuilding the table, and dropping the old one cascades to the
  // timeline (ON DELETE CASCADE); keep the timeline aside and put it back.
  const isSqlite = String(knex.client.config.client).includes('sqlite');
  const timeline = isSqlite
    ? await knex('crossplane_request_events').select()
    : [];
  await knex.schema.alterTable('crossplane_requests', table => {
    table.dropColumn('generation');
    table.dropColumn('operation');
  });
  if (isSqlite) {
    await knex('crossplane_request_events').delete();
    for (let start = 0; start < timeline.length; start += 100) {
      await knex('crossplane_request_events').insert(
        timeline.slice(start, start + 100),
      );
    }
  }
};
