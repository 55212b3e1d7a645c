import { LinkButton } from '@backstage/core-components';
import { useRouteRef } from '@backstage/frontend-plugin-api';
import Card from '@material-ui/core/Card';
import CardActions from '@material-ui/core/CardActions';
import CardContent from '@material-ui/core/CardContent';
import CardHeader from '@material-ui/core/CardHeader';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { Offering } from '@paved/plugin-crossplane-common';
import { requestFormRouteRef } from '../../routes';

/** One offering: what it is, its kind, the clusters offering it, and a way to request it. */
export function OfferingCard(props: { offering: Offering }) {
  const { offering } = props;
  const requestForm = useRouteRef(requestFormRouteRef);
  return (
    <section aria-label={offering.title} style={{ height: '100%' }}>
      <Card
        style={{ height: '100%', display: 'flex', flexDirection: 'column' }}
      >
        <CardHeader
          title={offering.title}
          subheader={`${offering.kind} (${offering.group}/${offering.version})`}
        />
        <CardContent style={{ flexGrow: 1 }}>
          {offering.description && (
            <Typography variant="body2" paragraph>
              {offering.description}
            </Typography>
          )}
          <Typography variant="caption" color="textSecondary" component="p">
            Clusters
          </Typography>
          {offering.clusters.map(cluster => (
            <Chip
              key={cluster}
              size="small"
              label={cluster}
              style={{ marginRight: 4 }}
            />
          ))}
        </CardContent>
        {requestForm && (
          <CardActions>
            <LinkButton
              to={requestForm({ offering: offering.name })}
              color="primary"
              variant="contained"
            >
              Request
            </LinkButton>
          </CardActions>
        )}
      </Card>
    </section>
  );
}
