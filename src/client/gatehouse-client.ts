import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { paths } from '../../generated/openapi.js';
import { SessionState } from './session-state.js';

/** The credentials a client sends with every request. */
export type GatehouseCredentials =
  | { type: 'basic'; username: string; password: string }
  | { type: 'apiKey'; key: string; header?: 'x-api-key' | 'bearer' }
  /** Sign in with `POST /login`; the client keeps the cookie (outside a browser) and the CSRF token. */
  | { type: 'session' };

export interface GatehouseClientOptions {
  baseUrl: string;
  credentials?: GatehouseCredentials;
  /** Injected fetch, e.g. for tests or a proxy; defaults to the global one. */
  fetch?: (request: Request) => Promise<Response>;
}

export type GatehouseClient = Client<paths> & {
  /** Session cookie and CSRF token, for `{ type: 'session' }` clients. */
  readonly session: SessionState;
};

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function basicHeader(username: string, password: string): string {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

function credentialMiddleware(credentials: GatehouseCredentials, session: SessionState): Middleware {
  return {
    onRequest({ request }) {
      if (credentials.type === 'basic')
        request.headers.set('Authorization', basicHeader(credentials.username, credentials.password));
      if (credentials.type === 'apiKey') {
        if (credentials.header === 'bearer') request.headers.set('Authorization', `Bearer ${credentials.key}`);
        else request.headers.set('X-API-Key', credentials.key);
      }
      if (credentials.type === 'session') {
        const cookie = session.cookieHeader();
        if (cookie !== undefined) request.headers.set('Cookie', cookie);
        if (!SAFE_METHODS.has(request.method) && session.csrfToken !== undefined)
          request.headers.set('X-CSRF-Token', session.csrfToken);
      }
      return request;
    },
    async onResponse({ request, response }) {
      if (credentials.type !== 'session') return response;
      session.absorb(response.headers.getSetCookie?.() ?? []);
      const path = new URL(request.url).pathname;
      if (path.endsWith('/login') && response.ok) {
        const body = (await response.clone().json()) as { csrf_token?: unknown };
        session.csrfToken = typeof body.csrf_token === 'string' ? body.csrf_token : undefined;
      }
      if (path.endsWith('/logout') && response.ok) session.clear();
      return response;
    },
  };
}

/**
 * A typed client for Gatehouse, built by openapi-fetch on the types generated from openapi.yaml:
 * a path, method, body or answer the contract does not have is a type error.
 */
export function createGatehouseClient(options: GatehouseClientOptions): GatehouseClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    credentials: 'include',
  });
  const session = new SessionState();
  if (options.credentials !== undefined) client.use(credentialMiddleware(options.credentials, session));
  return Object.assign(client, { session });
}
