import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  scorecardsEntityRerunPermission,
  scorecardsResultReadPermission,
} from '@paved/plugin-scorecards-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { ScorecardService } from './service/ScorecardService';

// Entity ref parts as the catalog allows them.
const entityPart = z
  .string()
  .min(1)
  .max(253)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    'must be letters, digits, ".", "_" or "-"',
  );
const entityParams = z.object({
  namespace: entityPart,
  kind: entityPart,
  name: entityPart,
});
const historyQuery = z.object({
  days: z.coerce.number().int().min(1).max(3650).default(90),
});
const rollUpParams = z.object({ groupBy: z.enum(['owners', 'systems']) });

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new InputError(
      `Invalid request: ${result.error.issues
        .map(issue => `${issue.path.join('.')} ${issue.message}`)
        .join('; ')}`,
    );
  }
  return result.data;
}

/** The scorecards API; every route is described in the plugin's README. */
export async function createRouter(options: {
  service: ScorecardService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
}): Promise<express.Router> {
  const { service, httpAuth, permissions, auditor } = options;
  const router = Router();
  router.use(express.json());

  // Reading is one basic permission, asked with the caller's credentials.
  const authorizeRead = async (req: express.Request) => {
    const credentials = await httpAuth.credentials(req);
    const [decision] = await permissions.authorize(
      [{ permission: scorecardsResultReadPermission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError('You may not read scorecards');
    }
  };
  const entityRefOf = (req: express.Request) =>
    stringifyEntityRef(parse(entityParams, req.params));

  router.get('/entity/:namespace/:kind/:name', async (req, res) => {
    const entityRef = entityRefOf(req);
    await authorizeRead(req);
    res.json(await service.getScorecard(entityRef));
  });

  router.get('/entity/:namespace/:kind/:name/history', async (req, res) => {
    const entityRef = entityRefOf(req);
    const { days } = parse(historyQuery, req.query);
    await authorizeRead(req);
    res.json({ entityRef, days: await service.entityHistory(entityRef, days) });
  });

  router.post('/entity/:namespace/:kind/:name/run', async (req, res) => {
    const entityRef = entityRefOf(req);
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const event = await auditor.createEvent({
      eventId: 'entity-rerun',
      severityLevel: 'low',
      request: req,
      meta: { entityRef },
    });
    try {
      const [decision] = await permissions.authorize(
        [
          {
            permission: scorecardsEntityRerunPermission,
            resourceRef: entityRef,
          },
        ],
        { credentials },
      );
      if (decision.result !== AuthorizeResult.ALLOW) {
        throw new NotAllowedError(
          `Only the owners of ${entityRef} and admins may re-run its scorecard`,
        );
      }
      const scorecard = await service.scoreEntity(entityRef, credentials);
      await event.success({ meta: { level: scorecard.level } });
      res.json(scorecard);
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  });

  router.get('/rollups/:groupBy', async (req, res) => {
    const { groupBy } = parse(rollUpParams, req.params);
    await authorizeRead(req);
    res.json(await service.rollUps(groupBy === 'owners' ? 'owner' : 'system'));
  });

  router.get('/history', async (req, res) => {
    const { days } = parse(historyQuery, req.query);
    await authorizeRead(req);
    res.json({ days: await service.orgHistory(days) });
  });

  return router;
}
