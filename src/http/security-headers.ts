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

type Header = readonly [name: string, value: string];

/** The headers a helmet middleware sets; it sets the same ones on every answer, whatever the request. */
function headersSetBy(middleware: (req: never, res: never, next: () => void) => void): Header[] {
  const headers: Header[] = [];
  const recorder = {
    setHeader: (name: string, value: unknown) => headers.push([name, String(value)]),
    removeHeader: () => undefined,
  };
  middleware({} as never, recorder as never, () => undefined);
  return headers;
}

export interface SecurityHeadersOptions {
  /**
   * `always` in production, which browsers reach over HTTPS even when a TLS-terminating proxy
   * that TRUST_PROXY does not name makes requests look like plain http; `over-https` elsewhere:
   * over plain http the header means nothing and would only confuse a local client.
   */
  hsts: 'always' | 'over-https';
}

/** Answers may carry credentials or personal data: no cache, shared or private, may keep them. */
const NO_STORE: Header = ['Cache-Control', 'no-store'];

/**
 * helmet's headers, with HSTS as the options say, and `Cache-Control: no-store`. The values
 * never change, so they are worked out once here and set with one loop: run per request,
 * helmet's dozen small middlewares cost more than the headers themselves.
 */
export function securityHeaders(options: SecurityHeadersOptions): RequestHandler {
  const always = [
    ...headersSetBy(helmet({ contentSecurityPolicy: API_CSP, strictTransportSecurity: false })),
    NO_STORE,
  ];
  const hsts = headersSetBy(helmet.strictTransportSecurity({ maxAge: ONE_YEAR_SECONDS, includeSubDomains: true }));
  if (options.hsts === 'always') always.push(...hsts);
  const overHttps = options.hsts === 'always' ? [] : hsts;
  return (req, res, next) => {
    for (const [name, value] of always) res.setHeader(name, value);
    if (req.secure) for (const [name, value] of overHttps) res.setHeader(name, value);
    next();
  };
}
