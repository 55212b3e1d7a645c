export { startGitHubStandIn } from './server';
export type {
  GitHubRequestCounts,
  GitHubStandIn,
  GitHubStandInOptions,
  GitHubToken,
  RepositoryJson,
} from './server';
export type {
  BranchProtectionSettings,
  CreateRepoOptions,
  OrgRole,
  TeamRole,
  Visibility,
} from './model';
export type { FileChanges, GitIdentity, GitSignature } from './repoStore';
export type { OAuthApp } from './oauth';
export type { AlertSeverity, DependabotAlertSeed } from './dependabotAlerts';
