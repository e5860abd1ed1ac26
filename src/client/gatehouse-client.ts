import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, paths } from '../../generated/openapi.js';
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

/** What `POST /login` answers: signed in, or a pending sign-in that owes a second factor. */
export type LoginAnswer = components['schemas']['LoginResponse'] | components['schemas']['MfaRequired'];
/** The second step of a sign-in: a code from the authenticator app, or a recovery code. */
export type SecondFactorProof = components['schemas']['SecondFactorProof'];

export type GatehouseClient = Client<paths> & {
  /** Session cookie and CSRF token, for `{ type: 'session' }` clients. */
  readonly session: SessionState;
  /**
   * Signs in (`POST /login`). For an account with a second factor the answer has
   * `mfa_required: true`: finish with `loginWithTotp`, on the same client.
   */
  login(username: string, password: string): Promise<{ data?: LoginAnswer; response: Response }>;
  /** The second step of a two-step sign-in (`POST /login/totp`), with the pending sign-in the client holds. */
  loginWithTotp(
    proof: SecondFactorProof,
  ): Promise<{ data?: components['schemas']['LoginResponse']; response: Response }>;
};

/** Answers that carry the session's CSRF token: a sign-in, and each step of a two-step one. */
const SIGN_IN_PATHS = ['/login', '/login/totp'];

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
      if (SIGN_IN_PATHS.some((signIn) => path.endsWith(signIn)) && response.ok) {
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
  return Object.assign(client, {
    session,
    async login(username: string, password: string) {
      const { data, response } = await client.POST('/login', { body: { username, password } });
      return { data, response };
    },
    async loginWithTotp(proof: SecondFactorProof) {
      const { data, response } = await client.POST('/login/totp', { body: proof });
      return { data, response };
    },
  });
}
