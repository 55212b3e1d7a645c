export { argoCdApiRef } from './ArgoCdApi';
export type { ApplicationRef, ArgoCdApi } from './ArgoCdApi';
export { ArgoCdClient } from './ArgoCdClient';
