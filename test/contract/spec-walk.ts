import { type ContractOperation, contractOperations, type Requirement } from '../support/spec-model.js';
import { basic, bearer } from '../support/test-app.js';

export type { Requirement };

export interface SpecOperation extends ContractOperation {
  /** The path with every template parameter filled with an id that exists nowhere. */
  path: string;
  jsonBody: boolean;
}

/** Every operation of openapi.yaml, for suites that must hold for all of them. */
export function specOperations(): SpecOperation[] {
  return contractOperations.map((op) => ({
    ...op,
    path: op.template.replace(/\{[^}]+\}/g, 'zzz_does_not_exist'),
    jsonBody: op.requestBody !== undefined,
  }));
}

/** Operations that refuse anonymous callers: some security requirement, and no empty alternative. */
export function securedOperations(): SpecOperation[] {
  return specOperations().filter(
    (op) => op.security.length > 0 && op.security.every((requirement) => Object.keys(requirement).length > 0),
  );
}

/**
 * Demo credentials that pass the operation's first security requirement, roles and permissions
 * included: the admin by Basic or by `adminSession` (its cookie and CSRF token), the read/write key;
 * for the second step of a sign-in, `pendingSession` (a pending sign-in's cookie and CSRF token).
 */
export function passingCredentials(
  op: SpecOperation,
  adminSession: Record<string, string>,
  pendingSession: Record<string, string> = adminSession,
): Record<string, string> {
  if (op.pendingSignIn) return pendingSession;
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
