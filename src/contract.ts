import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { parse } from 'yaml';

/** openapi.yaml, as text for /openapi.yaml and as a document for the validator and /openapi.json. */
export interface Contract {
  yaml: string;
  document: Record<string, unknown>;
}

export function loadContract(file: string): Contract {
  const yaml = readFileSync(file, 'utf8');
  return { yaml, document: parse(yaml) as Record<string, unknown> };
}

/**
 * The document the validator checks requests against: the contract, with the session cookie's
 * name as this app sets it (`__Host-gatehouse_session` in production), so that the validator
 * looks for the cookie the browser actually sends. A copy: the validator changes what it is given.
 */
export function validatorDocument(contract: Contract, options: { sessionCookieName: string }): Record<string, unknown> {
  const document = structuredClone(contract.document) as {
    components?: { securitySchemes?: Record<string, { name?: string }> };
  };
  const scheme = document.components?.securitySchemes?.sessionCookie;
  if (scheme !== undefined) scheme.name = options.sessionCookieName;
  return document as Record<string, unknown>;
}

/** The parts of a contract operation that middleware reads. */
export interface MatchedOperation {
  /** The path template, e.g. `/users/{id}`. */
  openApiRoute?: string;
  /** The path's parameters, decoded, as the validator checked them. */
  pathParams?: Record<string, string>;
  schema?: {
    operationId?: string;
    security?: Array<Record<string, string[]>>;
    requestBody?: { required?: boolean };
    'x-rate-limited'?: boolean;
    /** Only a pending sign-in's cookie is accepted (the second step of signing in). */
    'x-pending-sign-in'?: boolean;
  };
}

/** The operation express-openapi-validator matched the request to, once it has run. */
export function matchedOperation(req: IncomingMessage): MatchedOperation | undefined {
  return (req as IncomingMessage & { openapi?: MatchedOperation }).openapi;
}
