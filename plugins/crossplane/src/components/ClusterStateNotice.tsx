import { Alert } from '@material-ui/lab';
import { OfferingClusterState } from '@paved/plugin-crossplane-common';

type ClusterState = Pick<OfferingClusterState, 'name' | 'status' | 'error'> & {
  title?: string;
};

function clusterLabel(cluster: ClusterState): string {
  return cluster.title && cluster.title !== cluster.name
    ? `${cluster.title} (${cluster.name})`
    : cluster.name;
}

/**
 * Why a cluster's offerings (or resources, `what`) may be missing: an error names the cluster
 * and the backend's reason, a cluster still loading says so. Ready clusters say nothing; the
 * others' still show.
 */
export function ClusterStateNotice(props: {
  cluster: ClusterState;
  what?: string;
}) {
  const { cluster, what = 'offerings' } = props;
  if (cluster.status === 'error') {
    return (
      <Alert severity="warning">
        {clusterLabel(cluster)}: {cluster.error ?? 'the cluster cannot be read'}
      </Alert>
    );
  }
  if (cluster.status === 'loading') {
    return (
      <Alert severity="info">
        {clusterLabel(cluster)}: loading {what}…
      </Alert>
    );
  }
  return null;
}
