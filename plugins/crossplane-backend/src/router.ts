import { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { RequestStatus } from '@paved/plugin-crossplane-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { EntityResources } from './service/EntityResources';
import { OfferingService } from './service/OfferingService';
import { RequestService } from './service/RequestService';

// XRD names are `<plural>.<group>`: DNS subdomain names, as Kubernetes requires.
const offeringParams = z.object({
  name: z
    .string()
    .max(253)
    .regex(
      /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
      'must be a lowercase DNS subdomain name, as Kubernetes requires',
    ),
});

const requestParams = z.object({
  id: z.string().uuid('must be a request id (a UUID)'),
});

const STATUSES: RequestStatus[] = [
  'awaiting-approval',
  'rejected',
  'queued',
  'created',
  'synced',
  'ready',
  'credentials-available',
  'failed',
];

const listQuery = z.object({
  entityRef: z.string().max(255).optional(),
  mine: z.enum(['true', 'false']).optional(),
  status: z
    .string()
    .optional()
    .transform(value => (value ? value.split(',') : undefined))
    .pipe(
      z
        .array(z.enum(STATUSES as [RequestStatus, ...RequestStatus[]]))
        .optional(),
    ),
});

const resourcesQuery = z.object({
  entityRef: z.string().min(1).max(255),
});

function parse<T extends z.ZodTypeAny>(
  schema: T,
  value: unknown,
  what: string,
): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(
      `Invalid ${what}: ${issue.path.join('.')} ${issue.message}`,
    );
  }
  return parsed.data;
}

export async function createRouter(options: {
  httpAuth: HttpAuthService;
  offerings: OfferingService;
  requests: RequestService;
  entityResources: EntityResources;
}): Promise<express.Router> {
  const { httpAuth, offerings, requests, entityResources } = options;
  const router = Router();
  router.use(express.json({ limit: '64kb' }));

  router.get('/offerings', async (req, res) => {
    res.json(await offerings.listOfferings(await httpAuth.credentials(req)));
  });

  router.get('/offerings/:name', async (req, res) => {
    const { name } = parse(offeringParams, req.params, 'request');
    res.json(
      await offerings.getOffering(name, await httpAuth.credentials(req)),
    );
  });

  router.get('/offerings/:name/form', async (req, res) => {
    const { name } = parse(offeringParams, req.params, 'request');
    res.json(await requests.form(name, await httpAuth.credentials(req)));
  });

  router.post('/requests', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const { request, created } = await requests.submit(
      req.body,
      credentials,
      req,
    );
    res.status(created ? 201 : 200).json(request);
  });

  router.get('/requests', async (req, res) => {
    const query = parse(listQuery, req.query, 'query');
    res.json({
      requests: await requests.list(
        {
          entityRef: query.entityRef,
          mine: query.mine === 'true',
          statuses: query.status,
        },
        await httpAuth.credentials(req),
      ),
    });
  });

  router.get('/requests/:id', async (req, res) => {
    const { id } = parse(requestParams, req.params, 'request');
    res.json(await requests.get(id, await httpAuth.credentials(req)));
  });

  router.get('/requests/:id/resource', async (req, res) => {
    const { id } = parse(requestParams, req.params, 'request');
    res.json(
      await requests.resourceDetail(id, await httpAuth.credentials(req)),
    );
  });

  for (const decision of ['approve', 'reject'] as const) {
    router.post(`/requests/:id/${decision}`, async (req, res) => {
      const { id } = parse(requestParams, req.params, 'request');
      const credentials = await httpAuth.credentials(req, { allow: ['user'] });
      res.json(await requests.decide(id, decision, req.body, credentials, req));
    });
  }

  router.get('/resources', async (req, res) => {
    const { entityRef } = parse(resourcesQuery, req.query, 'query');
    res.json(
      await entityResources.ofEntity(
        entityRef,
        await httpAuth.credentials(req),
      ),
    );
  });

  router.get('/approvals', async (req, res) => {
    res.json(await requests.approvals(await httpAuth.credentials(req)));
  });

  return router;
}
