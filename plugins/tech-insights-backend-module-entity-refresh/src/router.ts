import { HttpAuthService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { EntityFactRefresher } from './EntityFactRefresher';

const refreshBody = z.object({
  entityRef: z.string().min(1).max(1024),
});

/** `POST /entity-refresh` on the tech-insights router; described in the module's README. */
export function createRouter(options: {
  refresher: EntityFactRefresher;
  httpAuth: HttpAuthService;
}): express.Router {
  const { refresher, httpAuth } = options;
  const router = Router();

  router.post('/entity-refresh', express.json(), async (req, res) => {
    // Other plugins ask on a person's behalf after checking their permission; people do not ask.
    const credentials = await httpAuth.credentials(req, { allow: ['service'] });
    const body = refreshBody.safeParse(req.body);
    if (!body.success) {
      throw new InputError(
        `Invalid request: ${body.error.issues
          .map(issue => `${issue.path.join('.') || 'body'} ${issue.message}`)
          .join('; ')}`,
      );
    }
    let ref;
    try {
      ref = parseEntityRef(body.data.entityRef);
    } catch (error) {
      throw new InputError(
        `Invalid request: entityRef ${(error as Error).message}`,
      );
    }
    res.json(await refresher.refresh(ref, credentials));
  });

  return router;
}
