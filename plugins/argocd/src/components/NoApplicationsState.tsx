import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { Entity } from '@backstage/catalog-model';
import {
  ARGOCD_APP_NAME_ANNOTATION,
  ARGOCD_APP_NAMESPACE_ANNOTATION,
  ARGOCD_APP_SELECTOR_ANNOTATION,
  ARGOCD_INSTANCE_NAME_ANNOTATION,
  ARGOCD_PROJECT_NAME_ANNOTATION,
  InstanceState,
} from '@paved/plugin-argocd-common';

const SELECTION_ANNOTATIONS = [
  ARGOCD_APP_NAME_ANNOTATION,
  ARGOCD_APP_SELECTOR_ANNOTATION,
  ARGOCD_APP_NAMESPACE_ANNOTATION,
  ARGOCD_PROJECT_NAME_ANNOTATION,
  ARGOCD_INSTANCE_NAME_ANNOTATION,
];

/**
 * Shown when the annotations select nothing the user may see: which annotations were applied,
 * which instances were searched, and that visibility follows Argo CD project roles, so the
 * owner can tell a typo from a missing deployment or a missing role.
 */
export function NoApplicationsState(props: {
  entity: Entity;
  instances: InstanceState[];
}) {
  const annotations = props.entity.metadata.annotations ?? {};
  const used = SELECTION_ANNOTATIONS.filter(key => annotations[key]?.trim());
  return (
    <Box data-testid="argocd-no-applications">
      <Typography variant="subtitle1" gutterBottom>
        No Argo CD application matches this entity.
      </Typography>
      <Typography variant="body2" paragraph>
        Applications show only to members of a group with a role in their Argo
        CD project.
      </Typography>
      <Typography variant="body2">Annotations used:</Typography>
      <ul>
        {used.map(key => (
          <li key={key}>
            <code>
              {key}: {annotations[key]}
            </code>
          </li>
        ))}
      </ul>
      <Typography variant="body2">
        {props.instances.length > 0
          ? `Instances searched: ${props.instances
              .map(i =>
                i.title === i.instance
                  ? i.instance
                  : `${i.title} (${i.instance})`,
              )
              .join(', ')}.`
          : 'No Argo CD instance was searched: none is configured, or none matches the argocd/instance-name annotation.'}
      </Typography>
    </Box>
  );
}
