/**
 * Types of the scorecards API and its permissions, shared by Paved's scorecards frontend and
 * backend.
 *
 * @packageDocumentation
 */
export * from './permissions';
export * from './types';
