/**
 * Permission and types shared by Paved's audit log page and backend.
 *
 * @packageDocumentation
 */
export * from './permissions';
export * from './types';
