import { createRequire } from 'node:module';
import type { Request, RequestHandler } from 'express';
import type { pathToRegexp as PathToRegexp } from 'path-to-regexp';
import type { Contract } from '../contract.js';

/** The path-to-regexp the validator compiles with (its own dependency, resolved from it), so both read a path alike. */
const fromValidator = createRequire(createRequire(import.meta.url).resolve('express-openapi-validator'));
const { pathToRegexp } = fromValidator('path-to-regexp') as { pathToRegexp: typeof PathToRegexp };

/** What the validator's metadata middleware puts on `req.openapi` (its OpenApiRequestMetadata). */
interface OpenApiMetadata {
  expressRoute: string;
  openApiRoute: string;
  pathParams: Record<string, string>;
  schema: unknown;
  serial: number;
  /** Only when responses are validated. */
  _responseSchema?: unknown;
}

type WithMetadata = Request & { openapi?: OpenApiMetadata };

interface Route {
  /** As the validator writes it: `/users/{id}` → `/users/:id`. */
  expressRoute: string;
  regexp: RegExp;
  paramNames: string[];
  /** The validator's own metadata for this route, by method, once it has matched a request to it. */
  seen: Map<string, OpenApiMetadata>;
}

interface RouteTable {
  strict: boolean;
  sensitive: boolean;
  routes: Route[];
  /** Paths that only one route matches, by their exact text: no regular expression to run. */
  exact: Map<string, Route>;
}

function compileRoutes(paths: string[], options: { strict: boolean; sensitive: boolean }): RouteTable {
  const routes = paths.map((path): Route => {
    const expressRoute = path.replace(/\{([^}]+)\}/g, ':$1');
    const { regexp, keys } = pathToRegexp(expressRoute, options);
    return { expressRoute, regexp, paramNames: keys.map((key) => String(key.name)), seen: new Map() };
  });
  const exact = new Map<string, Route>();
  for (const route of routes) {
    if (route.paramNames.length > 0) continue;
    if (routes.filter((other) => other.regexp.test(route.expressRoute)).length === 1)
      exact.set(route.expressRoute, route);
  }
  return { ...options, routes, exact };
}

/** The one route that matches the path, or undefined when none or several do (the validator's order decides those). */
function onlyMatch(table: RouteTable, path: string): Route | undefined {
  const exact = table.exact.get(path);
  if (exact !== undefined) return exact;
  let found: Route | undefined;
  for (const route of table.routes) {
    if (!route.regexp.test(path)) continue;
    if (found !== undefined) return undefined;
    found = route;
  }
  return found;
}

function pathParams(route: Route, path: string): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  if (route.paramNames.length === 0) return params;
  const values = route.regexp.exec(path)?.slice(1) ?? [];
  try {
    route.paramNames.forEach((name, index) => {
      params[name] = decodeURIComponent(values[index] ?? '');
    });
  } catch {
    // Not valid percent-encoding: the validator's own lookup answers it (its 400).
    return undefined;
  }
  return params;
}

/**
 * express-openapi-validator 5.6 finds a request's operation by compiling, on every request, a
 * path-to-regexp for each route of the spec until one matches (`lookupRoute` in
 * openapi.metadata.js): about a tenth of the CPU of `GET /healthz` with this contract's 27 paths.
 * Its options offer no way around it, so this wraps its metadata middleware, the one it returns
 * as `metadataMiddleware`: the routes are compiled once, with the same path-to-regexp and the
 * same options, and when exactly one route matches a path and the validator has already
 * matched a request of that method to it, `req.openapi` is set from what the validator set
 * then (the same schema objects), with the path's own parameters, as the validator would. Every
 * other request (the first of each operation, unknown paths and methods, paths several routes
 * match, malformed percent-encoding) goes through the validator's own lookup, its 404, 405 and
 * 400 included. The cache belongs to one app; nothing is shared between apps. It relies on the
 * validator being given no `ignorePaths` and `useRequestUrl` (app.ts sets neither).
 */
export function cacheRouteLookup(metadata: RequestHandler, contract: Contract): RequestHandler {
  const paths = Object.keys((contract.document.paths ?? {}) as Record<string, unknown>);
  // Path syntax beyond `{name}` (wildcards, colons) is converted differently by the validator.
  const cacheable = paths.every((path) => !/[*:()]/.test(path));
  let table: RouteTable | undefined;

  return (req, res, next) => {
    const strict = req.app.enabled('strict routing');
    const sensitive = req.app.enabled('case sensitive routing');
    if (table === undefined || table.strict !== strict || table.sensitive !== sensitive)
      table = compileRoutes(cacheable ? paths : [], { strict, sensitive });
    const path = (req.originalUrl.split('?')[0] ?? '') as string;
    const route = onlyMatch(table, path);
    const known = route?.seen.get(req.method);
    const params = route === undefined || known === undefined ? undefined : pathParams(route, path);
    if (known !== undefined && params !== undefined) {
      const openapi: OpenApiMetadata = {
        expressRoute: known.expressRoute,
        openApiRoute: known.openApiRoute,
        pathParams: params,
        schema: known.schema,
        serial: known.serial,
      };
      if ('_responseSchema' in known) openapi._responseSchema = known._responseSchema;
      (req as WithMetadata).openapi = openapi;
      req.params = params;
      return next();
    }
    const method = req.method;
    return metadata(req, res, (error?: unknown) => {
      const matched = (req as WithMetadata).openapi;
      if (error === undefined && route !== undefined && matched?.expressRoute === route.expressRoute)
        route.seen.set(method, matched);
      next(error);
    });
  };
}

/** The validator's middlewares, its route lookup cached (see cacheRouteLookup). */
export function withRouteCache(handlers: RequestHandler[], contract: Contract): RequestHandler[] {
  const index = handlers.findIndex((handler) => handler.name === 'metadataMiddleware');
  const metadata = handlers[index];
  if (metadata === undefined)
    throw new Error('express-openapi-validator returned no metadataMiddleware: has its version changed?');
  return handlers.map((handler, at) => (at === index ? cacheRouteLookup(metadata, contract) : handler));
}
