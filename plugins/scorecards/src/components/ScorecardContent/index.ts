export { ScorecardContent } from './ScorecardContent';
