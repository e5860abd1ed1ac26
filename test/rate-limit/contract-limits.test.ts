import { describe, expect, it } from 'vitest';
import { contractOperations, resolveRef } from '../support/spec-model.js';

const operations = contractOperations;

describe('the contract documents the rate limit', () => {
  it.each(operations.filter((op) => op.rateLimited).map((op) => [op.operationId, op]))(
    '%s can answer 429 TooManyRequests',
    (_id, op) => {
      const response = op.responses['429'];
      const shared = resolveRef('#/components/responses/TooManyRequests') as { headers?: Record<string, unknown> };
      // An operation may say more about its 429 (sign-in does), with the same headers.
      expect(response).toBeDefined();
      if (response !== shared)
        expect(Object.keys((response as { headers?: Record<string, unknown> })?.headers ?? {})).toEqual(
          Object.keys(shared.headers ?? {}),
        );
    },
  );

  it("exempts only service operations and the sign-in page's static files", () => {
    const exempt = operations.filter((op) => !op.rateLimited);
    expect(exempt.length).toBeGreaterThan(0);
    for (const op of exempt) expect([['service'], ['pages']]).toContainEqual(op.tags);
  });
});
