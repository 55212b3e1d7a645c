import { parseEntityRef } from '@backstage/catalog-model';

/** A ref as people read it: `team-payments`, or `other/team-payments` outside the default namespace. */
export function shortRef(ref: string | undefined): string {
  if (!ref) {
    return '';
  }
  try {
    const { namespace, name } = parseEntityRef(ref);
    return namespace === 'default' ? name : `${namespace}/${name}`;
  } catch {
    return ref;
  }
}
