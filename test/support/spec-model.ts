import { loadContract } from '../../src/contract.js';
import { specFile } from '../../src/paths.js';

/**
 * openapi.yaml read once, as the walk, coverage and fuzz suites all need it: every operation
 * with its method, path template, resolved parameters, security, documented statuses and body.
 */

/** A JSON Schema as the contract writes it (`$ref`s left for `resolveRef`). */
export type JsonSchema = Record<string, unknown>;
export type Requirement = Record<string, string[]>;

export interface SpecParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: JsonSchema;
}

export interface SpecMedia {
  schema?: JsonSchema;
  example?: unknown;
  examples?: unknown;
}

export interface SpecResponse {
  content?: Record<string, SpecMedia>;
}

export interface ContractOperation {
  operationId: string;
  /** Upper case, as on the wire. */
  method: string;
  /** The path template, e.g. `/users/{id}`. */
  template: string;
  tags: string[];
  /** The path item's and the operation's own, `$ref`s resolved. */
  parameters: SpecParameter[];
  /** The operation's own, else the document's. */
  security: Requirement[];
  /** The statuses its responses document, as written (`200`, `401`). */
  documented: Set<string>;
  /** Each documented response, `$ref`s resolved. */
  responses: Record<string, SpecResponse>;
  /** The request body's media types (JSON, form), if it takes one. */
  requestContent: Record<string, SpecMedia> | undefined;
  /** The JSON request body's schema, if it takes one. */
  requestBody: JsonSchema | undefined;
  /** False for the operations the contract exempts from the per-client limit. */
  rateLimited: boolean;
  /** The second step of a sign-in: only a pending sign-in's cookie is accepted (`x-pending-sign-in`). */
  pendingSignIn: boolean;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;

interface RawOperation {
  operationId: string;
  tags?: string[];
  parameters?: unknown[];
  security?: Requirement[];
  requestBody?: { $ref?: string; content?: Record<string, SpecMedia> };
  responses: Record<string, unknown>;
  'x-rate-limited'?: boolean;
  'x-pending-sign-in'?: boolean;
}

export const contractDocument = loadContract(specFile).document as {
  security?: Requirement[];
  paths: Record<string, Record<string, unknown>>;
  components: Record<string, Record<string, unknown>>;
};

/** Resolves a local `$ref` such as `#/components/schemas/Error`. */
export function resolveRef<T = JsonSchema>(ref: string): T {
  const [, , section, name] = ref.split('/');
  const found = contractDocument.components[section ?? '']?.[name ?? ''];
  if (found === undefined) throw new Error(`unresolved ${ref}`);
  return found as T;
}

/** The object itself, or what its `$ref` points at. */
export function deref<T>(value: unknown): T {
  const ref = (value as { $ref?: string } | undefined)?.$ref;
  return (ref === undefined ? value : resolveRef(ref)) as T;
}

function operationOf(template: string, method: string, item: Record<string, unknown>): ContractOperation {
  const raw = item[method] as RawOperation;
  const shared = ((item.parameters as unknown[] | undefined) ?? []).map((p) => deref<SpecParameter>(p));
  const requestContent =
    raw.requestBody === undefined ? undefined : deref<RawOperation['requestBody']>(raw.requestBody);
  return {
    operationId: raw.operationId,
    method: method.toUpperCase(),
    template,
    tags: raw.tags ?? [],
    parameters: [...shared, ...(raw.parameters ?? []).map((p) => deref<SpecParameter>(p))],
    security: raw.security ?? contractDocument.security ?? [],
    documented: new Set(Object.keys(raw.responses)),
    responses: Object.fromEntries(
      Object.entries(raw.responses).map(([status, response]) => [status, deref<SpecResponse>(response)]),
    ),
    requestContent: requestContent?.content,
    requestBody: requestContent?.content?.['application/json']?.schema,
    rateLimited: raw['x-rate-limited'] !== false,
    pendingSignIn: raw['x-pending-sign-in'] === true,
  };
}

/** Every operation of openapi.yaml, in the contract's order. */
export const contractOperations: readonly ContractOperation[] = Object.entries(contractDocument.paths).flatMap(
  ([template, item]) =>
    METHODS.filter((method) => item[method] !== undefined).map((method) => operationOf(template, method, item)),
);

export function contractOperation(operationId: string): ContractOperation {
  const found = contractOperations.find((op) => op.operationId === operationId);
  if (found === undefined) throw new Error(`no operation ${operationId} in openapi.yaml`);
  return found;
}

const routes = contractOperations.map((op) => ({
  op,
  pattern: new RegExp(`^${op.template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`),
}));

/**
 * The operation a request was meant for, from its method and path alone, so answers given before
 * the validator ran (unparseable or oversized bodies, refused query strings) count too.
 */
export function operationFor(method: string, url: string): ContractOperation | undefined {
  const path = url.split('?')[0] ?? '';
  return routes.find((route) => route.op.method === method && route.pattern.test(path))?.op;
}
