/**
 * React components shared by Paved's frontend plugins, so status and time read the same on
 * every page.
 *
 * @packageDocumentation
 */
export { RelativeTime } from './RelativeTime';
export { ToneChip, type Tone } from './ToneChip';
