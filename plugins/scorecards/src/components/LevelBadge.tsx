import Chip from '@material-ui/core/Chip';
import { levelColour, levelLabel } from './levels';

/**
 * A level as a coloured chip reading "Bronze", "Silver", … or "No level", named "Level: Silver"
 * for assistive technology so colour is never the only signal.
 */
export function LevelBadge(props: {
  level: string | null;
  levelOrder?: string[];
  size?: 'small' | 'medium';
}) {
  const colour = levelColour(props.level, props.levelOrder);
  const label = levelLabel(props.level);
  return (
    <Chip
      size={props.size ?? 'small'}
      label={label}
      aria-label={`Level: ${label}`}
      style={{ backgroundColor: colour, color: '#fff', fontWeight: 600 }}
    />
  );
}
