import {
  AuditorService,
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { ApiException, CustomObjectsApi } from '@kubernetes/client-node';
import { argocdApplicationCreatePermission } from '@paved/plugin-argocd-common';
import { kubernetesErrorMessage } from '@paved/plugin-kubernetes-clusters-node';
import type { Request } from 'express';
import { z } from 'zod';
import { ApplicationAuthorizer } from './ArgoApplicationService';
import {
  ArgoApplicationCache,
  CachedApplication,
} from './ArgoApplicationCache';
import { projectOf } from './ApplicationPermissions';

const dnsLabel = z
  .string()
  .min(1)
  .max(63)
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
    'must be a lowercase DNS label (letters, digits and "-", starting and ending with a letter or digit)',
  );

// What a template may submit: an Application without status or a pending operation, which
// only Argo CD and people syncing write. Unknown spec fields pass to the cluster's own schema.
const applicationManifest = z
  .object({
    apiVersion: z.literal('argoproj.io/v1alpha1'),
    kind: z.literal('Application'),
    metadata: z
      .object({
        name: dnsLabel,
        namespace: dnsLabel.optional(),
        labels: z.record(z.string(), z.string()).optional(),
        annotations: z.record(z.string(), z.string()).optional(),
      })
      .strict(),
    spec: z
      .object({
        project: dnsLabel,
        source: z
          .object({
            repoURL: z.string().min(1),
            targetRevision: z.string().optional(),
            path: z.string().optional(),
          })
          .passthrough(),
        destination: z
          .object({
            server: z.string().optional(),
            name: z.string().optional(),
            namespace: dnsLabel,
          })
          .strict(),
      })
      .passthrough(),
  })
  .strict();

export type ApplicationManifest = z.infer<typeof applicationManifest>;

/** Where a created Application lives. */
export interface CreatedApplication {
  instance: string;
  namespace: string;
  name: string;
  project: string;
}

/**
 * Creates Argo CD Applications on an instance's cluster with the plugin's cluster credentials,
 * after the caller's permission check on the Application as it would be: the policy decides
 * on its AppProject, as Argo CD's own project roles do.
 */
export class ApplicationCreator {
  constructor(
    private readonly options: {
      cache: ArgoApplicationCache;
      permissions: PermissionsService;
      isAllowed: ApplicationAuthorizer;
      auditor: AuditorService;
    },
  ) {}

  async create(
    instanceName: string,
    body: unknown,
    credentials: BackstageCredentials,
    request: Request,
  ): Promise<CreatedApplication> {
    const { cache, permissions, isAllowed, auditor } = this.options;
    const instance = cache.getInstance(instanceName);
    if (!instance) {
      throw new NotFoundError(
        `No Argo CD instance named '${instanceName}'; configured instances: ${
          cache.instanceNames().join(', ') || 'none'
        }`,
      );
    }
    const parsed = applicationManifest.safeParse(body);
    if (!parsed.success) {
      throw new InputError(
        `Invalid Argo CD Application: ${parsed.error.issues
          .map(issue => `${issue.path.join('.') || '(root)'} ${issue.message}`)
          .join('; ')}`,
      );
    }
    const manifest = parsed.data;
    const namespace =
      manifest.metadata.namespace ?? instance.controlPlaneNamespace;
    const { name } = manifest.metadata;
    const { project } = manifest.spec;
    const prospective: CachedApplication = {
      instance,
      namespace,
      name,
      project,
      labels: manifest.metadata.labels ?? {},
      resource: { ...manifest, metadata: { ...manifest.metadata, namespace } },
    };
    const auditEvent = await auditor.createEvent({
      eventId: 'application-create',
      severityLevel: 'medium',
      request,
      meta: { instance: instanceName, namespace, name, project },
    });
    try {
      if (!cache.getProject(instanceName, project)) {
        throw new InputError(
          `Argo CD project '${project}' does not exist on instance ${instanceName}`,
        );
      }
      if (!projectOf(cache, prospective)) {
        throw new InputError(
          `Argo CD project '${project}' does not allow Applications in namespace ${namespace}; use ${instance.controlPlaneNamespace}`,
        );
      }
      const [decision] = await permissions.authorizeConditional(
        [{ permission: argocdApplicationCreatePermission }],
        { credentials },
      );
      if (!isAllowed(decision, prospective)) {
        throw new NotAllowedError(
          `You may not create Applications in Argo CD project '${project}' on ${instanceName}: none of your teams holds a role in it that allows this`,
        );
      }
      if (cache.getApplication(instanceName, namespace, name)) {
        throw new ConflictError(
          `Argo CD Application ${namespace}/${name} already exists on ${instanceName}`,
        );
      }
      if (!('kubeConfig' in instance.cluster.connection)) {
        throw new ServiceUnavailableError(instance.cluster.connection.error);
      }
      const api =
        instance.cluster.connection.kubeConfig.makeApiClient(CustomObjectsApi);
      try {
        await api.createNamespacedCustomObject({
          group: 'argoproj.io',
          version: 'v1alpha1',
          namespace,
          plural: 'applications',
          body: prospective.resource,
        });
      } catch (error) {
        if (!(error instanceof ApiException)) throw error;
        const message = kubernetesErrorMessage(error);
        if (error.code === 409) throw new ConflictError(message);
        if (error.code === 422 || error.code === 400) {
          throw new InputError(message);
        }
        throw new ServiceUnavailableError(
          `Cluster ${instance.cluster.name} refused the Application (${error.code}): ${message}`,
        );
      }
      await auditEvent.success();
      return { instance: instanceName, namespace, name, project };
    } catch (error) {
      await auditEvent.fail({ error: error as Error });
      throw error;
    }
  }
}
