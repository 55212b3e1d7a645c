/*
 * Checks responses against GitHub's own OpenAPI description: finds the
 * documented operation for a method and URL and validates the body against
 * the schema documented for that status.
 */
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';

type Schema = Record<string, any>;

interface Operation {
  template: string;
  pattern: RegExp;
  /** Literal characters in the template; the most specific match wins. */
  specificity: number;
  responses: Record<string, { schema?: Schema }>;
}

export class SchemaMismatch extends Error {}

/**
 * Template parameters that GitHub lets span several path segments; `path`
 * may also be empty (`contents/` lists the root directory).
 */
const MULTI_SEGMENT: Record<string, string> = {
  path: '(.*)',
  ref: '(.+)',
  branch: '(.+)',
};

/**
 * The stand-in links pages of an organization's repositories the way GitHub
 * does, by organization id; that URL is not in the description.
 */
const ALIASES: Array<[RegExp, string]> = [
  [/^\/organizations\/\d+\/repos$/, '/orgs/{org}/repos'],
];

/**
 * OpenAPI 3.0 allows `nullable` without `type` (GitHub uses it around
 * `allOf`/`anyOf`); ajv does not, so such schemas become "this or null".
 * The dereferenced description shares objects, hence the visited set.
 */
function normalizeNullable(
  schema: unknown,
  seen = new WeakSet<object>(),
): void {
  if (!schema || typeof schema !== 'object' || seen.has(schema)) return;
  seen.add(schema);
  for (const value of Object.values(schema)) normalizeNullable(value, seen);
  const node = schema as Schema;
  // A nullable enum (e.g. a Dependabot alert's `dismissed_reason`) is null in GitHub's own
  // examples, but ajv checks `enum` without regard to `nullable`.
  if (
    node.nullable === true &&
    Array.isArray(node.enum) &&
    !node.enum.includes(null)
  ) {
    node.enum = [...node.enum, null];
  }
  if (node.nullable === true && node.type === undefined) {
    const { nullable, ...rest } = node;
    for (const k of Object.keys(node)) delete node[k];
    node.anyOf = [rest, { type: 'null' }];
  }
}

function responseSchema(response: any): Schema | undefined {
  const content = response?.content;
  if (!content) return undefined;
  return (content['application/json'] ?? Object.values(content)[0])?.schema;
}

export class OpenApiChecker {
  private readonly operations = new Map<string, Operation[]>();
  private readonly byTemplate = new Map<string, Operation>();
  private readonly basicError: Schema;
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly compiled = new Map<string, ValidateFunction>();

  /**
   * Reads the (large) dereferenced description once and keeps only what
   * checking needs, so the rest can be garbage collected.
   */
  constructor(
    file = require.resolve(
      '@octokit/openapi/generated/api.github.com.deref.json',
    ),
  ) {
    addFormats(this.ajv);
    const spec = JSON.parse(readFileSync(file, 'utf8'));
    for (const [template, item] of Object.entries<any>(spec.paths)) {
      const source = template
        .split(/(\{[^}]+\})/)
        .map(part => {
          const name = /^\{(.+)\}$/.exec(part)?.[1];
          if (!name) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
          return MULTI_SEGMENT[name] ?? '([^/]+)';
        })
        .join('');
      for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
        if (!item[method]) continue;
        const responses = Object.fromEntries(
          Object.entries<any>(item[method].responses).map(([status, r]) => [
            status,
            { schema: responseSchema(r) },
          ]),
        );
        const operation: Operation = {
          template,
          pattern: new RegExp(`^${source}/?$`),
          specificity: template.replace(/\{[^}]+\}/g, '').length,
          responses,
        };
        const key = method.toUpperCase();
        this.operations.set(key, [
          ...(this.operations.get(key) ?? []),
          operation,
        ]);
        this.byTemplate.set(`${key} ${template}`, operation);
      }
    }
    // The dereferenced file has no components; take "Basic Error" from where it is used.
    this.basicError = responseSchema(
      spec.paths['/orgs/{org}'].get.responses['404'],
    )!;
  }

  private find(method: string, path: string): Operation | undefined {
    const alias = ALIASES.find(([pattern]) => pattern.test(path));
    if (alias) return this.byTemplate.get(`${method} ${alias[1]}`);
    return (this.operations.get(method) ?? [])
      .filter(op => op.pattern.test(path))
      .sort((a, b) => b.specificity - a.specificity)[0];
  }

  private validator(key: string, schema: Schema): ValidateFunction {
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.compiled.set(key, validate);
    }
    return validate;
  }

  /**
   * Throws a SchemaMismatch naming the operation and listing ajv's errors
   * when a response does not match what GitHub documents.
   * `path` is the request path below the API base, without the query.
   */
  check(method: string, path: string, status: number, body: unknown): void {
    const operation = this.find(method, path);
    if (!operation) {
      throw new SchemaMismatch(
        `${method} ${path} is not an operation in GitHub's OpenAPI description`,
      );
    }
    if (status === 304 || status === 204) return;
    const documented = operation.responses[String(status)];
    let schema = documented?.schema;
    // Many operations leave 401 and 403 out of their list; GitHub answers them with a basic error.
    if (!documented && status >= 400) schema = this.basicError;
    if (!documented && !schema) {
      throw new SchemaMismatch(
        `${method} ${operation.template} does not document status ${status}`,
      );
    }
    if (!schema) return;
    normalizeNullable(schema);
    const validate = this.validator(
      `${method} ${operation.template} ${status}`,
      schema,
    );
    if (!validate(body)) {
      const errors = (validate.errors ?? [])
        .slice(0, 20)
        .map(
          e =>
            `  ${e.instancePath || '/'} ${e.message} ${JSON.stringify(
              e.params,
            )}`,
        )
        .join('\n');
      throw new SchemaMismatch(
        `${method} ${path} (${operation.template}) ${status} does not match GitHub's schema:\n${errors}`,
      );
    }
  }
}
