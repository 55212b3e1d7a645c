import { Entity } from '@backstage/catalog-model';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { scorecardsApiRef } from '../api';
import { FakeScorecardsApi } from '../testing/fakes';
import { cartEntity } from '../testing/fixtures';

/** Renders what an entity page shows for `entity` (cart by default) with a fake backend. */
export async function renderForEntity(
  element: JSX.Element,
  options: { api: FakeScorecardsApi; entity?: Entity },
) {
  return renderInTestApp(
    <EntityProvider entity={options.entity ?? cartEntity}>
      {element}
    </EntityProvider>,
    {
      apis: [[scorecardsApiRef, options.api]],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    },
  );
}
