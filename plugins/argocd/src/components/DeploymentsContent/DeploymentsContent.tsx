import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { ErrorBoundary, InfoCard, Progress } from '@backstage/core-components';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { useEntityApplications } from '../../hooks/useEntityApplications';
import { ArgoCdErrorPanel } from '../ArgoCdErrorPanel';
import { groupByEnvironment, showsNoApplications } from '../environments';
import { InstanceStateNotice } from '../InstanceStateNotices';
import { NoApplicationsState } from '../NoApplicationsState';
import { ApplicationHistoryCard } from './ApplicationHistoryCard';

function DeploymentsContentBody() {
  const { value, error, entity, refreshKey } = useEntityApplications();
  if (error) {
    return <ArgoCdErrorPanel error={error} />;
  }
  if (!value) {
    return <Progress />;
  }
  const entityRef = getCompoundEntityRef(entity);
  const environments = groupByEnvironment(value);

  return (
    <Grid container spacing={3} direction="column">
      {environments.map(({ instance }) =>
        instance.status === 'ready' ? null : (
          <Grid item key={instance.instance}>
            <InstanceStateNotice instance={instance} />
          </Grid>
        ),
      )}
      {showsNoApplications(value) && (
        <Grid item>
          <InfoCard title="Deployments">
            <NoApplicationsState entity={entity} instances={value.instances} />
          </InfoCard>
        </Grid>
      )}
      {environments
        .filter(env => env.applications.length > 0)
        .map(env => (
          <Grid item key={env.instance.instance}>
            <Box component="section" aria-label={env.instance.title}>
              <Typography variant="h5" component="h2" gutterBottom>
                {env.instance.title}
              </Typography>
              <Grid container spacing={3}>
                {env.applications.map(application => (
                  <Grid
                    item
                    xs={12}
                    lg={env.applications.length > 1 ? 6 : 12}
                    key={`${application.namespace}/${application.name}`}
                  >
                    <ApplicationHistoryCard
                      entityRef={entityRef}
                      application={application}
                      refreshKey={refreshKey}
                    />
                  </Grid>
                ))}
              </Grid>
            </Box>
          </Grid>
        ))}
    </Grid>
  );
}

/**
 * The entity's Deployments tab: per environment (Argo CD instance), each Application's
 * deployment history, with a drill-down into its Kubernetes resources and manifest.
 */
export function DeploymentsContent() {
  return (
    <ErrorBoundary>
      <DeploymentsContentBody />
    </ErrorBoundary>
  );
}
