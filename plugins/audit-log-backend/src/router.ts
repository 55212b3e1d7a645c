import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { JsonObject } from '@backstage/types';
import { auditEventOutcomes } from '@paved/plugin-audit-log-common';
import express from 'express';
import Router from 'express-promise-router';
import { once } from 'node:events';
import { z } from 'zod';
import { AuditLogReader } from './service/AuditLogReader';
import { csvHeader, csvRow } from './service/csv';

// An empty field in the page's form means "no filter", not "match the empty string".
const optionalText = z
  .string()
  .trim()
  .max(255)
  .optional()
  .transform(value => value || undefined);

const optionalTime = z
  .union([
    z.literal(''),
    z.iso.datetime({
      offset: true,
      error: 'must be an ISO 8601 date-time such as 2026-11-25T13:00:00Z',
    }),
  ])
  .optional()
  .transform(value => value || undefined);

const filterSchema = z
  .strictObject({
    actor: optionalText,
    plugin: optionalText,
    action: optionalText,
    entity: optionalText,
    outcome: z
      .union([z.literal(''), z.enum(auditEventOutcomes)])
      .optional()
      .transform(value => value || undefined),
    from: optionalTime,
    to: optionalTime,
  })
  .refine(f => !f.from || !f.to || Date.parse(f.from) <= Date.parse(f.to), {
    path: ['to'],
    message: 'must not be before from',
  });

const pageSchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new InputError(
      `Invalid query: ${result.error.issues
        .map(issue =>
          issue.code === 'unrecognized_keys'
            ? `unknown parameter ${issue.keys.join(', ')}`
            : `${issue.path.join('.')} ${issue.message}`,
        )
        .join('; ')}`,
    );
  }
  return result.data;
}

function parseListQuery(query: express.Request['query']) {
  const { limit, offset, ...filter } = query;
  return {
    ...parse(pageSchema, { limit, offset }),
    ...parse(filterSchema, filter),
  };
}

export async function createRouter(options: {
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  reader: AuditLogReader;
}): Promise<express.Router> {
  const { httpAuth, auditor, reader } = options;
  const router = Router();

  // Reading the log is itself audited, denied attempts included.
  router.get('/events.csv', async (req, res) => {
    const auditorEvent = await auditor.createEvent({
      eventId: 'events-export',
      severityLevel: 'medium',
      request: req,
      meta: { query: req.query as JsonObject },
    });
    try {
      const filter = parse(filterSchema, req.query);
      const credentials = await httpAuth.credentials(req, { allow: ['user'] });
      const batches = await reader.exportEvents(filter, credentials);
      res.status(200);
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader(
        'Content-Disposition',
        'attachment; filename="audit-log.csv"',
      );
      res.write(csvHeader());
      let count = 0;
      for await (const events of batches) {
        count += events.length;
        if (!res.write(events.map(csvRow).join(''))) {
          await once(res, 'drain');
        }
      }
      res.end();
      await auditorEvent.success({ meta: { count } });
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
  });

  router.get('/events', async (req, res) => {
    const auditorEvent = await auditor.createEvent({
      eventId: 'events-read',
      severityLevel: 'medium',
      request: req,
      meta: { query: req.query as JsonObject },
    });
    try {
      const query = parseListQuery(req.query);
      const credentials = await httpAuth.credentials(req, { allow: ['user'] });
      const page = await reader.listEvents(query, credentials);
      await auditorEvent.success({ meta: { totalCount: page.totalCount } });
      res.json(page);
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
  });

  return router;
}
