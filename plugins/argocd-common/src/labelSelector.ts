import { InputError } from '@backstage/errors';

/** One requirement of a Kubernetes label selector. */
export type LabelRequirement =
  | { key: string; operator: 'In' | 'NotIn'; values: string[] }
  | { key: string; operator: 'Exists' | 'DoesNotExist' };

// Kubernetes' rules: an optional DNS-subdomain prefix and a name of at most 63 characters.
const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const PREFIX =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

function checkKey(key: string, selector: string) {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (
    !NAME.test(name) ||
    (prefix !== undefined && (prefix.length > 253 || !PREFIX.test(prefix)))
  ) {
    throw new InputError(
      `Invalid label selector "${selector}": "${key}" is not a valid label key`,
    );
  }
}

function checkValue(value: string, selector: string) {
  if (!VALUE.test(value)) {
    throw new InputError(
      `Invalid label selector "${selector}": "${value}" is not a valid label value`,
    );
  }
}

// Splits on commas that are outside parentheses: "a in (x,y),b" -> ["a in (x,y)", "b"].
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (depth < 0) {
      throw new InputError(
        `Invalid label selector "${selector}": unbalanced parentheses`,
      );
    }
    if (c === ',' && depth === 0) {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) {
    throw new InputError(
      `Invalid label selector "${selector}": unbalanced parentheses`,
    );
  }
  terms.push(selector.slice(start));
  return terms.map(t => t.trim());
}

/**
 * Parses a label selector in the syntax kubectl accepts (`a=b`, `a==b`, `a!=b`, `a in (x,y)`,
 * `a notin (x)`, `a`, `!a`), throwing an InputError that names the offending part.
 */
export function parseLabelSelector(selector: string): LabelRequirement[] {
  if (!selector.trim()) {
    throw new InputError('Invalid label selector: it is empty');
  }
  return splitTerms(selector).map(term => {
    if (!term) {
      throw new InputError(
        `Invalid label selector "${selector}": empty requirement between commas`,
      );
    }
    const set = term.match(/^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/);
    if (set) {
      const [, key, op, list] = set;
      checkKey(key, selector);
      const values = list.split(',').map(v => v.trim());
      if (values.length === 0 || values.some(v => v === '')) {
        throw new InputError(
          `Invalid label selector "${selector}": "${term}" needs a non-empty value list`,
        );
      }
      values.forEach(v => checkValue(v, selector));
      return { key, operator: op === 'in' ? 'In' : 'NotIn', values };
    }
    const eq = term.match(/^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/);
    if (eq) {
      const [, key, op, value] = eq;
      checkKey(key, selector);
      checkValue(value, selector);
      return { key, operator: op === '!=' ? 'NotIn' : 'In', values: [value] };
    }
    const not = term.match(/^!\s*(\S+)$/);
    if (not) {
      checkKey(not[1], selector);
      return { key: not[1], operator: 'DoesNotExist' };
    }
    if (/^\S+$/.test(term)) {
      checkKey(term, selector);
      return { key: term, operator: 'Exists' };
    }
    throw new InputError(
      `Invalid label selector "${selector}": cannot parse "${term}"; use key=value, key!=value, key in (a,b), key notin (a,b), key or !key`,
    );
  });
}

/** True when the labels satisfy every requirement, with Kubernetes' semantics. */
export function matchesLabelSelector(
  requirements: LabelRequirement[],
  labels: Record<string, string> | undefined,
): boolean {
  const all = labels ?? {};
  return requirements.every(r => {
    const has = Object.prototype.hasOwnProperty.call(all, r.key);
    switch (r.operator) {
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      case 'In':
        return has && r.values.includes(all[r.key]);
      case 'NotIn':
        return !has || !r.values.includes(all[r.key]);
      default:
        return false;
    }
  });
}
