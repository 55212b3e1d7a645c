import { Link } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import {
  entityRouteParams,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { shortRef } from './shortRef';

/**
 * A link to a catalog entity named by its ref alone (`team-payments`), without a catalog request
 * per row as `EntityRefLink` makes: tables here list up to every component.
 */
export function EntityLink(props: { entityRef?: string }) {
  const entityRoute = useRouteRef(entityRouteRef);
  if (!props.entityRef) {
    return null;
  }
  return (
    <Link to={entityRoute(entityRouteParams(props.entityRef))}>
      {shortRef(props.entityRef)}
    </Link>
  );
}
