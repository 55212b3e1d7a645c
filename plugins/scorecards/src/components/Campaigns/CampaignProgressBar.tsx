import Box from '@material-ui/core/Box';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';

/** "7 of 10 at Silver or above" over a bar filled to the share reached. */
export function CampaignProgressBar(props: {
  title: string;
  reached: number;
  total: number;
  targetLevel: string;
}) {
  const { reached, total } = props;
  const percent = total === 0 ? 100 : Math.round((reached / total) * 100);
  const text = `${reached} of ${total} at ${props.targetLevel} or above`;
  return (
    <Box>
      <LinearProgress
        variant="determinate"
        value={percent}
        aria-label={`Progress of ${props.title}`}
        aria-valuetext={text}
        style={{ height: 10, borderRadius: 5 }}
      />
      <Typography variant="body2" color="textSecondary">
        {text} ({percent}%)
      </Typography>
    </Box>
  );
}
