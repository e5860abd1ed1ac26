import fc, { type Arbitrary } from 'fast-check';

/** The parts of JSON Schema (as OpenAPI 3.1 uses it) that openapi.yaml's request shapes use. */
export interface Schema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  minProperties?: number;
  oneOf?: Schema[];
  anyOf?: Schema[];
}

export type RefResolver = (ref: string) => Schema;

/** Strings a hostile client sends: control characters, other scripts, encodings, injections. */
const HOSTILE_STRING = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    "' or 1=1 --",
    '<script>alert(1)</script>',
    '../../etc/passwd',
    '%00',
    'Ω≈ç√∫',
    '𝕏'.repeat(40),
    'a'.repeat(5000),
    '__proto__',
    'constructor',
  ),
);

/** Any JSON value, for bodies and fields that break the declared shape. */
export const anyJson: Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  HOSTILE_STRING,
  fc.constantFrom(null, true, 0, -1, 1e308, [], {}),
);

function typesOf(schema: Schema): string[] {
  if (schema.type === undefined) return [];
  return Array.isArray(schema.type) ? schema.type : [schema.type];
}

function stringFor(schema: Schema): Arbitrary<string> {
  if (schema.format === 'date-time') {
    return fc
      .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
      .map((date) => date.toISOString());
  }
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? 64, 300);
  if (schema.pattern !== undefined && schema.pattern !== '\\S') {
    return fc
      .stringMatching(new RegExp(schema.pattern))
      .filter((value) => value.length >= minLength && value.length <= maxLength);
  }
  return fc
    .string({ unit: 'grapheme', minLength: Math.max(minLength, 1), maxLength })
    .filter((value) => value.length <= maxLength && (schema.pattern !== '\\S' || /\S/.test(value)));
}

function objectFor(schema: Schema, resolve: RefResolver): Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const model: Record<string, Arbitrary<unknown>> = {};
  for (const [name, property] of Object.entries(properties)) model[name] = validValue(property, resolve);
  const declared = fc.record(model, {
    requiredKeys: Object.keys(properties).filter((name) => required.has(name)),
  });
  const open =
    schema.additionalProperties !== false && Object.keys(properties).length === 0
      ? fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 })
      : fc.constant({});
  return fc
    .tuple(declared, open)
    .map(([known, extra]) => ({ ...extra, ...known }) as Record<string, unknown>)
    .filter((value) => Object.keys(value).length >= (schema.minProperties ?? 0));
}

/** Values that satisfy `schema` (as far as this generator understands it). */
export function validValue(schema: Schema, resolve: RefResolver): Arbitrary<unknown> {
  if (schema.$ref !== undefined) return validValue(resolve(schema.$ref), resolve);
  if (schema.enum !== undefined) return fc.constantFrom(...schema.enum);
  const choices = schema.oneOf ?? schema.anyOf;
  if (choices !== undefined) return fc.oneof(...choices.map((choice) => validValue(choice, resolve)));
  const types = typesOf(schema);
  if (types.length === 0) return fc.jsonValue({ maxDepth: 2 });
  return fc.oneof(
    ...types.map((type): Arbitrary<unknown> => {
      switch (type) {
        case 'null':
          return fc.constant(null);
        case 'boolean':
          return fc.boolean();
        case 'integer':
          return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
        case 'number':
          return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
        case 'string':
          return stringFor(schema);
        case 'array': {
          const items = validValue(schema.items ?? {}, resolve);
          const constraints = { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 5, 5) };
          return schema.uniqueItems
            ? fc.uniqueArray(items, { ...constraints, selector: (item) => JSON.stringify(item) })
            : fc.array(items, constraints);
        }
        default:
          return objectFor(schema, resolve);
      }
    }),
  );
}

/** Mostly-valid values with a share of hostile ones, so both the handlers and the refusals run. */
export function fuzzValue(schema: Schema, resolve: RefResolver): Arbitrary<unknown> {
  return fc.oneof({ arbitrary: validValue(schema, resolve), weight: 3 }, { arbitrary: anyJson, weight: 1 });
}

/** A path or query value: a valid one, or hostile text. */
export function fuzzText(schema: Schema, resolve: RefResolver): Arbitrary<string> {
  return fc.oneof(
    { arbitrary: validValue(schema, resolve).map((value) => String(value)), weight: 3 },
    { arbitrary: HOSTILE_STRING, weight: 1 },
  );
}
