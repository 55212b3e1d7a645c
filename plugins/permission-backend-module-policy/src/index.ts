/**
 * Paved's permission policy, as a module of Backstage's permission plugin.
 *
 * @packageDocumentation
 */
export { permissionModulePavedPolicy as default } from './module';
export { PavedPermissionPolicy } from './PavedPermissionPolicy';
export { readRoleConfig, callerOf } from './roles';
export type { Caller, RoleConfig } from './roles';
