import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { specFile } from '../../src/paths.js';
import { basic, bearer } from '../support/test-app.js';

export type Requirement = Record<string, string[]>;

export interface SpecOperation {
  operationId: string;
  method: string;
  /** The path with every template parameter filled with an id that exists nowhere. */
  path: string;
  security: Requirement[];
  documented: Set<string>;
  jsonBody: boolean;
  /** False for the operations the contract exempts from the per-client limit. */
  rateLimited: boolean;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** Every operation of openapi.yaml, for suites that must hold for all of them. */
export function specOperations(): SpecOperation[] {
  const spec = parse(readFileSync(specFile, 'utf8')) as {
    security?: Requirement[];
    paths: Record<
      string,
      Record<
        string,
        {
          operationId: string;
          security?: Requirement[];
          responses: Record<string, unknown>;
          requestBody?: { content?: Record<string, unknown> };
          'x-rate-limited'?: boolean;
        }
      >
    >;
  };
  return Object.entries(spec.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method] !== undefined).map((method) => {
      const operation = item[method]!;
      return {
        operationId: operation.operationId,
        method: method.toUpperCase(),
        path: path.replace(/\{[^}]+\}/g, 'zzz_does_not_exist'),
        security: operation.security ?? spec.security ?? [],
        documented: new Set(Object.keys(operation.responses)),
        jsonBody: operation.requestBody?.content?.['application/json'] !== undefined,
        rateLimited: operation['x-rate-limited'] !== false,
      };
    }),
  );
}

/** Operations that refuse anonymous callers: some security requirement, and no empty alternative. */
export function securedOperations(): SpecOperation[] {
  return specOperations().filter(
    (op) => op.security.length > 0 && op.security.every((requirement) => Object.keys(requirement).length > 0),
  );
}

/**
 * Demo credentials that pass the operation's first security requirement, roles and permissions
 * included: the admin by Basic or by `adminSession` (its cookie and CSRF token), the read/write key.
 */
export function passingCredentials(op: SpecOperation, adminSession: Record<string, string>): Record<string, string> {
  switch (Object.keys(op.security[0] ?? {})[0]) {
    case 'basicAuth':
      return basic('admin', 'supersecret');
    case 'sessionCookie':
      return adminSession;
    case 'apiKey':
      return { 'x-api-key': 'sk_test_123' };
    case 'bearerAuth':
      return bearer('sk_test_123');
    default:
      return {};
  }
}
