/**
 * Backend for Paved's Crossplane self-service: the offered infrastructure and its request forms,
 * read from CompositeResourceDefinitions through the Kubernetes API.
 *
 * @packageDocumentation
 */
export { crossplanePlugin as default } from './plugin';
