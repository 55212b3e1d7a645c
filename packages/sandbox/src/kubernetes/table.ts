/*
 * Table responses (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`),
 * which `kubectl get` prints: built-in types with the apiserver's printers,
 * custom resources with their CRD version's additionalPrinterColumns.
 */
import {
  BUILT_IN_PRINTERS,
  Cell,
  DEFAULT_PRINTER,
  TableColumn,
  TablePrinter,
  since,
} from './builtInPrinters';
import { findJsonPath, goText, parseJsonPath } from './jsonPath';
import { ResourceType, typeKey } from './resources';
import { KubeObject } from './store';

/** What the row's `object` carries: `includeObject=None|Metadata|Object`, Metadata by default. */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

interface PrinterColumn {
  name: string;
  type: TableColumn['type'];
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

/** Like apiextensions-apiserver's cellForJSONValue: a value of the wrong type is no value. */
function typedCell(
  type: TableColumn['type'],
  value: unknown,
  now: number,
): Cell {
  switch (type) {
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date':
      if (typeof value !== 'string') return null;
      return Number.isNaN(Date.parse(value)) ? '<invalid>' : since(value, now);
    default:
      return typeof value === 'string' ? value : null;
  }
}

/** The printer for a CRD version: Name, then its columns, or Age when it declares none. */
export function customResourcePrinter(
  crd: KubeObject | undefined,
  version: string,
): TablePrinter {
  const served = ((crd?.spec as any)?.versions ?? []).find(
    (v: any) => v.name === version,
  );
  const declared: PrinterColumn[] = served?.additionalPrinterColumns?.length
    ? served.additionalPrinterColumns
    : [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }];
  let paths: ReturnType<typeof parseJsonPath>[];
  try {
    paths = declared.map(column => parseJsonPath(column.jsonPath));
  } catch {
    // The apiserver falls back to its default convertor for a CRD whose columns do not parse.
    return DEFAULT_PRINTER;
  }
  return {
    columns: [
      {
        name: 'Name',
        type: 'string',
        format: 'name',
        description: 'Name must be unique within a namespace.',
        priority: 0,
      },
      ...declared.map(column => ({
        name: column.name,
        type: column.type,
        format: column.format ?? '',
        description:
          column.description ??
          `Custom resource definition column (in JSONPath format): ${column.jsonPath}`,
        priority: column.priority ?? 0,
      })),
    ],
    cells: (object, now) => [
      object.metadata.name,
      ...declared.map((column, index) => {
        const [value] = findJsonPath(object, paths[index]);
        if (value === undefined || value === null) return null;
        return column.type === 'string'
          ? goText(value)
          : typedCell(column.type, value, now);
      }),
    ],
  };
}

export function builtInPrinter(type: ResourceType): TablePrinter {
  return BUILT_IN_PRINTERS[typeKey(type.group, type.plural)] ?? DEFAULT_PRINTER;
}

function rowObject(
  object: KubeObject,
  include: IncludeObject,
  tableApiVersion: string,
) {
  if (include === 'None') return {};
  if (include === 'Object') return { object };
  return {
    object: {
      kind: 'PartialObjectMetadata',
      apiVersion: tableApiVersion,
      metadata: object.metadata,
    },
  };
}

export interface TableOptions {
  /** `meta.k8s.io/v1` or `meta.k8s.io/v1beta1`, as the client asked. */
  apiVersion: string;
  includeObject: IncludeObject;
  /** Whether to send columnDefinitions; watches send them with the first event only. */
  headers: boolean;
  /** The list's metadata (resourceVersion, continue, remainingItemCount) or the object's resourceVersion. */
  metadata: Record<string, unknown>;
}

export function toTable(
  printer: TablePrinter,
  objects: KubeObject[],
  options: TableOptions,
) {
  const now = Date.now();
  return {
    kind: 'Table',
    apiVersion: options.apiVersion,
    metadata: options.metadata,
    columnDefinitions: options.headers ? printer.columns : [],
    rows: objects.map(object => ({
      cells: printer.cells(object, now),
      ...rowObject(object, options.includeObject, options.apiVersion),
    })),
  };
}

/** Reads `includeObject` as the apiserver does, defaulting to Metadata. */
export function includeObjectOf(query: URLSearchParams): IncludeObject {
  const value = query.get('includeObject');
  return value === 'None' || value === 'Object' ? value : 'Metadata';
}
