import {
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
  httpAuth: HttpAuthService;
  service: ArgoApplicationService;
}): Promise<express.Router> {
  const { httpAuth, service } = options;
  const router = Router();

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
  const applicationRoute = (
    path: string,
    read: (
      entity: CompoundEntityRef,
      application: ApplicationRef,
      credentials: BackstageCredentials,
    ) => Promise<unknown>,
  ) =>
    router.get(
      `/entity/:kind/:namespace/:name/applications/:instance/:appNamespace/:appName${path}`,
      async (req, res) => {
        const p = parse(applicationParams, req.params);
        res.json(
          await read(
            { kind: p.kind, namespace: p.namespace, name: p.name },
            {
              instance: p.instance,
              namespace: p.appNamespace,
              name: p.appName,
            },
            await httpAuth.credentials(req),
          ),
        );
      },
    );
  applicationRoute('', (...args) => service.getApplicationDetail(...args));
  applicationRoute('/history', (...args) =>
    service.getApplicationHistory(...args),
  );

  return router;
}
