import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectEnvelope, startTestApp, type TestApp } from '../support/test-app.js';
import { specOperations } from './spec-walk.js';

/**
 * One suite over every operation: with a limit of one request per window, every counted
 * operation answers the next anonymous caller from the same address with the documented 429,
 * and the operations the contract exempts (`x-rate-limited: false`) keep answering.
 */
let app: TestApp;
const operations = specOperations();

beforeAll(async () => {
  app = await startTestApp({ config: { rateLimitMax: 1 } });
  // Spend the address's one request.
  await app.call('GET', '/me');
});
afterAll(() => app.close());

describe.each(operations.filter((op) => op.rateLimited).map((op) => [`${op.method} ${op.path}`, op] as const))(
  '%s',
  (_name, op) => {
    it('429 with Retry-After once the window is spent, as documented', async () => {
      expect(op.documented.has('429')).toBe(true);
      const response = await app.call(op.method, op.path);
      expectEnvelope(response, 429, 'rate_limit_error');
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    });
  },
);

describe.each(operations.filter((op) => !op.rateLimited).map((op) => [`${op.method} ${op.path}`, op] as const))(
  '%s (exempt)',
  (_name, op) => {
    it('is not counted: it still answers once the window is spent', async () => {
      const response = await app.call(op.method, op.path);
      expect(response.status).not.toBe(429);
    });
  },
);
