import {
  AuthService,
  DiscoveryService,
  resolveSafeChildPath,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { Environment } from '../environments';

/** The error message of Backstage's JSON error body, or the status line. */
async function errorMessageOf(res: Response): Promise<string> {
  const text = await res.text();
  try {
    const message = JSON.parse(text)?.error?.message;
    if (typeof message === 'string' && message) return message;
  } catch {
    // Not Backstage's error body.
  }
  return `${res.status} ${res.statusText}${
    text ? `: ${text.slice(0, 300)}` : ''
  }`;
}

/**
 * `argocd:create-application`: reads an Application manifest the template generated and has
 * Paved's Argo CD backend create it on the environment's instance, on behalf of the user, so
 * the policy's `argocd.application.create` decides (by the Application's AppProject) and the
 * auditor records who deployed what.
 */
export function createArgoApplicationAction(options: {
  auth: AuthService;
  discovery: DiscoveryService;
  environments: Environment[];
}) {
  const { auth, discovery, environments } = options;
  return createTemplateAction({
    id: 'argocd:create-application',
    description:
      "Creates the Argo CD Application described by a manifest in the workspace on an environment's Argo CD instance, as the user running the template",
    examples: [
      {
        description: 'Deploy the new service to dev',
        example:
          'steps:\n  - id: deploy\n    action: argocd:create-application\n    input:\n      manifestPath: argocd/dev.yaml\n      environment: dev\n',
      },
    ],
    schema: {
      input: {
        manifestPath: z =>
          z
            .string()
            .describe(
              'Workspace-relative path of a YAML file holding one argoproj.io/v1alpha1 Application',
            ),
        environment: z =>
          z
            .string()
            .describe(
              'Environment to deploy to, as paved.goldenPaths.environments names it (e.g. dev); its Argo CD instance creates the Application',
            ),
      },
      output: {
        instance: z =>
          z
            .string()
            .describe('The Argo CD instance that holds the Application'),
        namespace: z =>
          z.string().describe('Namespace of the Application resource'),
        name: z => z.string().describe('Name of the Application'),
      },
    },
    async handler(ctx) {
      const { manifestPath, environment } = ctx.input;
      const instance =
        environments.find(e => e.name === environment)?.argocdInstance ??
        (environments.length === 0 ? environment : undefined);
      if (!instance) {
        throw new InputError(
          `Unknown environment '${environment}'; configured environments: ${environments
            .map(e => e.name)
            .join(', ')}`,
        );
      }
      const file = resolveSafeChildPath(ctx.workspacePath, manifestPath);
      const documents = parseAllDocuments(await readFile(file, 'utf8'));
      const errors = documents.flatMap(d => d.errors);
      if (documents.length !== 1 || errors.length > 0) {
        throw new InputError(
          `${manifestPath} must hold exactly one YAML document${
            errors[0] ? `: ${errors[0].message}` : ''
          }`,
        );
      }
      const manifest = documents[0].toJS();

      const created = await ctx.checkpoint({
        key: `argocd-create-${instance}-${manifestPath}`,
        fn: async () => {
          const { token } = await auth.getPluginRequestToken({
            onBehalfOf: await ctx.getInitiatorCredentials(),
            targetPluginId: 'argocd',
          });
          const baseUrl = await discovery.getBaseUrl('argocd');
          const res = await fetch(
            `${baseUrl}/instances/${encodeURIComponent(instance)}/applications`,
            {
              method: 'POST',
              headers: {
                Authorization: `Bearer ${token}`,
                'Content-Type': 'application/json',
              },
              body: JSON.stringify(manifest),
            },
          );
          if (!res.ok) {
            throw new Error(
              `Argo CD (${instance}) did not create the Application from ${manifestPath}: ${await errorMessageOf(
                res,
              )}`,
            );
          }
          return (await res.json()) as {
            instance: string;
            namespace: string;
            name: string;
          };
        },
      });
      ctx.logger.info(
        `Created Argo CD Application ${created.namespace}/${created.name} on ${created.instance}; it deploys ${environment} from now on`,
      );
      ctx.output('instance', created.instance);
      ctx.output('namespace', created.namespace);
      ctx.output('name', created.name);
    },
  });
}
