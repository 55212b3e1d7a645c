import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { ConfigSources } from '@backstage/config-loader';

/** Whether a key such as `a.b[0].c` is set; Config itself has no syntax for array items. */
function hasKey(config: Config, key: string): boolean {
  const match = /^([^[]+)\[(\d+)\]\.?(.*)$/.exec(key);
  if (!match) {
    try {
      return config.has(key);
    } catch {
      // A parent of the wrong type, e.g. the base config's SQLite connection string under an
      // overlay whose connection fields all came from unset variables.
      return false;
    }
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

/**
 * The default root config service, plus the required-keys check. It runs before any plugin
 * starts, so the message is not buried under database connection errors from every plugin.
 */
export const rootConfigWithRequiredKeys = createServiceFactory({
  service: coreServices.rootConfig,
  deps: {},
  async factory() {
    const source = ConfigSources.default({});
    const config = await ConfigSources.toConfig(source);
    const missing = findMissingConfig(config);
    if (missing.length > 0) {
      throw new Error(`Missing required configuration: ${missing.join(', ')}`);
    }
    return config;
  },
});
