import { describe, expect, it } from 'vitest';
import { loadContract } from '../../src/contract.js';
import { specFile } from '../../src/paths.js';

interface Operation {
  operationId: string;
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ $ref?: string; name?: string; in?: string }>;
  responses: Record<string, unknown>;
}

const UNSAFE = ['post', 'put', 'patch', 'delete'];
/** Mirrors the exemptions in src/http/csrf.ts. */
const EXEMPT = new Set(['login', 'logout']);

/** Every unsafe operation that a session cookie can authenticate, across the whole contract. */
function sessionWrites(): Operation[] {
  const document = loadContract(specFile).document as {
    paths: Record<string, Record<string, Operation>>;
    security?: Operation['security'];
  };
  const found: Operation[] = [];
  for (const item of Object.values(document.paths)) {
    for (const method of UNSAFE) {
      const operation = item[method];
      const security = operation?.security ?? document.security ?? [];
      if (operation !== undefined && security.some((requirement) => 'sessionCookie' in requirement))
        found.push(operation);
    }
  }
  return found;
}

function documentsCsrfHeader(operation: Operation): boolean {
  return (operation.parameters ?? []).some(
    (p) =>
      p.$ref === '#/components/parameters/CsrfToken' || (p.in === 'header' && p.name?.toLowerCase() === 'x-csrf-token'),
  );
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
