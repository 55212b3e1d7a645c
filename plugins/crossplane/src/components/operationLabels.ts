import { InfrastructureRequest } from '@paved/plugin-crossplane-common';

/** What a request does to its resource, as people say it. */
export const operationLabels: Record<
  InfrastructureRequest['operation'],
  string
> = {
  create: 'Create',
  update: 'Change parameters',
  delete: 'Delete',
};
