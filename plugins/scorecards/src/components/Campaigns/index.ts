export { CampaignsList } from './CampaignsList';
export { CampaignPage } from './CampaignPage';
