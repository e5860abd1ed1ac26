import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatehouseClient } from '../../src/client/index.js';
import { projectRoot } from '../../src/paths.js';
import { totpCode, turnOnTotp } from '../support/second-factor.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe('the typed client', () => {
  it('authenticates with Basic', async () => {
    const client = createGatehouseClient({
      baseUrl: app.url,
      credentials: { type: 'basic', username: 'john', password: 'secret123' },
    });
    const { data, response } = await client.GET('/basic/profile');
    expect(response.status).toBe(200);
    expect(data?.message).toBe('Welcome john!');
  });

  it('sends an API key in X-API-Key or as a bearer token', async () => {
    for (const header of ['x-api-key', 'bearer'] as const) {
      const client = createGatehouseClient({
        baseUrl: app.url,
        credentials: { type: 'apiKey', key: 'sk_test_123', header },
      });
      const { data } = await client.POST('/apikey/create', { body: { name: 'widget' } });
      expect(data).toEqual({ message: 'Item created', item: { name: 'widget' } });
    }
  });

  it('gives the error envelope, typed, on failure', async () => {
    const client = createGatehouseClient({ baseUrl: app.url, credentials: { type: 'apiKey', key: 'sk_live_456' } });
    const { data, error, response } = await client.POST('/apikey/create', { body: {} });
    expect(data).toBeUndefined();
    expect(response.status).toBe(403);
    expect(error?.error.message).toBe('Write access required');
  });

  it('signs in in two steps for an account with TOTP: login answers mfa_required, loginWithTotp finishes', async () => {
    const { secret } = await turnOnTotp(app, 'bob', 'securepass');
    const client = createGatehouseClient({ baseUrl: app.url, credentials: { type: 'session' } });
    const first = await client.login('bob', 'securepass');
    expect(first.data !== undefined && 'mfa_required' in first.data && first.data.methods).toEqual([
      'totp',
      'recovery_code',
    ]);
    expect((await client.GET('/dashboard')).response.status).toBe(401);
    const second = await client.loginWithTotp({ code: totpCode(secret, app) });
    expect(second.data?.user.username).toBe('bob');
    expect((await client.GET('/dashboard')).data?.message).toBe('Welcome to your dashboard, bob!');
    // The CSRF token of the full session went along with the unsafe request.
    expect((await client.POST('/me/recovery-codes')).response.status).toBe(200);
  });

  it('keeps the session cookie between calls and forgets it at logout', async () => {
    const client = createGatehouseClient({ baseUrl: app.url, credentials: { type: 'session' } });
    const login = await client.POST('/login', { body: { username: 'alice', password: 'password123' } });
    expect(login.data !== undefined && 'user' in login.data && login.data.user.username).toBe('alice');
    expect((await client.GET('/dashboard')).data?.message).toBe('Welcome to your dashboard, alice!');
    await client.POST('/logout');
    expect(client.session.cookieHeader()).toBeUndefined();
    expect((await client.GET('/dashboard')).response.status).toBe(401);
  });

  it('takes an injected fetch', async () => {
    const seen: string[] = [];
    const client = createGatehouseClient({
      baseUrl: app.url,
      fetch: (request) => {
        seen.push(`${request.method} ${new URL(request.url).pathname}`);
        return fetch(request);
      },
    });
    await client.GET('/healthz');
    expect(seen).toEqual(['GET /healthz']);
  });

  it('is importable as gatehouse/client from a separate script (after npm run build)', async () => {
    const script = `import('gatehouse/client').then(async (m) => { const c = m.createGatehouseClient({ baseUrl: ${JSON.stringify(app.url)} }); const r = await c.GET('/healthz'); console.log(JSON.stringify(r.data)); })`;
    // Asynchronous on purpose: the server answering the script runs in this process.
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      cwd: projectRoot,
      timeout: 10_000,
    });
    expect(JSON.parse(stdout)).toEqual({ status: 'ok' });
  });
});
