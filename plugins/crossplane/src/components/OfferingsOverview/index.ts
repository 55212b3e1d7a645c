export { OfferingsOverview } from './OfferingsOverview';
