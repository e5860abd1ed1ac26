import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { ApiKeyService } from './api-keys/api-key-service.js';
import { keyModeFor } from './api-keys/key-format.js';
import { AuditLog } from './audit/audit-log.js';
import { createApiKeyAuthenticator } from './auth/api-key.js';
import { createBasicAuthenticator } from './auth/basic.js';
import { VerifiedCredentialCache } from './auth/basic-cache.js';
import { DeviceTokens } from './auth/device-token.js';
import { PasswordCheck } from './auth/password-check.js';
import { createSecurityHandlers } from './auth/security-handlers.js';
import { createPendingSessionAuthenticator, createSessionAuthenticator } from './auth/session.js';
import { type Clock, systemClock } from './clock.js';
import type { Config } from './config/config.js';
import { PasswordHasher } from './crypto/password-hasher.js';
import { type MetricHooks, noMetrics } from './metrics/hooks.js';
import type { ServiceMetrics } from './metrics/service-metrics.js';
import { Ceremonies } from './passkeys/ceremonies.js';
import { PasskeyAssertions } from './passkeys/passkey-assertions.js';
import { PasskeyThrottle } from './passkeys/passkey-throttle.js';
import { Passkeys } from './passkeys/passkeys.js';
import { HashCostCensus } from './passwords/hash-costs.js';
import { PasswordPolicy } from './passwords/password-policy.js';
import { BruteForceThrottle } from './rate-limit/brute-force-throttle.js';
import { type ClientRateLimit, createClientRateLimit } from './rate-limit/client-rate-limit.js';
import { CounterStore } from './rate-limit/counters.js';
import type { Lifecycle } from './runtime/lifecycle.js';
import { createReadiness, type ReadinessReport } from './runtime/readiness.js';
import { CodeCheck } from './second-factor/code-check.js';
import { SecondFactors } from './second-factor/second-factors.js';
import { SecretBox } from './second-factor/secret-box.js';
import { StepUp } from './second-factor/step-up.js';
import { Sessions } from './sessions/sessions.js';
import type { Store } from './store/store.js';
import { UserService } from './users/user-service.js';

/** What every entry point (server, CLI, test app, bench) has: the rest has a default here. */
export interface ComposeDeps {
  config: Config;
  store: Store;
  logger: Logger;
  /** The system clock unless a test drives time. */
  clock?: Clock;
  /** bcrypt at the configured cost unless a test counts the compares. */
  hasher?: PasswordHasher;
  /** The rules for new passwords; by default read once from the shipped common-password list. */
  passwords?: PasswordPolicy;
  /** Where rate-limit and throttle counters live: shared by every instance on one Redis; this app's memory when absent. */
  redis?: Redis | undefined;
  /** Namespaces the counters' keys in Redis (default `gatehouse`); tests use a unique one. */
  counterPrefix?: string;
  /** Prometheus metrics for this app; none are counted when absent. */
  metrics?: ServiceMetrics | undefined;
  /** In a node:cluster worker, counters without Redis are kept by the primary for all workers. */
  clusterWorker?: boolean;
  /** Tells readiness when the process has begun to stop. */
  lifecycle?: Lifecycle;
}

/** The services every operation and authenticator is built from, each made once. */
export interface Services {
  config: Config;
  store: Store;
  logger: Logger;
  clock: Clock;
  hasher: PasswordHasher;
  audit: AuditLog;
  users: UserService;
  /** Checks a presented password under the brute-force throttle. */
  passwords: PasswordCheck;
  secondFactors: SecondFactors;
  /** Checks a presented second-factor code under the same throttle. */
  codes: CodeCheck;
  /** Sudo mode, with the second factor for accounts that have one. */
  stepUp: StepUp;
  devices: DeviceTokens;
  rateLimit: ClientRateLimit;
  sessions: Sessions;
  securityHandlers: ReturnType<typeof createSecurityHandlers>;
  apiKeys: ApiKeyService;
  passkeys: Passkeys;
  /** Signing in, finishing a sign-in and stepping up with a passkey. */
  passkeyAssertions: PasskeyAssertions;
  readiness: () => Promise<ReadinessReport>;
  metrics: MetricHooks;
  /** The Prometheus metrics the request middleware counts into, when there are any. */
  serviceMetrics: ServiceMetrics | undefined;
}

/** The one composition root: every default of the service lives here. */
export function composeServices(deps: ComposeDeps): Services {
  const { config, store, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const hasher = deps.hasher ?? new PasswordHasher(config.bcryptCost);
  const audit = new AuditLog(store.auditEvents, clock, logger);
  const sessions = new Sessions({
    repository: store.sessions,
    clock,
    policy: { idleMinutes: config.sessionIdleMinutes, absoluteHours: config.sessionAbsoluteHours },
    audit,
  });
  const metrics: MetricHooks = deps.metrics ?? noMetrics;
  // Counters, throttle and cache belong to this app: two apps share counters only through a shared Redis.
  const counters = new CounterStore({
    redis: deps.redis,
    prefix: deps.counterPrefix ?? 'gatehouse',
    clusterWorker: deps.clusterWorker,
    clock,
  });
  const throttle = new BruteForceThrottle(counters, {
    maxFailures: config.loginMaxFailures,
    ipMaxFailures: config.loginIpMaxFailures,
    accountMaxFailures: config.accountMaxFailures,
  });
  const rateLimit = createClientRateLimit(
    counters,
    { max: config.rateLimitMax, windowSeconds: config.rateLimitWindowSeconds },
    logger,
    metrics,
  );
  const hashCosts = new HashCostCensus(store.users, hasher, clock);
  const devices = new DeviceTokens(config.sessionKeys);
  const passwords = new PasswordCheck({
    users: store.users,
    hasher,
    throttle,
    metrics,
    hashCosts,
    devices,
    onAccountLocked: (username, req, userId) => audit.accountLocked(username, req, userId),
  });
  const secondFactors = new SecondFactors({ store, clock, audit, box: new SecretBox(config.sessionKeys) });
  const codes = new CodeCheck({ factors: secondFactors, throttle, devices });
  const stepUp = new StepUp(secondFactors, clock);
  const basicCache = new VerifiedCredentialCache(
    { ttlSeconds: config.basicCacheSeconds, maxEntries: config.basicCacheMaxEntries },
    clock,
  );
  const apiKeys = new ApiKeyService({
    store,
    clock,
    audit,
    mode: keyModeFor(config.env),
    maxActivePerUser: config.apiKeyMaxPerUser,
  });
  const ceremonies = new Ceremonies(config.webauthn);
  const passkeys = new Passkeys({ store, clock, audit, ceremonies });
  const passkeyAssertions = new PasskeyAssertions({
    store,
    clock,
    ceremonies,
    throttle: new PasskeyThrottle(counters, config.loginIpMaxFailures),
  });
  const users = new UserService({
    store,
    hasher,
    passwords: deps.passwords ?? PasswordPolicy.fromFile(),
    clock,
    audit,
    sessions,
    apiKeys,
  });
  const securityHandlers = createSecurityHandlers(
    {
      basic: createBasicAuthenticator({
        users: store.users,
        passwords,
        throttle,
        cache: basicCache,
        devices,
        hasSecondFactor: (userId) => secondFactors.hasAny(userId),
        countAhead: rateLimit.countAhead,
      }),
      apiKey: createApiKeyAuthenticator({
        users: store.users,
        apiKeys: store.apiKeys,
        clock,
        refuseTestKeys: config.env === 'production',
      }),
      session: createSessionAuthenticator(sessions),
      pendingSession: createPendingSessionAuthenticator(sessions),
    },
    metrics,
  );
  return {
    config,
    store,
    logger,
    clock,
    hasher,
    audit,
    users,
    passwords,
    secondFactors,
    codes,
    stepUp,
    devices,
    rateLimit,
    sessions,
    securityHandlers,
    apiKeys,
    passkeys,
    passkeyAssertions,
    readiness: createReadiness({ store, redis: deps.redis, lifecycle: deps.lifecycle }),
    metrics,
    serviceMetrics: deps.metrics,
  };
}
