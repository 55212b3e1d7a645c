import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  CompoundEntityRef,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import {
  EntityHistoryResponse,
  OrgHistoryResponse,
  scorecardsCampaignCreatePermission,
  scorecardsCampaignDeletePermission,
  scorecardsEntityRerunPermission,
  scorecardsResultReadPermission,
} from '@paved/plugin-scorecards-common';
import express from 'express';
import Router from 'express-promise-router';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { CampaignService } from './service/CampaignService';
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

/**
 * An entity ref of one of `kinds`, the kind and namespace optional (`team-a` is
 * `group:default/team-a` for an owner), normalised as the catalog writes refs.
 */
function entityRefOfKind(kinds: string[]) {
  return z
    .string()
    .max(1024)
    .transform((value, ctx) => {
      const problem = (reason: string) => {
        ctx.addIssue({
          code: 'custom',
          message: `'${value}' is not a ${kinds.join(
            ' or ',
          )} entity ref (${reason})`,
        });
        return z.NEVER;
      };
      let ref: CompoundEntityRef;
      try {
        ref = parseEntityRef(value, {
          defaultKind: kinds[0],
          defaultNamespace: 'default',
        });
      } catch (error) {
        return problem((error as Error).message);
      }
      if (!kinds.includes(ref.kind.toLocaleLowerCase('en-US'))) {
        return problem(`kind must be ${kinds.join(' or ')}`);
      }
      if (
        !entityPart.safeParse(ref.namespace).success ||
        !entityPart.safeParse(ref.name).success
      ) {
        return problem(
          'namespace and name must be letters, digits, ".", "_" or "-"',
        );
      }
      return stringifyEntityRef(ref);
    });
}
const ownerRef = entityRefOfKind(['group', 'user']);
const systemRef = entityRefOfKind(['system']);
const lifecycle = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
    'must be a lifecycle such as production: letters, digits, ".", "_" or "-"',
  );
const MAX_FILTER_VALUES = 100;

// Query parameters may repeat (`?owner=a&owner=b`); once, Express gives a string.
const repeatable = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    value => (value === undefined || Array.isArray(value) ? value : [value]),
    z.array(item).max(MAX_FILTER_VALUES).optional(),
  );
const filterQuery = z.object({
  owner: repeatable(ownerRef),
  system: repeatable(systemRef),
  lifecycle: repeatable(lifecycle),
});

const campaignScope = z.strictObject({
  owner: z.array(ownerRef).max(MAX_FILTER_VALUES).optional(),
  system: z.array(systemRef).max(MAX_FILTER_VALUES).optional(),
  lifecycle: z.array(lifecycle).max(MAX_FILTER_VALUES).optional(),
});
const campaignBody = z.strictObject({
  title: z.string().trim().min(1, 'must not be empty').max(200),
  description: z.string().trim().max(2000).optional(),
  // Checked against the configured levels by the service.
  targetLevel: z.string().min(1, 'must name a level').max(128),
  deadline: z
    .string()
    .refine(
      value =>
        /^\d{4}-\d{2}-\d{2}$/.test(value) &&
        DateTime.fromISO(value, { zone: 'utc' }).isValid,
      'must be a real date written YYYY-MM-DD',
    ),
  scope: campaignScope,
});
const campaignParams = z.object({ id: z.uuid('must be a campaign id (UUID)') });

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

/** The title and target a refused or invalid campaign asked for, as far as they are text. */
function requested(body: unknown): { title?: string; targetLevel?: string } {
  const { title, targetLevel } = (body ?? {}) as Record<string, unknown>;
  return {
    ...(typeof title === 'string' ? { title: title.slice(0, 200) } : {}),
    ...(typeof targetLevel === 'string'
      ? { targetLevel: targetLevel.slice(0, 128) }
      : {}),
  };
}

/** The scorecards API; every route is described in the plugin's README. */
export async function createRouter(options: {
  service: ScorecardService;
  campaigns: CampaignService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
}): Promise<express.Router> {
  const { service, campaigns, httpAuth, permissions, auditor } = options;
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
  const authorizeWrite = async (
    permission: BasicPermission,
    credentials: BackstageCredentials,
    refusal: string,
  ) => {
    const [decision] = await permissions.authorize([{ permission }], {
      credentials,
    });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(refusal);
    }
  };

  router.get('/entity/:namespace/:kind/:name', async (req, res) => {
    const entityRef = entityRefOf(req);
    await authorizeRead(req);
    res.json(await service.getScorecard(entityRef));
  });

  router.get('/entity/:namespace/:kind/:name/history', async (req, res) => {
    const entityRef = entityRefOf(req);
    const { days } = parse(historyQuery, req.query);
    await authorizeRead(req);
    const answer: EntityHistoryResponse = {
      entityRef,
      days: await service.entityHistory(entityRef, days),
    };
    res.json(answer);
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

  router.get('/entities', async (req, res) => {
    const filter = parse(filterQuery, req.query);
    await authorizeRead(req);
    res.json(await service.entities(filter));
  });

  router.get('/rollups/:groupBy', async (req, res) => {
    const { groupBy } = parse(rollUpParams, req.params);
    const filter = parse(filterQuery, req.query);
    await authorizeRead(req);
    res.json(
      await service.rollUps(groupBy === 'owners' ? 'owner' : 'system', filter),
    );
  });

  router.get('/history', async (req, res) => {
    const { days, ...filter } = parse(
      historyQuery.extend(filterQuery.shape),
      req.query,
    );
    await authorizeRead(req);
    const answer: OrgHistoryResponse = {
      days: await service.orgHistory(days, filter),
    };
    res.json(answer);
  });

  router.get('/campaigns', async (req, res) => {
    await authorizeRead(req);
    res.json({ campaigns: await campaigns.list() });
  });

  router.post('/campaigns', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const event = await auditor.createEvent({
      eventId: 'campaign-create',
      severityLevel: 'medium',
      request: req,
    });
    try {
      // Asked before the body is read, so nobody learns what a campaign may be without the right.
      await authorizeWrite(
        scorecardsCampaignCreatePermission,
        credentials,
        'Only platform admins may start a campaign',
      );
      const body = parse(campaignBody, req.body);
      const campaign = await campaigns.create(
        body,
        credentials.principal.userEntityRef,
      );
      await event.success({
        meta: {
          id: campaign.id,
          title: campaign.title,
          targetLevel: campaign.targetLevel,
        },
      });
      res.status(201).json(campaign);
    } catch (error) {
      await event.fail({ error: error as Error, meta: requested(req.body) });
      throw error;
    }
  });

  router.get('/campaigns/:id', async (req, res) => {
    const { id } = parse(campaignParams, req.params);
    await authorizeRead(req);
    res.json(await campaigns.progress(id));
  });

  router.delete('/campaigns/:id', async (req, res) => {
    const { id } = parse(campaignParams, req.params);
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const event = await auditor.createEvent({
      eventId: 'campaign-delete',
      severityLevel: 'medium',
      request: req,
      meta: { id },
    });
    try {
      await authorizeWrite(
        scorecardsCampaignDeletePermission,
        credentials,
        'Only platform admins may end a campaign',
      );
      const campaign = await campaigns.delete(id);
      await event.success({
        meta: { title: campaign.title, targetLevel: campaign.targetLevel },
      });
      res.status(204).end();
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  });

  return router;
}
