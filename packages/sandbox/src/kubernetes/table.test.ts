/*
 * Table cells as kubectl shows them: printer-column JSONPath, typed cells
 * and ages, checked against what the apiserver prints for the same input.
 */
import { humanDuration } from './builtInPrinters';
import { findJsonPath, goText, parseJsonPath } from './jsonPath';
import { customResourcePrinter } from './table';
import { KubeObject } from './store';

const claim = {
  apiVersion: 'platform.paved.dev/v1alpha1',
  kind: 'PostgreSQLInstance',
  metadata: {
    name: 'orders-db',
    uid: 'u',
    resourceVersion: '1',
    creationTimestamp: '2026-11-25T10:00:00Z',
  },
  spec: { parameters: { storageGB: 20, tags: ['a', 'b'] } },
  status: {
    conditions: [
      { type: 'Synced', status: 'True' },
      { type: 'Ready', status: 'False' },
    ],
  },
} as KubeObject;

describe('printer columns', () => {
  it('evaluates filters, indexes and wildcards like the apiserver', () => {
    const find = (path: string) => findJsonPath(claim, parseJsonPath(path));
    expect(find(".status.conditions[?(@.type=='Ready')].status")).toEqual([
      'False',
    ]);
    expect(find('.status.conditions[?(@.type!="Ready")].type')).toEqual([
      'Synced',
    ]);
    expect(find('.status.conditions[-1].type')).toEqual(['Ready']);
    expect(find('.status.conditions[*].status')).toEqual(['True', 'False']);
    expect(find('.spec.missing.deeper')).toEqual([]);
    expect(() => parseJsonPath('.status.conditions[?(bad)]')).toThrow(
      'unrecognized JSONPath',
    );
  });

  it('prints non-string values in string columns as Go does', () => {
    expect(goText(20)).toBe('20');
    expect(goText(['a', 'b'])).toBe('[a b]');
    expect(goText({ b: 1, a: true })).toBe('map[a:true b:1]');
  });

  it('types cells by column type and leaves missing or mistyped values null', () => {
    const crd = {
      spec: {
        versions: [
          {
            name: 'v1alpha1',
            additionalPrinterColumns: [
              {
                name: 'STORAGE',
                type: 'integer',
                jsonPath: '.spec.parameters.storageGB',
              },
              {
                name: 'TAGS',
                type: 'string',
                jsonPath: '.spec.parameters.tags',
              },
              {
                name: 'WRONG',
                type: 'boolean',
                jsonPath: '.spec.parameters.storageGB',
              },
              {
                name: 'AGE',
                type: 'date',
                jsonPath: '.metadata.creationTimestamp',
              },
            ],
          },
        ],
      },
    } as unknown as KubeObject;
    const printer = customResourcePrinter(crd, 'v1alpha1');
    expect(printer.columns.map(c => c.name)).toEqual([
      'Name',
      'STORAGE',
      'TAGS',
      'WRONG',
      'AGE',
    ]);
    const now = Date.parse('2026-11-25T13:30:00Z');
    expect(printer.cells(claim, now)).toEqual([
      'orders-db',
      20,
      '[a b]',
      null,
      '3h30m',
    ]);
    // A version without columns shows its age only.
    expect(
      customResourcePrinter(undefined, 'v1').columns.map(c => c.name),
    ).toEqual(['Name', 'Age']);
  });

  it('shows ages with the apiserver’s rounding', () => {
    const s = 1000;
    expect(humanDuration(59 * s)).toBe('59s');
    expect(humanDuration(119 * s)).toBe('119s');
    expect(humanDuration(200 * s)).toBe('3m20s');
    expect(humanDuration(600 * s)).toBe('10m');
    expect(humanDuration(5 * 3600 * s + 12 * 60 * s)).toBe('5h12m');
    expect(humanDuration(30 * 3600 * s)).toBe('30h');
    expect(humanDuration(76 * 3600 * s)).toBe('3d4h');
    expect(humanDuration(400 * 86400 * s)).toBe('400d');
    expect(humanDuration(740 * 86400 * s)).toBe('2y10d');
  });
});
