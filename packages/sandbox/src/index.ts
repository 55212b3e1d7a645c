/**
 * Development and test stand-ins for systems the portal talks to. Not product code.
 *
 * @packageDocumentation
 */
export {
  bundledCrdFiles,
  bundledXrdFiles,
  startKubernetesStandIn,
} from './kubernetes/server';
export type {
  ControllerOptions,
  KubernetesRequestCounts,
  KubernetesStandIn,
  KubernetesStandInOptions,
} from './kubernetes/server';
export { standInClusterConfig, standInKubeConfig } from './kubernetes/access';
export type { StandInAddress } from './kubernetes/access';
export type { TlsKeyPair } from './kubernetes/tls';
export type { ManifestReader, RevisionResolver } from './kubernetes/argocd';
export { FORCED_ANNOTATION } from './kubernetes/crossplane';
export {
  forceApplicationState,
  forceClaimState,
  forceCompositeState,
  releaseForcedState,
} from './kubernetes/forceState';
export type {
  CustomObjectRef,
  ForcedApplicationState,
  ForcedClaimState,
  ForcedCompositeState,
  StandInConnection,
} from './kubernetes/forceState';
export { startGitHubStandIn } from './github';
export type {
  AlertSeverity,
  BranchProtectionSettings,
  CreateRepoOptions,
  DependabotAlertSeed,
  FileChanges,
  GitHubRequestCounts,
  GitHubStandIn,
  GitHubStandInOptions,
  GitHubToken,
  GitIdentity,
  GitSignature,
  OrgRole,
  RepositoryJson,
  TeamRole,
  Visibility,
} from './github';
export { eventually } from './eventually';
export { gitHubManifestReader, gitHubRevisionResolver } from './sandbox';
