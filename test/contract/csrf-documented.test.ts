import { describe, expect, it } from 'vitest';
import { type ContractOperation, contractOperations } from '../support/spec-model.js';

const UNSAFE = ['POST', 'PUT', 'PATCH', 'DELETE'];
/** Mirrors the exemptions in src/http/csrf.ts. */
const EXEMPT = new Set(['login', 'logout']);

/** Every unsafe operation that a session cookie can authenticate, across the whole contract. */
function sessionWrites(): ContractOperation[] {
  return contractOperations.filter(
    (op) => UNSAFE.includes(op.method) && op.security.some((requirement) => 'sessionCookie' in requirement),
  );
}

function documentsCsrfHeader(operation: ContractOperation): boolean {
  return operation.parameters.some((p) => p.in === 'header' && p.name.toLowerCase() === 'x-csrf-token');
}

describe('CSRF in the contract', () => {
  const operations = sessionWrites().filter((operation) => !EXEMPT.has(operation.operationId));

  it('finds the session-authenticated writes to check', () => {
    expect(operations.length).toBeGreaterThan(0);
  });

  it.each(operations.map((operation) => [operation.operationId, operation] as const))(
    '%s documents the X-CSRF-Token header and its 403',
    (_id, operation) => {
      expect(documentsCsrfHeader(operation)).toBe(true);
      // Without a documented 403, response validation turns the CSRF refusal into a 500.
      expect(operation.responses['403']).toBeDefined();
    },
  );
});
