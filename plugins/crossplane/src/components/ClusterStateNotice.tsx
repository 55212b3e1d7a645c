import { Alert } from '@material-ui/lab';
import { OfferingClusterState } from '@paved/plugin-crossplane-common';

function clusterLabel(cluster: OfferingClusterState): string {
  return cluster.title && cluster.title !== cluster.name
    ? `${cluster.title} (${cluster.name})`
    : cluster.name;
}

/**
 * Why a cluster's offerings may be missing: an error names the cluster and the backend's
 * reason, a cluster still loading says so. Ready clusters say nothing; the others' offerings
 * still show.
 */
export function ClusterStateNotice(props: { cluster: OfferingClusterState }) {
  const { cluster } = props;
  if (cluster.status === 'error') {
    return (
      <Alert severity="warning">
        {clusterLabel(cluster)}: {cluster.error ?? 'the cluster cannot be read'}
      </Alert>
    );
  }
  if (cluster.status === 'loading') {
    return (
      <Alert severity="info">{clusterLabel(cluster)}: loading offerings…</Alert>
    );
  }
  return null;
}
