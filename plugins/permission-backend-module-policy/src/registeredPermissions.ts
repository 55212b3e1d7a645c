import {
  AuthService,
  DiscoveryService,
  LoggerService,
  RootInstanceMetadataService,
} from '@backstage/backend-plugin-api';
import { Permission } from '@backstage/plugin-permission-common';

/** The permissions one installed plugin registers, or why they could not be read. */
export interface PluginPermissions {
  pluginId: string;
  permissions: Permission[];
  error?: string;
}

/**
 * Asks every installed plugin for the permissions it registered (the permission framework's
 * metadata endpoint), so admins and tests see the whole set the policy must decide.
 */
export async function readRegisteredPermissions(deps: {
  auth: AuthService;
  discovery: DiscoveryService;
  instanceMetadata: RootInstanceMetadataService;
  logger: LoggerService;
}): Promise<PluginPermissions[]> {
  const { auth, discovery, instanceMetadata, logger } = deps;
  const plugins = await instanceMetadata.getInstalledPlugins();
  const results = await Promise.all(
    plugins.map(async ({ pluginId }): Promise<PluginPermissions> => {
      try {
        const { token } = await auth.getPluginRequestToken({
          onBehalfOf: await auth.getOwnServiceCredentials(),
          targetPluginId: pluginId,
        });
        const res = await fetch(
          `${await discovery.getBaseUrl(
            pluginId,
          )}/.well-known/backstage/permissions/metadata`,
          { headers: { Authorization: `Bearer ${token}` } },
        );
        // Plugins that never touched the permissions registry serve no metadata: a 404, or
        // for the app plugin, its index.html.
        const isJson = res.headers
          .get('content-type')
          ?.startsWith('application/json');
        if (res.status === 404 || (res.ok && !isJson)) {
          return { pluginId, permissions: [] };
        }
        if (!res.ok) {
          throw new Error(`${res.status} ${res.statusText}`);
        }
        const body = (await res.json()) as { permissions?: Permission[] };
        return { pluginId, permissions: body.permissions ?? [] };
      } catch (error) {
        logger.warn('Could not read a plugin’s permissions', {
          pluginId,
          error: String(error),
        });
        return { pluginId, permissions: [], error: String(error) };
      }
    }),
  );
  return results.sort((a, b) => a.pluginId.localeCompare(b.pluginId));
}
