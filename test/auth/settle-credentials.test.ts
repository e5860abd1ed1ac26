import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import { authRecordOf } from '../../src/auth/auth-record.js';
import type { Principal } from '../../src/auth/principal.js';
import { type SecurityHandlers, settleCredentials } from '../../src/auth/security-handlers.js';

const KEY_ROUTE = { operationId: 'getApiKeyData', security: [{ apiKey: ['read'] }, { bearerAuth: ['read'] }] };
const johnByKey = { scheme: 'api_key', user: { id: 'usr_john' } } as unknown as Principal;

/** Handlers that only count their calls; the validator's pass for the key is recorded by hand. */
function countingHandlers(): { handlers: SecurityHandlers; calls: string[] } {
  const calls: string[] = [];
  const handler = (name: string) => async () => {
    calls.push(name);
    return false;
  };
  return {
    calls,
    handlers: {
      basicAuth: handler('basicAuth'),
      bearerAuth: handler('bearerAuth'),
      apiKey: handler('apiKey'),
      sessionCookie: handler('sessionCookie'),
    },
  };
}

function keyRequest(headers: Record<string, string>, schema: object = KEY_ROUTE): Request {
  const req = { headers, openapi: { schema } } as unknown as Request;
  authRecordOf(req).passed.push({ scheme: 'apiKey', principal: johnByKey });
  return req;
}

async function settle(handlers: SecurityHandlers, req: Request): Promise<unknown> {
  const middleware = settleCredentials(handlers);
  return new Promise((resolve) => {
    void middleware(req, {} as never, resolve);
  });
}

describe('settleCredentials', () => {
  it('runs no handler for a credential the request does not carry, and chooses the one that passed', async () => {
    const { handlers, calls } = countingHandlers();
    const req = keyRequest({ 'x-api-key': 'sk_test_123' });
    expect(await settle(handlers, req)).toBeUndefined();
    expect(calls).toEqual([]);
    expect(req.auth?.principal).toBe(johnByKey);
  });

  it('checks a Basic header sent to a key route, and only that', async () => {
    const { handlers, calls } = countingHandlers();
    await settle(handlers, keyRequest({ 'x-api-key': 'sk_test_123', authorization: 'Basic am9objpzZWNyZXQxMjM=' }));
    expect(calls).toEqual(['basicAuth']);
  });

  it('does not take a Bearer header for a Basic one', async () => {
    const { handlers, calls } = countingHandlers();
    const basicRoute = { operationId: 'getBasicProfile', security: [{ basicAuth: [] }] };
    await settle(handlers, keyRequest({ authorization: 'Bearer sk_test_123', 'x-api-key': 'x' }, basicRoute));
    expect(calls.sort()).toEqual(['apiKey', 'bearerAuth']);
  });
});
