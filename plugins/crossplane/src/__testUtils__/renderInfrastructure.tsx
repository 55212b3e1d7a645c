import { Entity } from '@backstage/catalog-model';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { crossplaneApiRef } from '../api';
import { InfrastructurePage } from '../components/InfrastructurePage';
import { rootRouteRef } from '../routes';
import { FakeCrossplaneApi, FakeSignalApi } from '../testing/fakes';

/** Where the tests mount what the app mounts: the page, and the catalog's entity pages. */
export const testRoutes = {
  '/infrastructure': rootRouteRef,
  '/catalog/:namespace/:kind/:name': entityRouteRef,
};

/**
 * A catalog answering `getEntities` for the filters the request form sends (kinds and
 * `relations.ownedBy`), which the catalog's own in-memory fake does not combine.
 */
export function ownershipCatalog(entities: Entity[]) {
  return catalogApiMock.mock({
    getEntities: jest.fn(async request => {
      const filter = (request?.filter ?? {}) as Record<string, string[]>;
      const kinds = filter.kind?.map(kind => kind.toLocaleLowerCase('en-US'));
      const owners = filter['relations.ownedBy'];
      return {
        items: entities.filter(
          entity =>
            (!kinds ||
              kinds.includes(entity.kind.toLocaleLowerCase('en-US'))) &&
            (!owners ||
              entity.relations?.some(
                relation =>
                  relation.type === 'ownedBy' &&
                  owners.includes(relation.targetRef),
              )),
        ),
      };
    }),
  });
}

/**
 * Renders the Infrastructure page at `path` (e.g. `/infrastructure/requests/req-1`) with a fake
 * backend, signals the test publishes, a catalog of `entities` and a user in team-payments.
 */
export async function renderInfrastructure(
  path: string,
  options: {
    api: FakeCrossplaneApi;
    signals?: FakeSignalApi;
    entities?: Entity[];
  },
) {
  const signals = options.signals ?? new FakeSignalApi();
  const catalog = ownershipCatalog(options.entities ?? []);
  const rendered = await renderInTestApp(<InfrastructurePage />, {
    mountPath: '/infrastructure',
    initialRouteEntries: [path],
    mountedRoutes: testRoutes,
    apis: [
      [crossplaneApiRef, options.api],
      [signalApiRef, signals],
      catalog,
      mockApis.identity({
        userEntityRef: 'user:default/jane',
        ownershipEntityRefs: [
          'user:default/jane',
          'group:default/team-payments',
        ],
      }),
    ],
  });
  return { rendered, signals, catalog };
}
