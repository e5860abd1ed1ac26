import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * The API answers JSON only, so its pages may load nothing and be framed by no one; /docs sets
 * its own, looser policy for Redoc.
 */
const API_CSP = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
    frameAncestors: ["'none'"],
  },
};

const ONE_YEAR_SECONDS = 365 * 24 * 3600;

/**
 * helmet's headers, with HSTS only on answers that went over HTTPS (directly, or through a
 * proxy that TRUST_PROXY names): over plain http the header means nothing and would only
 * confuse a local client.
 */
export function securityHeaders(): RequestHandler[] {
  const base = helmet({ contentSecurityPolicy: API_CSP, strictTransportSecurity: false });
  const hsts = helmet.strictTransportSecurity({ maxAge: ONE_YEAR_SECONDS, includeSubDomains: true });
  const hstsOverHttps: RequestHandler = (req, res, next) => (req.secure ? hsts(req, res, next) : next());
  return [base, hstsOverHttps];
}

/** Answers may carry credentials or personal data: no cache, shared or private, may keep them. */
export function noStore(): RequestHandler {
  return (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
}
