import { createPermission } from '@backstage/plugin-permission-common';

/** Reading scorecards: an entity's checks and level, team and system roll-ups, history, campaigns. */
export const scorecardsResultReadPermission = createPermission({
  name: 'scorecards.result.read',
  attributes: { action: 'read' },
});

/**
 * Scoring one catalog entity again now rather than at the next scheduled run. Decided on the
 * catalog entity, so a policy can give it to the entity's owners.
 */
export const scorecardsEntityRerunPermission = createPermission({
  name: 'scorecards.entity.rerun',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/** Setting a campaign's target for the whole organisation: platform admins. */
export const scorecardsCampaignCreatePermission = createPermission({
  name: 'scorecards.campaign.create',
  attributes: { action: 'create' },
});

/** Ending a campaign: platform admins. */
export const scorecardsCampaignDeletePermission = createPermission({
  name: 'scorecards.campaign.delete',
  attributes: { action: 'delete' },
});

/** Every permission the scorecards plugin checks. */
export const scorecardsPermissions = [
  scorecardsResultReadPermission,
  scorecardsEntityRerunPermission,
  scorecardsCampaignCreatePermission,
  scorecardsCampaignDeletePermission,
];
