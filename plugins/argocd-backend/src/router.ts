import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { CompoundEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import {
  ApplicationRef,
  ArgoApplicationService,
} from './service/ArgoApplicationService';
import { ApplicationCreator } from './service/ApplicationCreator';

// Entity ref parts as the catalog allows them; Kubernetes names as the API server allows them.
const entityPart = z
  .string()
  .min(1)
  .max(253)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    'must be letters, digits, ".", "_" or "-"',
  );
const kubernetesName = z
  .string()
  .min(1)
  .max(253)
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    'must be a lowercase DNS subdomain name, as Kubernetes requires',
  );

const entityParams = z.object({
  kind: entityPart,
  namespace: entityPart,
  name: entityPart,
});

const applicationParams = entityParams.extend({
  instance: z.string().min(1).max(253),
  appNamespace: kubernetesName,
  appName: kubernetesName,
});

function parse<T>(schema: z.ZodType<T>, params: unknown): T {
  const result = schema.safeParse(params);
  if (!result.success) {
    throw new InputError(
      `Invalid request: ${result.error.issues
        .map(issue => `${issue.path.join('.')} ${issue.message}`)
        .join('; ')}`,
    );
  }
  return result.data;
}

export async function createRouter(options: {
  auditor: AuditorService;
  httpAuth: HttpAuthService;
  service: ArgoApplicationService;
  creator: ApplicationCreator;
}): Promise<express.Router> {
  const { auditor, httpAuth, service, creator } = options;
  const router = Router();
  router.use(express.json({ limit: '256kb' }));

  // Golden-path templates deploy a new service by creating its Application (see the README).
  router.post('/instances/:instance/applications', async (req, res) => {
    const { instance } = parse(
      z.object({ instance: z.string().min(1).max(253) }),
      req.params,
    );
    res
      .status(201)
      .json(
        await creator.create(
          instance,
          req.body,
          await httpAuth.credentials(req, { allow: ['user'] }),
          req,
        ),
      );
  });

  router.get(
    '/entity/:kind/:namespace/:name/applications',
    async (req, res) => {
      const { kind, namespace, name } = parse(entityParams, req.params);
      res.json(
        await service.getEntityApplications(
          { kind, namespace, name },
          await httpAuth.credentials(req),
        ),
      );
    },
  );

  // Detail and history name one Application of the entity the same way.
  const applicationRoute = <T>(
    path: string,
    read: (
      entity: CompoundEntityRef,
      application: ApplicationRef,
      credentials: BackstageCredentials,
    ) => Promise<T>,
    audit?: (
      answer: T,
      application: ApplicationRef,
      req: express.Request,
    ) => Promise<void>,
  ) =>
    router.get(
      `/entity/:kind/:namespace/:name/applications/:instance/:appNamespace/:appName${path}`,
      async (req, res) => {
        const p = parse(applicationParams, req.params);
        const application = {
          instance: p.instance,
          namespace: p.appNamespace,
          name: p.appName,
        };
        const answer = await read(
          { kind: p.kind, namespace: p.namespace, name: p.name },
          application,
          await httpAuth.credentials(req),
        );
        await audit?.(answer, application, req);
        res.json(answer);
      },
    );
  applicationRoute(
    '',
    (...args) => service.getApplicationDetail(...args),
    // Unredacted manifests may hold credentials: who read which one is worth keeping.
    async (detail, application, req) => {
      if (detail.redacted) {
        return;
      }
      const event = await auditor.createEvent({
        eventId: 'manifest-read',
        severityLevel: 'medium',
        request: req,
        meta: { ...application },
      });
      await event.success();
    },
  );
  applicationRoute('/history', (...args) =>
    service.getApplicationHistory(...args),
  );

  return router;
}
