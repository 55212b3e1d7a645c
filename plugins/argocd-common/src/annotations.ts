import { Entity } from '@backstage/catalog-model';

/** Name of one Argo CD Application, or several separated by commas. */
export const ARGOCD_APP_NAME_ANNOTATION = 'argocd/app-name';
/** A Kubernetes label selector over Application labels, e.g. `backstage.io/kubernetes-id=cart`. */
export const ARGOCD_APP_SELECTOR_ANNOTATION = 'argocd/app-selector';
/** Restricts matches to Applications in this Kubernetes namespace. */
export const ARGOCD_APP_NAMESPACE_ANNOTATION = 'argocd/app-namespace';
/** Restricts matches to Applications of this Argo CD project (comma-separated for several). */
export const ARGOCD_PROJECT_NAME_ANNOTATION = 'argocd/project-name';
/** Restricts matches to these configured Argo CD instances (comma-separated). */
export const ARGOCD_INSTANCE_NAME_ANNOTATION = 'argocd/instance-name';

/**
 * True when the entity names its Applications, by name or by selector. The other annotations
 * only narrow a match, so on their own they do not make Argo CD data available.
 */
export function isArgocdAvailable(entity: Entity): boolean {
  const annotations = entity.metadata.annotations ?? {};
  return Boolean(
    annotations[ARGOCD_APP_NAME_ANNOTATION]?.trim() ||
      annotations[ARGOCD_APP_SELECTOR_ANNOTATION]?.trim(),
  );
}
