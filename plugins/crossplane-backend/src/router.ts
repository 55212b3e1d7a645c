import { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { OfferingService } from './service/OfferingService';

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

export async function createRouter(options: {
  httpAuth: HttpAuthService;
  offerings: OfferingService;
}): Promise<express.Router> {
  const { httpAuth, offerings } = options;
  const router = Router();

  router.get('/offerings', async (req, res) => {
    res.json(await offerings.listOfferings(await httpAuth.credentials(req)));
  });

  router.get('/offerings/:name', async (req, res) => {
    const parsed = offeringParams.safeParse(req.params);
    if (!parsed.success) {
      throw new InputError(
        `Invalid request: name ${parsed.error.issues[0].message}`,
      );
    }
    res.json(
      await offerings.getOffering(
        parsed.data.name,
        await httpAuth.credentials(req),
      ),
    );
  });

  return router;
}
