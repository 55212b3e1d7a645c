import Box from '@material-ui/core/Box';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import { EntitySummary, NO_LEVEL } from '@paved/plugin-scorecards-common';
import { levelColour, levelLabel } from '../levels';

/** How many of the shown services hold each level, highest level first. */
export function LevelTotals(props: {
  entities: EntitySummary[];
  levelOrder: string[];
}) {
  const { entities, levelOrder } = props;
  const count = (level: string) =>
    entities.filter(entity => (entity.level ?? NO_LEVEL) === level).length;
  return (
    <Box
      display="flex"
      flexWrap="wrap"
      style={{ gap: 16 }}
      component="ul"
      aria-label="Services per level"
      p={0}
      m={0}
    >
      {[...levelOrder].reverse().map(level => (
        <Paper
          component="li"
          key={level}
          variant="outlined"
          aria-label={`${levelLabel(level)}: ${count(level)}`}
          style={{
            listStyle: 'none',
            padding: '8px 16px',
            minWidth: 120,
            borderTop: `4px solid ${levelColour(level, levelOrder)}`,
          }}
        >
          <Typography variant="h4" component="span">
            {count(level)}
          </Typography>
          <Typography variant="body2" color="textSecondary">
            {levelLabel(level)}
          </Typography>
        </Paper>
      ))}
    </Box>
  );
}
