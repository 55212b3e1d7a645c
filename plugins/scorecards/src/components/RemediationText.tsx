import { Link } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import { Remediation } from '@paved/plugin-scorecards-common';

/**
 * What to do about a failing check: the text, a page explaining the fix, and the Paved action
 * that makes it (e.g. a fix-it template with the service filled in) when there is one.
 */
export function RemediationText(props: { remediation: Remediation }) {
  const { text, url, action } = props.remediation;
  return (
    <Typography variant="body2" color="textSecondary" component="span">
      {text}
      {url && (
        <>
          {' '}
          <Link to={url}>How to fix</Link>
        </>
      )}
      {action && (
        <>
          {' · '}
          <Link to={action.url}>{action.title}</Link>
        </>
      )}
    </Typography>
  );
}
