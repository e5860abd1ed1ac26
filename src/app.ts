import express, { type Express } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { keyModeFor } from './api-keys/issue-api-key.js';
import { auditBasicFailures } from './audit/audit-basic-failures.js';
import { AuditLog } from './audit/audit-log.js';
import { createApiKeyAuthenticator } from './auth/api-key.js';
import { authFailureHandler } from './auth/auth-failure.js';
import { createBasicAuthenticator } from './auth/basic.js';
import { VerifiedCredentialCache } from './auth/basic-cache.js';
import { PasswordCheck } from './auth/password-check.js';
import { createSecurityHandlers } from './auth/security-handlers.js';
import { createSessionAuthenticator, type SessionDeps } from './auth/session.js';
import type { Clock } from './clock.js';
import type { Config } from './config/config.js';
import type { Contract } from './contract.js';
import type { PasswordHasher } from './crypto/password-hasher.js';
import { createErrorHandler } from './errors/error-handler.js';
import { corsPolicy } from './http/cors-policy.js';
import { requireCsrfToken } from './http/csrf.js';
import {
  headAsGet,
  refuseDeepJson,
  refuseDuplicateCredentials,
  refuseOversizedBody,
  refuseQueryCredentials,
  requireDocumentedBody,
} from './http/refusals.js';
import { requestLogger } from './http/request-logger.js';
import { noStore, securityHeaders } from './http/security-headers.js';
import { sessionCookies } from './http/session-cookies.js';
import { type MetricHooks, noMetrics } from './metrics/hooks.js';
import { requestMetrics } from './metrics/request-metrics.js';
import type { ServiceMetrics } from './metrics/service-metrics.js';
import { mountOperations } from './operations/mount.js';
import { operationTable } from './operations/table.js';
import { PasswordPolicy } from './passwords/password-policy.js';
import { BruteForceThrottle } from './rate-limit/brute-force-throttle.js';
import { createClientRateLimit } from './rate-limit/client-rate-limit.js';
import { CounterStore } from './rate-limit/counters.js';
import type { Lifecycle } from './runtime/lifecycle.js';
import { createReadiness } from './runtime/readiness.js';
import type { Store } from './store/store.js';
import { UserService } from './users/user-service.js';

export const SESSION_COOKIE = 'gatehouse_session';
export const MAX_JSON_BODY_BYTES = 100 * 1024;

export interface AppDeps {
  config: Config;
  store: Store;
  clock: Clock;
  logger: Logger;
  hasher: PasswordHasher;
  contract: Contract;
  docsFile: string;
  /** The sign-in page and its assets. */
  webDir: string;
  /** Check every answer against the contract (on in tests; a mismatch becomes a 500). */
  validateResponses?: boolean;
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

/** Builds one app from its dependencies; it opens nothing and listens nowhere. */
export function createApp(deps: AppDeps): Express {
  const { config, store, clock, logger, hasher, contract } = deps;
  const session: SessionDeps = {
    users: store.users,
    sessions: store.sessions,
    clock,
    policy: { idleMinutes: config.sessionIdleMinutes, absoluteHours: config.sessionAbsoluteHours },
  };
  const audit = new AuditLog(store.auditEvents, clock, logger);
  const metrics: MetricHooks = deps.metrics ?? noMetrics;
  // Counters, throttle and cache belong to this app: two apps share counters only through a shared Redis.
  const counters = new CounterStore({
    redis: deps.redis,
    prefix: deps.counterPrefix ?? 'gatehouse',
    clusterWorker: deps.clusterWorker,
  });
  const throttle = new BruteForceThrottle(counters, {
    maxFailures: config.loginMaxFailures,
    ipMaxFailures: config.loginIpMaxFailures,
  });
  const rateLimit = createClientRateLimit(
    counters,
    { max: config.rateLimitMax, windowSeconds: config.rateLimitWindowSeconds },
    logger,
    metrics,
  );
  const passwords = new PasswordCheck({ users: store.users, hasher, throttle, metrics });
  const basicCache = new VerifiedCredentialCache(
    { ttlSeconds: config.basicCacheSeconds, maxEntries: config.basicCacheMaxEntries },
    clock,
  );
  const authenticateSession = createSessionAuthenticator(session);
  const users = new UserService({
    store,
    hasher,
    passwords: deps.passwords ?? PasswordPolicy.fromFile(),
    clock,
    audit,
  });
  const securityHandlers = createSecurityHandlers(
    {
      basic: createBasicAuthenticator({ users: store.users, passwords, throttle, cache: basicCache }),
      apiKey: createApiKeyAuthenticator({ users: store.users, apiKeys: store.apiKeys, clock }),
      session: authenticateSession,
    },
    metrics,
  );

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);

  if (deps.metrics !== undefined) app.use(requestMetrics(deps.metrics));
  app.use(requestLogger(logger));
  app.use(securityHeaders());
  app.use(corsPolicy(config.corsOrigins));
  app.use(noStore());
  app.use(refuseQueryCredentials());
  app.use(refuseDuplicateCredentials());
  app.use(refuseOversizedBody(MAX_JSON_BODY_BYTES));
  app.use(express.json({ limit: MAX_JSON_BODY_BYTES, strict: false }));
  app.use(refuseDeepJson());
  app.use(headAsGet());
  // Before the validator, which reads the session cookie from req.cookies.
  app.use(
    sessionCookies({
      name: SESSION_COOKIE,
      keys: config.sessionKeys,
      httpOnly: true,
      sameSite: 'lax',
      maxAge: config.sessionAbsoluteHours * 3_600_000,
    }),
  );
  app.use(
    OpenApiValidator.middleware({
      apiSpec: structuredClone(contract.document) as never,
      validateApiSpec: false,
      validateRequests: { allowUnknownQueryParameters: true, allErrors: true },
      validateResponses: deps.validateResponses ?? false,
      validateSecurity: { handlers: auditBasicFailures(securityHandlers, audit) },
    }),
  );

  app.use(authFailureHandler());

  app.use(rateLimit.afterAuthentication);
  app.use(requireDocumentedBody());
  // After the validator, so the principal is known; before every route, so none can forget it.
  app.use(requireCsrfToken());

  mountOperations(
    app,
    operationTable({
      store,
      readiness: createReadiness({ store, redis: deps.redis, lifecycle: deps.lifecycle }),
      contract,
      docsFile: deps.docsFile,
      webDir: deps.webDir,
      clock,
      keyMode: keyModeFor(config.env),
      audit,
      session,
      authenticateSession,
      passwords,
      users,
      metrics,
    }),
    contract,
  );

  app.use(rateLimit.onError);
  app.use(createErrorHandler(logger));
  return app;
}
