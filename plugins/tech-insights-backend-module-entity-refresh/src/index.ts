/**
 * Re-collects one entity's Tech Insights facts on demand.
 *
 * @packageDocumentation
 */
export * from './extensionPoint';
