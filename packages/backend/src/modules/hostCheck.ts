import { Config } from '@backstage/config';
import { rootHttpRouterServiceFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { createDenialMessages } from './denialMessages';

// The slice of Express's request and response the check uses.
interface HostRequest {
  path: string;
  method: string;
  originalUrl: string;
  headers: { host?: string };
}
interface HostResponse {
  status(code: number): { json(body: unknown): unknown };
}

function hostnameOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLocaleLowerCase('en-US');
  } catch {
    return undefined;
  }
}

/**
 * The name plugins use to call each other inside one backend: Backstage's discovery derives it
 * from `backend.listen` (`localhost` for all interfaces, the address itself otherwise).
 */
function internalUrl(config: Config): string {
  const listen = config.getOptional('backend.listen');
  let host = '';
  if (typeof listen === 'string') {
    host = listen.slice(0, Math.max(listen.lastIndexOf(':'), 0));
  } else if (listen && typeof listen === 'object') {
    host = config.getOptionalString('backend.listen.host') ?? '';
  }
  if (host === '' || host === '::') host = 'localhost';
  else if (host === '0.0.0.0') host = '127.0.0.1';
  return `http://${host.includes(':') ? `[${host}]` : host}`;
}

/**
 * The host names the backend answers to: those of `backend.baseUrl` and `app.baseUrl`, the one
 * plugins use internally, the targets of `discovery.endpoints` (replicas may call each other by
 * an internal name), and `backend.allowedHosts` for any other name a load balancer uses.
 */
export function allowedHostnames(config: Config): Set<string> {
  const urls = [
    config.getString('backend.baseUrl'),
    config.getOptionalString('app.baseUrl'),
    internalUrl(config),
  ];
  for (const endpoint of config.getOptionalConfigArray('discovery.endpoints') ??
    []) {
    const target = endpoint.getOptional('target');
    if (typeof target === 'string') urls.push(target);
    else if (target && typeof target === 'object') {
      urls.push(...Object.values(target as Record<string, string>));
    }
  }
  const names = new Set(
    urls.flatMap(url => (url ? [hostnameOf(url)] : [])).filter(Boolean),
  ) as Set<string>;
  for (const name of config.getOptionalStringArray('backend.allowedHosts') ??
    []) {
    names.add(name.toLocaleLowerCase('en-US'));
  }
  return names;
}

/**
 * Refuses requests whose Host header names another site. A page on a foreign domain that
 * re-resolves its name to this backend (DNS rebinding) would otherwise talk to it as if it were
 * same-origin. Health checks stay open: probes address the pod by IP and learn nothing secret.
 */
export function createHostCheck(config: Config) {
  const allowed = allowedHostnames(config);
  return (req: HostRequest, res: HostResponse, next: () => void) => {
    if (req.path.startsWith('/.backstage/health/')) {
      next();
      return;
    }
    const host = req.headers.host ?? '';
    const hostname = hostnameOf(`http://${host}`);
    if (hostname && allowed.has(hostname)) {
      next();
      return;
    }
    res.status(403).json({
      error: {
        name: 'NotAllowedError',
        message: `This backend does not answer to the host '${host}'. It answers to ${[
          ...allowed,
        ].join(
          ', ',
        )}; add a name to backend.allowedHosts if a proxy uses another.`,
      },
      request: { method: req.method, url: req.originalUrl },
      response: { statusCode: 403 },
    });
  };
}

/**
 * The default root HTTP router with the Host check in front of everything, and refusals that
 * say why.
 */
export const rootHttpRouterWithHostCheck = rootHttpRouterServiceFactory({
  configure({ app, config, applyDefaults }) {
    app.use(createHostCheck(config));
    app.use(createDenialMessages());
    applyDefaults();
  },
});
