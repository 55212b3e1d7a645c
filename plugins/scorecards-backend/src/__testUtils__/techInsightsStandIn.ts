import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { FactSchema } from '@backstage-community/plugin-tech-insights-common';
import { JsonValue } from '@backstage/types';
import express from 'express';

/** Facts Tech Insights holds for one entity: by fact retriever id, then fact name. */
export type HeldFacts = Record<string, Record<string, JsonValue>>;

/**
 * Stands in for the Tech Insights routes the scorecards plugin calls over HTTP, as its
 * `TechInsightsClient` does in production: fact schemas, an entity's latest facts, and the
 * entity-refresh module's route.
 */
export function techInsightsStandIn(options: {
  schemas: FactSchema[];
  /** Keyed by entity ref (lower case, as the client sends it). */
  facts: (entityRef: string) => HeldFacts | undefined;
  /** What `POST /entity-refresh` answers; by default every refresh succeeds. */
  refresh?: (entityRef: string) => { status: number; body: unknown };
}) {
  return createBackendPlugin({
    pluginId: 'tech-insights',
    register(env) {
      env.registerInit({
        deps: { httpRouter: coreServices.httpRouter },
        async init({ httpRouter }) {
          const router = express.Router();
          router.get('/fact-schemas', (_req, res) => {
            res.json(options.schemas);
          });
          router.get('/facts/latest', (req, res) => {
            const rows = options.facts(String(req.query.entity)) ?? {};
            res.json(
              Object.fromEntries(
                Object.entries(rows).map(([id, facts]) => [
                  id,
                  {
                    id,
                    timestamp: '2026-12-01T00:00:00Z',
                    version: '0.1.0',
                    facts,
                  },
                ]),
              ),
            );
          });
          router.post('/entity-refresh', express.json(), (req, res) => {
            const answer = options.refresh?.(req.body.entityRef) ?? {
              status: 200,
              body: { entityRef: req.body.entityRef, retrievers: [] },
            };
            res.status(answer.status).json(answer.body);
          });
          httpRouter.use(router);
        },
      });
    },
  });
}
