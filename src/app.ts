import express, { type Express, type RequestHandler } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import { auditBasicFailures } from './auth/audit-basic-failures.js';
import { authFailureHandler } from './auth/auth-failure.js';
import { DEVICE_COOKIE, DEVICE_COOKIE_MAX_AGE_MS } from './auth/device-token.js';
import { settleCredentials } from './auth/security-handlers.js';
import { type ComposeDeps, composeServices, type Services } from './compose.js';
import { type Contract, loadContract, validatorDocument } from './contract.js';
import { createErrorHandler } from './errors/error-handler.js';
import { CookieJar } from './http/cookie-jar.js';
import { corsPolicy } from './http/cors-policy.js';
import { requireCsrfToken } from './http/csrf.js';
import { chain } from './http/middleware-chain.js';
import {
  headAsGet,
  refuseDeepJson,
  refuseDuplicateCredentials,
  refuseOversizedBody,
  refuseQueryCredentials,
  requireDocumentedBody,
} from './http/refusals.js';
import { requestLogger } from './http/request-logger.js';
import { securityHeaders } from './http/security-headers.js';
import { sessionCookies } from './http/session-cookies.js';
import { withRouteCache } from './http/validator-route-cache.js';
import { withQuietSecurityCheck } from './http/validator-security-check.js';
import { requestMetrics } from './metrics/request-metrics.js';
import { mountOperations } from './operations/mount.js';
import { operationTable } from './operations/table.js';
import { docsFile, specFile, webDir } from './paths.js';
import { requireAdminSecondFactor } from './second-factor/admin-policy.js';

/** The session cookie's name outside production; production adds the `__Host-` prefix. */
export const SESSION_COOKIE = 'gatehouse_session';
export const MAX_JSON_BODY_BYTES = 100 * 1024;

export interface AppOptions {
  /** The contract the validator checks against; openapi.yaml by default. */
  contract?: Contract;
  /** The built Redoc page served at /docs. */
  docsFile?: string;
  /** The sign-in page and its assets. */
  webDir?: string;
  /** Check every answer against the contract (on in tests; a mismatch becomes a 500). */
  validateResponses?: boolean;
}

/** The app's own options, and either what to compose its services from or the services already composed. */
export type AppDeps = AppOptions & (ComposeDeps | { services: Services });

/** Builds one app from its dependencies; it opens nothing and listens nowhere. */
export function createApp(deps: AppDeps): Express {
  const services = 'services' in deps ? deps.services : composeServices(deps);
  const { config, logger, audit, rateLimit, securityHandlers, serviceMetrics } = services;
  const contract = deps.contract ?? loadContract(specFile);
  void services.hasher.prepareDummy(config.bcryptCost);
  const handlers = auditBasicFailures(securityHandlers, audit);

  const cookies = new CookieJar({
    env: config.env,
    keys: config.sessionKeys,
    sessionCookie: SESSION_COOKIE,
    deviceCookie: DEVICE_COOKIE,
    sessionMaxAgeSeconds: config.sessionAbsoluteHours * 3600,
    deviceMaxAgeSeconds: DEVICE_COOKIE_MAX_AGE_MS / 1000,
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);

  const apiSpec = validatorDocument(contract, { sessionCookieName: cookies.sessionName });
  const validator = OpenApiValidator.middleware({
    apiSpec: apiSpec as never,
    validateApiSpec: false,
    validateRequests: { allowUnknownQueryParameters: true, allErrors: true },
    validateResponses: deps.validateResponses ?? false,
    validateSecurity: { handlers },
  }) as unknown as RequestHandler[];

  // One router layer for everything up to the validator's verdict, one for what follows it.
  app.use(
    chain([
      ...(serviceMetrics === undefined ? [] : [requestMetrics(serviceMetrics)]),
      requestLogger(logger),
      securityHeaders({ hsts: config.env === 'production' ? 'always' : 'over-https' }),
      corsPolicy(config.corsOrigins),
      refuseQueryCredentials(),
      refuseDuplicateCredentials(),
      refuseOversizedBody(MAX_JSON_BODY_BYTES),
      express.json({ limit: MAX_JSON_BODY_BYTES, strict: false }),
      refuseDeepJson(),
      headAsGet(),
      // Before the validator, which reads the session cookie from req.cookies.
      sessionCookies(cookies),
      // Its route lookup compiled every route's pattern on every request (validator-route-cache.ts), and its
      // security check made a stack trace for every absent alternative (validator-security-check.ts).
      ...withQuietSecurityCheck(withRouteCache(validator, contract), apiSpec, handlers),
    ]),
  );
  app.use(authFailureHandler());
  app.use(
    chain([
      // Every explicit credential good, all naming one user; then the principal is chosen.
      settleCredentials(handlers),
      rateLimit.afterAuthentication,
      requireDocumentedBody(),
      // After the validator, so the principal is known; before every route, so none can forget it.
      requireCsrfToken(),
      ...(config.mfaRequiredForAdmins ? [requireAdminSecondFactor(services.secondFactors)] : []),
    ]),
  );

  mountOperations(
    app,
    operationTable({ ...services, contract, docsFile: deps.docsFile ?? docsFile, webDir: deps.webDir ?? webDir }),
    contract,
  );

  app.use(rateLimit.onError);
  app.use(createErrorHandler(logger));
  return app;
}
