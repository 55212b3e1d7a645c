/*
 * The JSONPath of CRD printer columns, evaluated as the apiserver does with
 * client-go's jsonpath package and missing keys allowed: field steps,
 * indexes, `[*]` and filters such as `[?(@.type=='Ready')]`.
 */

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'all' }
  | { kind: 'filter'; path: string[]; op?: '==' | '!='; value?: unknown };

const FIELD = /^\.([A-Za-z0-9_-]+)/;
const QUOTED = /^\[\s*(['"])(.*?)\1\s*\]/;
const INDEX = /^\[\s*(-?\d+)\s*\]/;
const ALL = /^(\[\s*\*\s*\]|\.\*)/;
const FILTER =
  /^\[\s*\?\(\s*@((?:\.[A-Za-z0-9_-]+)+)\s*(?:(==|!=)\s*('[^']*'|"[^"]*"|-?[\d.]+|true|false))?\s*\)\s*\]/;

function literal(text: string): unknown {
  if (/^['"]/.test(text)) return text.slice(1, -1);
  if (text === 'true' || text === 'false') return text === 'true';
  return Number(text);
}

/** Parses a path such as `.status.conditions[?(@.type=="Ready")].status`; throws on anything else. */
export function parseJsonPath(path: string): Step[] {
  let rest = path
    .trim()
    .replace(/^\{(.*)\}$/, '$1')
    .replace(/^\$/, '');
  const steps: Step[] = [];
  // Each token: its pattern and the step a match makes; the first that matches wins.
  const tokens: Array<[RegExp, (match: RegExpExecArray) => Step]> = [
    [ALL, () => ({ kind: 'all' })],
    [FIELD, match => ({ kind: 'field', name: match[1] })],
    [QUOTED, match => ({ kind: 'field', name: match[2] })],
    [INDEX, match => ({ kind: 'index', index: Number(match[1]) })],
    [
      FILTER,
      match => ({
        kind: 'filter',
        path: match[1].slice(1).split('.'),
        op: match[2] as '==' | '!=' | undefined,
        value: match[3] === undefined ? undefined : literal(match[3]),
      }),
    ],
  ];
  const next = (text: string) =>
    tokens
      .map(([pattern, step]) => ({ match: pattern.exec(text), step }))
      .find(candidate => candidate.match !== null);
  while (rest.length > 0) {
    const token = next(rest);
    if (!token?.match) {
      throw new Error(`unrecognized JSONPath ${JSON.stringify(path)}`);
    }
    steps.push(token.step(token.match));
    rest = rest.slice(token.match[0].length);
  }
  return steps;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function follow(value: unknown, path: string[]): unknown {
  return path.reduce<unknown>(
    (current, name) => (isRecord(current) ? current[name] : undefined),
    value,
  );
}

/** Every value the path reaches in `object`, in document order; none when a key is missing. */
export function findJsonPath(object: unknown, steps: Step[]): unknown[] {
  let current: unknown[] = [object];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of current) {
      if (step.kind === 'field') {
        if (isRecord(value) && value[step.name] !== undefined) {
          next.push(value[step.name]);
        }
      } else if (step.kind === 'index') {
        if (Array.isArray(value)) {
          const index = step.index < 0 ? value.length + step.index : step.index;
          if (index >= 0 && index < value.length) next.push(value[index]);
        }
      } else if (step.kind === 'all') {
        if (Array.isArray(value)) next.push(...value);
        else if (isRecord(value)) next.push(...Object.values(value));
      } else if (Array.isArray(value)) {
        next.push(
          ...value.filter(item => {
            const found = follow(item, step.path);
            if (step.op === undefined) return found !== undefined;
            const equal = found === step.value;
            return step.op === '==' ? equal : !equal;
          }),
        );
      }
    }
    current = next;
  }
  return current;
}

/** How Go's fmt.Fprint shows a decoded JSON value, which is how jsonpath prints non-strings. */
export function goText(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goText).join(' ')}]`;
  if (isRecord(value)) {
    const entries = Object.keys(value)
      .sort()
      .map(key => `${key}:${goText(value[key])}`);
    return `map[${entries.join(' ')}]`;
  }
  return String(value);
}
