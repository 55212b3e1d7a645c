/*
 * Label and field selectors as the apiserver parses them from list and
 * watch query strings.
 */
import { badRequest } from './status';
import { KubeObject } from './store';

export type Selector = (object: KubeObject) => boolean;

/** Splits on commas that are not inside `in (...)` / `notin (...)` value sets. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts.map(part => part.trim()).filter(part => part !== '');
}

const SET_REQUIREMENT = /^([^\s!=<>(),]+)\s+(in|notin)\s+\(([^()]*)\)$/;
const EQUALITY_REQUIREMENT =
  /^([^\s!=<>(),]+)\s*(==|!=|=|>|<)\s*([^\s!=<>(),]*)$/;
const EXISTS_REQUIREMENT = /^(!?)\s*([^\s!=<>(),]+)$/;

function parseLabelRequirement(
  text: string,
): (labels: Record<string, string>) => boolean {
  const set = SET_REQUIREMENT.exec(text);
  if (set) {
    const [, key, operator, rawValues] = set;
    const values = rawValues
      .split(',')
      .map(value => value.trim())
      .filter(value => value !== '');
    return operator === 'in'
      ? labels => key in labels && values.includes(labels[key])
      : labels => !(key in labels) || !values.includes(labels[key]);
  }
  const equality = EQUALITY_REQUIREMENT.exec(text);
  if (equality) {
    const [, key, operator, value] = equality;
    switch (operator) {
      case '!=':
        return labels => labels[key] !== value;
      case '>':
      case '<': {
        const bound = Number(value);
        if (!Number.isInteger(bound)) {
          throw badRequest(
            `unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`,
          );
        }
        return labels =>
          key in labels &&
          Number.isInteger(Number(labels[key])) &&
          (operator === '>'
            ? Number(labels[key]) > bound
            : Number(labels[key]) < bound);
      }
      default:
        return labels => labels[key] === value;
    }
  }
  const exists = EXISTS_REQUIREMENT.exec(text);
  if (exists) {
    const [, negated, key] = exists;
    return negated ? labels => !(key in labels) : labels => key in labels;
  }
  throw badRequest(
    `unable to parse requirement: found '${text}', expected: ',', '=', '!=', 'in', 'notin', 'exists'`,
  );
}

export function parseLabelSelector(text: string | null): Selector {
  const requirements = splitTopLevel(text ?? '').map(parseLabelRequirement);
  return object => {
    const labels = object.metadata.labels ?? {};
    return requirements.every(requirement => requirement(labels));
  };
}

function fieldValue(object: KubeObject, path: string): string {
  let current: unknown = object;
  for (const part of path.split('.')) {
    current =
      current && typeof current === 'object'
        ? (current as Record<string, unknown>)[part]
        : undefined;
  }
  return current === undefined || current === null ? '' : String(current);
}

const FIELD_REQUIREMENT = /^([^!=]+?)\s*(==|!=|=)\s*(.*)$/;

/**
 * Parses a field selector; `supported` lists the fields this resource type
 * allows, like the apiserver's per-type field label conversion.
 */
export function parseFieldSelector(
  text: string | null,
  supported: string[],
): Selector {
  const requirements = splitTopLevel(text ?? '').map(part => {
    const match = FIELD_REQUIREMENT.exec(part);
    if (!match) {
      throw badRequest(
        `invalid selector: '${text}'; can't understand '${part}'`,
      );
    }
    const [, field, operator, value] = match;
    if (!supported.includes(field)) {
      throw badRequest(`field label not supported: ${field}`);
    }
    return (object: KubeObject) =>
      operator === '!='
        ? fieldValue(object, field) !== value
        : fieldValue(object, field) === value;
  });
  return object => requirements.every(requirement => requirement(object));
}
