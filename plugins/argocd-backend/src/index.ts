/**
 * Backend for Paved's Argo CD plugin: deployment status and history per catalog entity, read
 * from Argo CD Application resources through the Kubernetes API.
 *
 * @packageDocumentation
 */
export { argocdPlugin as default } from './plugin';
