import { fieldErrorsByInput } from './fieldErrorsByInput';

describe('fieldErrorsByInput', () => {
  it('nests parameter errors as rjsf expects and keeps the request fields apart', () => {
    expect(
      fieldErrorsByInput([
        { path: 'parameters.storageGB', message: 'at most 100' },
        { path: 'parameters.network.cidr', message: 'not a CIDR' },
        { path: 'parameters.disks[1].sizeGB', message: 'too small' },
        { path: 'parameters.network.cidr', message: 'overlaps' },
        { path: 'parameters', message: 'unknown field "foo"' },
        { path: 'name', message: 'already taken' },
        { path: 'entityRef', message: 'not your entity' },
        { path: 'clientRequestId', message: 'must be a UUID' },
      ]),
    ).toEqual({
      parameters: {
        __errors: ['unknown field "foo"'],
        storageGB: { __errors: ['at most 100'] },
        network: { cidr: { __errors: ['not a CIDR', 'overlaps'] } },
        disks: { 1: { sizeGB: { __errors: ['too small'] } } },
      },
      name: 'already taken',
      entityRef: 'not your entity',
      others: [{ path: 'clientRequestId', message: 'must be a UUID' }],
    });
  });
});
