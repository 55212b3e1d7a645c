import { stringifyEntityRef, parseEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * `catalog:wait-for-entity`: holds the task until the catalog serves an entity (typically the
 * one `catalog:register` just registered), so the task's link to it opens at once rather than
 * after the catalog's next processing pass.
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
        entityRef: z => z.string().describe('The entity to wait for'),
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
          z.number().describe('How long the entity took to appear'),
      },
    },
    async handler(ctx) {
      const entityRef = stringifyEntityRef(parseEntityRef(ctx.input.entityRef));
      const timeoutMs = (ctx.input.timeoutSeconds ?? 60) * 1000;
      const credentials = await ctx.getInitiatorCredentials();
      const started = Date.now();
      for (;;) {
        if (await catalog.getEntityByRef(entityRef, { credentials })) break;
        if (Date.now() - started > timeoutMs) {
          throw new Error(
            `${entityRef} did not appear in the catalog within ${
              timeoutMs / 1000
            } s; it was registered and will appear once the catalog has processed it`,
          );
        }
        if (ctx.signal?.aborted) throw new Error('Cancelled');
        await sleep(250);
      }
      const waitedMs = Date.now() - started;
      ctx.logger.info(`${entityRef} is in the catalog (after ${waitedMs} ms)`);
      ctx.output('waitedMs', waitedMs);
    },
  });
}
