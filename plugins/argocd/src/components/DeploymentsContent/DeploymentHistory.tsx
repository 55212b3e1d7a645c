import { useState } from 'react';
import Avatar from '@material-ui/core/Avatar';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Collapse from '@material-ui/core/Collapse';
import IconButton from '@material-ui/core/IconButton';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ExpandLessIcon from '@material-ui/icons/ExpandLess';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import {
  Timeline,
  TimelineConnector,
  TimelineContent,
  TimelineDot,
  TimelineItem,
  TimelineSeparator,
} from '@material-ui/lab';
import { HistoryEntry } from '@paved/plugin-argocd-common';
import { RevisionLink } from '../RevisionLink';
import { RelativeTime } from '@paved/paved-react';
import { formatDuration } from '../formatDuration';

const useStyles = makeStyles(theme => ({
  timeline: { padding: 0, margin: 0 },
  // Without this, lab's Timeline reserves half the width for content on the opposite side.
  item: { '&:before': { display: 'none' } },
  headline: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    flexWrap: 'wrap',
  },
  byline: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    flexWrap: 'wrap',
    color: theme.palette.text.secondary,
  },
  avatar: { width: 20, height: 20 },
  fullMessage: { whiteSpace: 'pre-wrap', margin: theme.spacing(1, 0) },
}));

function CommitMessage(props: { message: string }) {
  const classes = useStyles();
  const [expanded, setExpanded] = useState(false);
  const [firstLine, ...rest] = props.message.split('\n');
  const body = rest.join('\n').trim();
  return (
    <>
      <Typography variant="body2" component="span" title={props.message}>
        <strong>{firstLine}</strong>
      </Typography>
      {body && (
        <IconButton
          size="small"
          aria-label={
            expanded ? 'Hide full commit message' : 'Show full commit message'
          }
          onClick={() => setExpanded(!expanded)}
        >
          {expanded ? (
            <ExpandLessIcon fontSize="small" />
          ) : (
            <ExpandMoreIcon fontSize="small" />
          )}
        </IconButton>
      )}
      {body && (
        <Collapse in={expanded} unmountOnExit style={{ flexBasis: '100%' }}>
          <Typography variant="body2" className={classes.fullMessage}>
            {body}
          </Typography>
        </Collapse>
      )}
    </>
  );
}

function DeploymentEntry(props: { entry: HistoryEntry; current: boolean }) {
  const { entry, current } = props;
  const classes = useStyles();
  return (
    <Box data-testid={`argocd-deployment-${entry.id}`}>
      <div className={classes.headline}>
        <RevisionLink revision={entry.revision} url={entry.revisionUrl} />
        {current && <Chip size="small" label="current" variant="outlined" />}
        {entry.commit && <CommitMessage message={entry.commit.message} />}
      </div>
      <Typography variant="body2" component="div" className={classes.byline}>
        {entry.commit && (
          <>
            {entry.commit.author.avatarUrl && (
              <Avatar
                className={classes.avatar}
                src={entry.commit.author.avatarUrl}
                alt={entry.commit.author.name}
              />
            )}
            <span title={entry.commit.author.login}>
              {entry.commit.author.name}
            </span>
            <span>·</span>
          </>
        )}
        <span>
          deployed <RelativeTime iso={entry.deployedAt} />
        </span>
        {entry.durationSeconds !== undefined && (
          <span>· took {formatDuration(entry.durationSeconds)}</span>
        )}
      </Typography>
      {entry.commitError && (
        <Typography variant="caption" color="textSecondary">
          Commit details unavailable: {entry.commitError}
        </Typography>
      )}
    </Box>
  );
}

/** An Application's deployments, newest first, as a timeline. */
export function DeploymentHistory(props: { history: HistoryEntry[] }) {
  const classes = useStyles();
  if (props.history.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No deployment recorded yet.
      </Typography>
    );
  }
  return (
    <Timeline className={classes.timeline}>
      {props.history.map((entry, index) => (
        <TimelineItem
          key={entry.id}
          classes={{ missingOppositeContent: classes.item }}
        >
          <TimelineSeparator>
            <TimelineDot color={index === 0 ? 'primary' : 'grey'} />
            {index < props.history.length - 1 && <TimelineConnector />}
          </TimelineSeparator>
          <TimelineContent>
            <DeploymentEntry entry={entry} current={index === 0} />
          </TimelineContent>
        </TimelineItem>
      ))}
    </Timeline>
  );
}
