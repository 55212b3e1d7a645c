import { Link } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import { Remediation } from '@paved/plugin-scorecards-common';

/** What to do about a failing check, with a link to the page or Paved action that fixes it. */
export function RemediationText(props: { remediation: Remediation }) {
  const { text, url } = props.remediation;
  return (
    <Typography variant="body2" color="textSecondary" component="span">
      {text}
      {url && (
        <>
          {' '}
          <Link to={url}>How to fix</Link>
        </>
      )}
    </Typography>
  );
}
