/**
 * Types, annotations and permissions shared by Paved's Argo CD frontend and backend.
 *
 * @packageDocumentation
 */
export * from './annotations';
export * from './labelSelector';
export * from './permissions';
export * from './selection';
export * from './types';
