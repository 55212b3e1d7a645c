import {
  ApiBlueprint,
  createFrontendPlugin,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import PolicyIcon from '@material-ui/icons/Policy';
import { auditLogApiRef, AuditLogClient } from './api';

/** The route of the Audit log page. */
export const rootRouteRef = createRouteRef();

/** The {@link AuditLogClient}, talking to the `audit-log` backend with the user's token. */
export const auditLogApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: auditLogApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new AuditLogClient({ discoveryApi, fetchApi }),
    }),
});

/** Page `page:audit-log` at `/audit-log`, titled "Audit log". */
export const auditLogPage = PageBlueprint.make({
  params: {
    path: '/audit-log',
    title: 'Audit log',
    icon: <PolicyIcon />,
    routeRef: rootRouteRef,
    loader: () =>
      import('./components/AuditLogPage').then(m => <m.AuditLogPage />),
  },
});

/** Admin-only Audit log page: who did what in the portal, filtered, paged and exported. */
export const auditLogPlugin = createFrontendPlugin({
  pluginId: 'audit-log',
  title: 'Audit log',
  icon: <PolicyIcon />,
  info: { packageJson: () => import('../package.json') },
  routes: { root: rootRouteRef },
  extensions: [auditLogApi, auditLogPage],
});
