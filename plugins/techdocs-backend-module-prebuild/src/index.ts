/**
 * Builds every entity's TechDocs on a schedule when the local builder is used.
 *
 * @packageDocumentation
 */
export { techdocsModulePrebuild as default } from './module';
