import Typography from '@material-ui/core/Typography';
import { Link } from '@backstage/core-components';

const GIT_SHA = /^[0-9a-f]{40}$/i;

/** Git commit SHAs shortened to 7 characters as Git does; chart versions and tags are kept whole. */
export function shortRevision(revision: string): string {
  return GIT_SHA.test(revision) ? revision.slice(0, 7) : revision;
}

/** A deployed revision, linked to its page on the source host when the backend knows it. */
export function RevisionLink(props: { revision?: string; url?: string }) {
  const { revision, url } = props;
  if (!revision) {
    return (
      <Typography variant="body2" color="textSecondary" component="span">
        no revision
      </Typography>
    );
  }
  const text = <code title={revision}>{shortRevision(revision)}</code>;
  return url ? <Link to={url}>{text}</Link> : text;
}
