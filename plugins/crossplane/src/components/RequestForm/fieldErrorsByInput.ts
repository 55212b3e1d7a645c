import { ErrorSchema } from '@rjsf/utils';
import { FieldError } from '@paved/plugin-crossplane-common';

/** The server's field errors, sorted to the inputs of the request form that show them. */
export interface FieldErrorsByInput {
  /** For rjsf's `extraErrors`: `parameters.a.b` lands at `{ a: { b: { __errors } } }`. */
  parameters: ErrorSchema;
  name?: string;
  entityRef?: string;
  environment?: string;
  /** Paths no input shows; listed with the server's message instead. */
  others: FieldError[];
}

/** Path segments of `parameters.disks[0].sizeGB` or `parameters.disks.0.sizeGB`. */
function segmentsOf(path: string): string[] {
  return path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter(segment => segment !== '');
}

function addParameterError(
  errors: ErrorSchema,
  segments: string[],
  message: string,
) {
  let node = errors as Record<string, any>;
  for (const segment of segments) {
    node[segment] ??= {};
    node = node[segment];
  }
  node.__errors = [...(node.__errors ?? []), message];
}

/** Sorts each field error to its input by its JSON path from the request body. */
export function fieldErrorsByInput(fields: FieldError[]): FieldErrorsByInput {
  const sorted: FieldErrorsByInput = { parameters: {}, others: [] };
  for (const field of fields) {
    const [first, ...rest] = segmentsOf(field.path);
    if (first === 'parameters') {
      addParameterError(sorted.parameters, rest, field.message);
    } else if (
      rest.length === 0 &&
      (first === 'name' || first === 'entityRef' || first === 'environment')
    ) {
      sorted[first] = sorted[first]
        ? `${sorted[first]}; ${field.message}`
        : field.message;
    } else {
      sorted.others.push(field);
    }
  }
  return sorted;
}
