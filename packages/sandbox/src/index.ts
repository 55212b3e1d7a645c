/**
 * Development and test stand-ins for systems the portal talks to. Not product code.
 *
 * @packageDocumentation
 */
export { bundledCrdFiles, startKubernetesStandIn } from './kubernetes/server';
export type {
  KubernetesStandIn,
  KubernetesStandInOptions,
} from './kubernetes/server';
