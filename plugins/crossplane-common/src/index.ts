/**
 * Types, labels and permissions shared by Paved's Crossplane frontend and backend.
 *
 * @packageDocumentation
 */
export * from './labels';
export * from './permissions';
export * from './requests';
export * from './resources';
export * from './types';
