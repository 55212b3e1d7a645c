import { Alert } from '@material-ui/lab';
import { InstanceState } from '@paved/plugin-argocd-common';

function instanceLabel(instance: InstanceState): string {
  return instance.title && instance.title !== instance.instance
    ? `${instance.title} (${instance.instance})`
    : instance.instance;
}

/**
 * What an instance that has no fresh answer is doing: an error names the instance and the
 * backend's reason; a loading instance says so. Ready instances say nothing.
 */
export function InstanceStateNotice(props: { instance: InstanceState }) {
  const { instance } = props;
  if (instance.status === 'error') {
    return (
      <Alert severity="warning">
        {instanceLabel(instance)}: {instance.error ?? 'the last request failed'}
      </Alert>
    );
  }
  if (instance.status === 'loading') {
    return (
      <Alert severity="info">
        {instanceLabel(instance)}: loading applications…
      </Alert>
    );
  }
  return null;
}
