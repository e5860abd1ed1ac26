import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { parseWebauthnSettings, type WebauthnSettings } from './webauthn-settings.js';

export type Environment = 'development' | 'test' | 'production';
export type TrustProxy = boolean | number | string[];

export interface Config {
  env: Environment;
  port: number;
  host: string;
  databaseUrl: string;
  redisUrl: string | undefined;
  /** Newest first: the first signs new cookies, all verify. */
  sessionKeys: string[];
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  bcryptCost: number;
  rateLimitMax: number;
  rateLimitWindowSeconds: number;
  loginMaxFailures: number;
  /** Failed sign-ins one address may make across all usernames in an hour (credential stuffing). */
  loginIpMaxFailures: number;
  /** Failed sign-ins per account from everywhere in 24 h; clients with the account's device cookie are exempt. */
  accountMaxFailures: number;
  /** Active (unrevoked, unexpired) API keys one user may hold. */
  apiKeyMaxPerUser: number;
  /** How long a verified Basic credential is remembered; 0 turns the cache off. */
  basicCacheSeconds: number;
  basicCacheMaxEntries: number;
  corsOrigins: string[];
  trustProxy: TrustProxy;
  demoData: boolean;
  logLevel: string;
  /** Worker processes on this machine; above 1 the entry forks them with node:cluster. */
  webConcurrency: number;
  /** The Prometheus listener's port; undefined leaves metrics off. */
  metricsPort: number | undefined;
  metricsHost: string;
  /** How long requests in flight may take to finish once a stop signal arrives. */
  shutdownTimeoutSeconds: number;
  /** Audit events older than this are purged; revoked and expired sessions always are. */
  auditRetentionDays: number;
  /** The passkeys' relying party: WEBAUTHN_RP_ID, WEBAUTHN_RP_NAME, WEBAUTHN_ORIGINS. */
  webauthn: WebauthnSettings;
  /** Admins without a second factor are refused on admin operations (they may still sign in and enrol). */
  mfaRequiredForAdmins: boolean;
}

export type ConfigResult = { ok: true; config: Config; warnings: string[] } | { ok: false; problems: string[] };

type Env = Record<string, string | undefined>;

const MIN_SESSION_KEY_LENGTH = 32;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const WEAK_SECRETS = new Set(['secret', 'changeme', 'change-me', 'password', 'keyboard cat', 'development']);

/** Reads the environment once; every problem gets its own line naming the variable. */
export function parseConfig(env: Env): ConfigResult {
  const problems: string[] = [];
  const warnings: string[] = [];

  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const flag = (name: string, fallback: boolean): boolean => {
    const raw = env[name]?.trim().toLowerCase();
    if (raw === undefined || raw === '') return fallback;
    if (['1', 'true', 'on', 'yes'].includes(raw)) return true;
    if (['0', 'false', 'off', 'no'].includes(raw)) return false;
    problems.push(`${name} must be on or off (got "${raw}")`);
    return fallback;
  };

  const rawEnv = env.NODE_ENV?.trim() || 'development';
  let environment: Environment = 'development';
  if (rawEnv === 'production' || rawEnv === 'test' || rawEnv === 'development') environment = rawEnv;
  else problems.push(`NODE_ENV must be development, test or production (got "${rawEnv}")`);
  const production = environment === 'production';

  const databaseUrl = env.DATABASE_URL?.trim() || 'sqlite:./data/gatehouse.db';
  // The default file is the development store (demo data and all): production must name its own.
  if (production && !env.DATABASE_URL?.trim()) {
    problems.push(
      'DATABASE_URL is required in production (postgres://… or sqlite:/path/to/gatehouse.db); the default ./data/gatehouse.db is the development store',
    );
  }
  if (!/^(sqlite:|postgres:\/\/|postgresql:\/\/)/.test(databaseUrl)) {
    problems.push('DATABASE_URL must start with sqlite: or postgres:// (e.g. sqlite:./data/gatehouse.db)');
  }

  const redisUrl = env.REDIS_URL?.trim() || undefined;
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
    problems.push('REDIS_URL must start with redis:// or rediss://');
  }

  let sessionKeys = commaList(env.SESSION_KEYS);
  if (sessionKeys.length === 0) {
    if (production)
      problems.push(
        `SESSION_KEYS is required in production: a comma list of random secrets of at least ${MIN_SESSION_KEY_LENGTH} characters, newest first`,
      );
    else {
      sessionKeys = [randomBytes(32).toString('base64url')];
      warnings.push('SESSION_KEYS is not set: using a random key for this process, so sessions end when it stops');
    }
  } else if (sessionKeys.some((key) => key.length < MIN_SESSION_KEY_LENGTH || WEAK_SECRETS.has(key.toLowerCase()))) {
    const message = `SESSION_KEYS must hold only random secrets of at least ${MIN_SESSION_KEY_LENGTH} characters`;
    if (production) problems.push(message);
    else warnings.push(`${message} (allowed outside production)`);
  }

  const corsOrigins = commaList(env.CORS_ORIGINS);
  if (corsOrigins.includes('*')) {
    problems.push('CORS_ORIGINS must list origins; "*" cannot be used with credentials');
  }
  for (const origin of corsOrigins.filter((o) => o !== '*')) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin))
      problems.push(`CORS_ORIGINS entry "${origin}" must be an origin such as https://app.example.com`);
  }

  const demoData = flag('DEMO_DATA', !production);
  if (production && demoData) problems.push('DEMO_DATA cannot be on in production');

  const logLevel = env.LOG_LEVEL?.trim() || (environment === 'test' ? 'silent' : 'info');
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  const port = integer('PORT', 3000, 0, 65535);
  const config: Config = {
    env: environment,
    port,
    host: env.HOST?.trim() || '127.0.0.1',
    databaseUrl,
    redisUrl,
    sessionKeys,
    sessionIdleMinutes: integer('SESSION_IDLE_MINUTES', 30, 1, 24 * 60),
    sessionAbsoluteHours: integer('SESSION_ABSOLUTE_HOURS', 12, 1, 24 * 30),
    bcryptCost: integer('BCRYPT_COST', 12, production ? 12 : 4, 15),
    rateLimitMax: integer('RATE_LIMIT_MAX', 100, 1, 1_000_000),
    rateLimitWindowSeconds: integer('RATE_LIMIT_WINDOW_SECONDS', 900, 1, 86_400),
    loginMaxFailures: integer('LOGIN_MAX_FAILURES', 5, 1, 1000),
    loginIpMaxFailures: integer('LOGIN_IP_MAX_FAILURES', 100, 1, 1_000_000),
    accountMaxFailures: integer('ACCOUNT_MAX_FAILURES', 100, 1, 1_000_000),
    apiKeyMaxPerUser: integer('API_KEY_MAX_PER_USER', 100, 1, 100_000),
    basicCacheSeconds: integer('BASIC_CACHE_SECONDS', 60, 0, 3600),
    basicCacheMaxEntries: integer('BASIC_CACHE_MAX_ENTRIES', 10_000, 1, 1_000_000),
    corsOrigins,
    trustProxy: parseTrustProxy(env.TRUST_PROXY, problems),
    demoData,
    logLevel,
    webConcurrency: integer('WEB_CONCURRENCY', 1, 1, 64),
    metricsPort: env.METRICS_PORT?.trim() ? integer('METRICS_PORT', 0, 0, 65535) : undefined,
    metricsHost: env.METRICS_HOST?.trim() || '127.0.0.1',
    shutdownTimeoutSeconds: integer('SHUTDOWN_TIMEOUT_SECONDS', 10, 1, 600),
    auditRetentionDays: integer('AUDIT_RETENTION_DAYS', 365, 1, 36_500),
    webauthn: parseWebauthnSettings(env, port, production, { problems, warnings }),
    mfaRequiredForAdmins: flag('MFA_REQUIRED_FOR_ADMINS', false),
  };
  if (config.webConcurrency > 1 && databaseUrl === 'sqlite::memory:') {
    problems.push('WEB_CONCURRENCY above 1 needs a store the workers share: DATABASE_URL cannot be sqlite::memory:');
  }
  if (config.metricsPort !== undefined && config.metricsPort === config.port && config.port !== 0) {
    problems.push('METRICS_PORT must differ from PORT: metrics never share the public listener');
  }
  if (config.sessionIdleMinutes > config.sessionAbsoluteHours * 60) {
    problems.push('SESSION_IDLE_MINUTES must not be longer than SESSION_ABSOLUTE_HOURS');
  }
  if (production && config.trustProxy === false) {
    warnings.push(
      "TRUST_PROXY is not set: behind a TLS-terminating proxy every client address is the proxy's address, so all clients share one rate limit and one sign-in throttle, and requests look like plain http (req.secure is false; cookies are Secure and HSTS is sent anyway in production). Set it to the proxy's address or hop count",
    );
  }
  if (production && redisUrl === undefined) {
    warnings.push('REDIS_URL is not set: rate limits and sign-in throttles count per instance, not across instances');
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, config, warnings };
}

/** More hops than any real chain of proxies: a count this large trusts whatever the client sends. */
const MAX_PROXY_HOPS = 10;
const TRUST_EVERYONE = `TRUST_PROXY must name the proxies to trust (a hop count up to ${MAX_PROXY_HOPS}, or addresses such as loopback,10.0.0.0/8), not everyone`;

/** `a, b,,c` → `['a', 'b', 'c']`: the entries of a comma list, trimmed, empty ones dropped. */
function commaList(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/** `10.0.0.0/8` → true; `0.0.0.0/0`, `::/0`, `999.1.1.1`, `10.0.0.0/40` → false. */
function isProxySubnet(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) >= 1 && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * TRUST_PROXY: off (default), a number of hops, or a comma list of proxy addresses/subnets for
 * Express. Anything that amounts to "trust everyone" (`true`, a /0 subnet, a huge hop count) is
 * refused: it would let every client choose its own address, and so its own rate limit.
 */
function parseTrustProxy(raw: string | undefined, problems: string[]): TrustProxy {
  const value = raw?.trim();
  if (value === undefined || value === '' || ['0', 'false', 'off', 'no'].includes(value.toLowerCase())) return false;
  if (/^\d+$/.test(value)) {
    if (Number(value) <= MAX_PROXY_HOPS) return Number(value);
    problems.push(TRUST_EVERYONE);
    return false;
  }
  if (['true', 'on', 'yes'].includes(value.toLowerCase())) {
    problems.push(TRUST_EVERYONE);
    return false;
  }
  const entries = commaList(value);
  if (entries.some((entry) => /\/0+$/.test(entry))) {
    problems.push(TRUST_EVERYONE);
    return false;
  }
  const bad = entries.filter((entry) => !isProxySubnet(entry));
  if (bad.length > 0) problems.push(`TRUST_PROXY has entries that are not addresses or subnets: ${bad.join(', ')}`);
  return bad.length > 0 ? false : entries;
}

/** A config for tests and tools: defaults plus overrides, never touching process.env. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  const result = parseConfig({
    NODE_ENV: 'test',
    DATABASE_URL: 'sqlite::memory:',
    BCRYPT_COST: '4',
    SESSION_KEYS: 'test-session-key-0123456789abcdefghijklmnop',
  });
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return { ...result.config, ...overrides };
}
