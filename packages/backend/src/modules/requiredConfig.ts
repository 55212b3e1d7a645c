import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';

/** Whether a key such as `a.b[0].c` is set; Config itself has no syntax for array items. */
function hasKey(config: Config, key: string): boolean {
  const match = /^([^[]+)\[(\d+)\]\.?(.*)$/.exec(key);
  if (!match) {
    return config.has(key);
  }
  const [, arrayKey, index, rest] = match;
  const item = config.getOptionalConfigArray(arrayKey)?.[Number(index)];
  if (!item) {
    return false;
  }
  return rest ? hasKey(item, rest) : true;
}

/**
 * Lists the entries of `paved.requiredConfig` that are not set. A deployment config names the
 * keys it cannot run without, with the environment variable each is read from, so a missing
 * variable stops the backend with a message instead of a half-working portal.
 */
export function findMissingConfig(config: Config): string[] {
  const required = config.getOptionalConfigArray('paved.requiredConfig') ?? [];
  return required
    .filter(entry => !hasKey(config, entry.getString('key')))
    .map(entry => {
      const key = entry.getString('key');
      const env = entry.getOptionalString('env');
      return env ? `${key} (set ${env})` : key;
    });
}

export const requiredConfigPlugin = createBackendPlugin({
  pluginId: 'required-config',
  register(env) {
    env.registerInit({
      deps: { config: coreServices.rootConfig },
      async init({ config }) {
        const missing = findMissingConfig(config);
        if (missing.length > 0) {
          throw new Error(
            `Missing required configuration: ${missing.join(', ')}`,
          );
        }
      },
    });
  },
});
