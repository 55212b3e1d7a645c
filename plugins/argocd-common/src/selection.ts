import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  ARGOCD_APP_NAME_ANNOTATION,
  ARGOCD_APP_NAMESPACE_ANNOTATION,
  ARGOCD_APP_SELECTOR_ANNOTATION,
  ARGOCD_INSTANCE_NAME_ANNOTATION,
  ARGOCD_PROJECT_NAME_ANNOTATION,
} from './annotations';
import {
  LabelRequirement,
  matchesLabelSelector,
  parseLabelSelector,
} from './labelSelector';

/** Which Applications an entity claims, parsed from its annotations. */
export interface ApplicationSelection {
  names?: string[];
  selector?: LabelRequirement[];
  namespace?: string;
  projects?: string[];
  instances?: string[];
}

/** The identifying parts of an Application that a selection is matched against. */
export interface ApplicationIdentity {
  instance: string;
  namespace: string;
  name: string;
  project: string;
  labels?: Record<string, string>;
}

function list(value: string | undefined): string[] | undefined {
  const items = value
    ?.split(',')
    .map(s => s.trim())
    .filter(Boolean);
  return items && items.length > 0 ? items : undefined;
}

/**
 * Reads an entity's Argo CD annotations. Throws an InputError, naming the entity and the
 * annotation, when neither `argocd/app-name` nor `argocd/app-selector` is set or the selector
 * is malformed. Name and selector together match Applications that satisfy both.
 */
export function parseApplicationSelection(
  entity: Entity,
): ApplicationSelection {
  const annotations = entity.metadata.annotations ?? {};
  const names = list(annotations[ARGOCD_APP_NAME_ANNOTATION]);
  const rawSelector = annotations[ARGOCD_APP_SELECTOR_ANNOTATION]?.trim();
  if (!names && !rawSelector) {
    throw new InputError(
      `${stringifyEntityRef(
        entity,
      )} has no Argo CD applications: set the ${ARGOCD_APP_NAME_ANNOTATION} or ${ARGOCD_APP_SELECTOR_ANNOTATION} annotation`,
    );
  }
  let selector: LabelRequirement[] | undefined;
  if (rawSelector) {
    try {
      selector = parseLabelSelector(rawSelector);
    } catch (e) {
      throw new InputError(
        `${stringifyEntityRef(
          entity,
        )} annotation ${ARGOCD_APP_SELECTOR_ANNOTATION}: ${
          (e as Error).message
        }`,
      );
    }
  }
  return {
    names,
    selector,
    namespace:
      annotations[ARGOCD_APP_NAMESPACE_ANNOTATION]?.trim() || undefined,
    projects: list(annotations[ARGOCD_PROJECT_NAME_ANNOTATION]),
    instances: list(annotations[ARGOCD_INSTANCE_NAME_ANNOTATION]),
  };
}

/** True when the Application belongs to the selection. Backend and frontend share this rule. */
export function matchesSelection(
  selection: ApplicationSelection,
  app: ApplicationIdentity,
): boolean {
  if (selection.instances && !selection.instances.includes(app.instance)) {
    return false;
  }
  if (selection.namespace && selection.namespace !== app.namespace) {
    return false;
  }
  if (selection.projects && !selection.projects.includes(app.project)) {
    return false;
  }
  if (selection.names && !selection.names.includes(app.name)) {
    return false;
  }
  if (
    selection.selector &&
    !matchesLabelSelector(selection.selector, app.labels)
  ) {
    return false;
  }
  return true;
}
