import { describe, expect, it } from 'vitest';
import { loadContract } from '../../src/contract.js';
import { specFile } from '../../src/paths.js';

interface Operation {
  operationId: string;
  tags?: string[];
  'x-rate-limited'?: boolean;
  responses: Record<string, { $ref?: string; headers?: Record<string, { $ref?: string }> }>;
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];
const paths = loadContract(specFile).document.paths as Record<string, Record<string, Operation>>;
const operations = Object.values(paths).flatMap((item) =>
  METHODS.flatMap((method) => (item[method] === undefined ? [] : [item[method]])),
);

describe('the contract documents the rate limit', () => {
  it.each(operations.filter((op) => op['x-rate-limited'] !== false).map((op) => [op.operationId, op]))(
    '%s can answer 429 TooManyRequests',
    (_id, op) => {
      const response = op.responses['429'];
      // An operation may say more about its 429 (sign-in does), with the same headers.
      if (response?.$ref !== undefined) expect(response.$ref).toBe('#/components/responses/TooManyRequests');
      else
        expect(Object.values(response?.headers ?? {}).map((header) => header.$ref)).toEqual([
          '#/components/headers/Retry-After',
          '#/components/headers/RateLimit',
          '#/components/headers/RateLimit-Policy',
        ]);
    },
  );

  it("exempts only service operations and the sign-in page's static files", () => {
    const exempt = operations.filter((op) => op['x-rate-limited'] === false);
    expect(exempt.length).toBeGreaterThan(0);
    for (const op of exempt) expect([['service'], ['pages']]).toContainEqual(op.tags);
  });
});
