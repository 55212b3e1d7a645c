import { NO_LEVEL } from '@paved/plugin-scorecards-common';

// Metal colours for the default levels; configured levels beyond them take the fallbacks in order.
const NAMED_COLOURS: Record<string, string> = {
  bronze: '#b06d2c',
  silver: '#8a9198',
  gold: '#c9a227',
  platinum: '#5b7f95',
};
const FALLBACK_COLOURS = ['#6a5acd', '#2e8b57', '#c2185b', '#00838f'];
const NO_LEVEL_COLOUR = '#9e9e9e';

/** The colour a level is drawn in, on badges and charts alike; grey for no level. */
export function levelColour(level: string | null, levelOrder: string[] = []) {
  if (!level || level === NO_LEVEL) {
    return NO_LEVEL_COLOUR;
  }
  const named = NAMED_COLOURS[level.toLocaleLowerCase('en-US')];
  if (named) {
    return named;
  }
  const index = Math.max(0, levelOrder.indexOf(level));
  return FALLBACK_COLOURS[index % FALLBACK_COLOURS.length];
}

/** How a level reads: its name, or "No level" for entities below the first. */
export function levelLabel(level: string | null): string {
  return !level || level === NO_LEVEL ? 'No level' : level;
}

/** The configured levels, lowest first, without the `none` bucket of counts. */
export function realLevels(levelOrder: string[]): string[] {
  return levelOrder.filter(level => level !== NO_LEVEL);
}
