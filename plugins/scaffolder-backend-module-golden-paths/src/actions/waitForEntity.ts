import { stringifyEntityRef, parseEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * `catalog:wait-for-entity`: holds the task until the catalog serves the entities (typically
 * those `catalog:register` just registered), so the task's links to them open at once rather
 * than after the catalog's next processing pass. Entities of one file are stitched one by one,
 * so each is waited for.
 */
export function createWaitForEntityAction(options: {
  catalog: CatalogService;
}) {
  const { catalog } = options;
  return createTemplateAction({
    id: 'catalog:wait-for-entity',
    description:
      'Waits until the catalog serves an entity, so links to it work when the task ends',
    schema: {
      input: {
        entityRefs: z =>
          z
            .array(z.string())
            .min(1)
            .describe(
              'The entities to wait for, e.g. the new component and the API it provides',
            ),
        timeoutSeconds: z =>
          z
            .number()
            .int()
            .min(1)
            .max(600)
            .optional()
            .describe('Fail after this long; default 60'),
      },
      output: {
        waitedMs: z =>
          z.number().describe('How long the entities took to appear'),
      },
    },
    async handler(ctx) {
      const pending = new Set(
        ctx.input.entityRefs.map(ref =>
          stringifyEntityRef(parseEntityRef(ref)),
        ),
      );
      const timeoutMs = (ctx.input.timeoutSeconds ?? 60) * 1000;
      const credentials = await ctx.getInitiatorCredentials();
      const started = Date.now();
      for (;;) {
        for (const entityRef of [...pending]) {
          if (await catalog.getEntityByRef(entityRef, { credentials })) {
            pending.delete(entityRef);
          }
        }
        if (pending.size === 0) break;
        if (Date.now() - started > timeoutMs) {
          throw new Error(
            `${[...pending].join(', ')} did not appear in the catalog within ${
              timeoutMs / 1000
            } s; registered entities appear once the catalog has processed them`,
          );
        }
        if (ctx.signal?.aborted) throw new Error('Cancelled');
        await sleep(250);
      }
      const waitedMs = Date.now() - started;
      ctx.logger.info(
        `${ctx.input.entityRefs.join(
          ', ',
        )} in the catalog (after ${waitedMs} ms)`,
      );
      ctx.output('waitedMs', waitedMs);
    },
  });
}
