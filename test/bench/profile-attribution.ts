/**
 * Who a profile sample belongs to: its package, the package that called into node core or a
 * shared helper on its behalf, and the concern (logging, routing, validation…) of that package.
 */
export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

export interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

/** A profile as a tree: each node with its parent. */
export interface ProfileTree {
  nodes: Map<number, ProfileNode>;
  parents: Map<number, number>;
}

export const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

/** The package a script belongs to: the segment after the last node_modules, node core, or Gatehouse itself. */
export function packageOf(frame: CallFrame): string {
  if (SPECIAL.has(frame.functionName)) return frame.functionName;
  const { url } = frame;
  if (url === '') return '(native)';
  if (url.startsWith('node:')) return 'node (core)';
  const at = url.lastIndexOf('/node_modules/');
  if (at >= 0) {
    const [first, second] = url.slice(at + '/node_modules/'.length).split('/');
    return first?.startsWith('@') ? `${first}/${second}` : (first ?? url);
  }
  if (/\/dist\/src\//.test(url)) return 'gatehouse';
  return 'other';
}

/** A short location: the path inside its package (or after dist/), with the 1-based line. */
export function locationOf(frame: CallFrame): string {
  if (frame.url === '') return '';
  let path = frame.url.replace(/^file:\/\//, '');
  const at = path.lastIndexOf('/node_modules/');
  if (at >= 0) path = path.slice(at + '/node_modules/'.length);
  else if (path.includes('/dist/')) path = path.slice(path.indexOf('/dist/') + 1);
  return `${path}:${frame.lineNumber + 1}`;
}

/** For a native function (writev, runMicrotasks): the nearest JavaScript caller, which says whose work it is. */
export function jsCaller(id: number, tree: ProfileTree): string {
  for (let at = tree.parents.get(id); at !== undefined; at = tree.parents.get(at)) {
    const frame = tree.nodes.get(at)?.callFrame;
    if (frame !== undefined && frame.url !== '')
      return ` <- ${frame.functionName || '(anonymous)'} ${locationOf(frame)}`;
  }
  return '';
}

const words = (list: string): string[] => list.split(/\s+/).filter((word) => word !== '');

/**
 * Small helpers that several packages call (path-to-regexp serves both Express's router and the
 * validator's route lookup): charged, like node core, to the package that called them.
 */
const HELPERS = new Set(
  words(`path-to-regexp parseurl debug depd type-is media-typer content-type mime-types mime-db on-finished ee-first
    statuses http-errors setprototypeof inherits fast-deep-equal encodeurl escape-html vary qs safe-buffer lodash
    lodash.clonedeep lodash.get lodash.flatten lodash.chunk lodash.topath`),
);

export const SOCKET_WRITES = 'socket writes (writev: the kernel sends on loopback; every floor pays it too)';

/**
 * Who a sample is charged to: its own package, or for node core, native frames and helpers the
 * nearest package up the stack that called into them (an HMAC under keygrip is keygrip's). The
 * socket's writev is kept apart: its cost is the kernel's and the same per answer in every
 * server. Gatehouse is split by file. Samples with only core frames on the stack (the HTTP
 * parser, the microtask queue) stay node's.
 */
export function chargedTo(id: number, tree: ProfileTree): string {
  const own = tree.nodes.get(id)?.callFrame;
  if (own !== undefined && SPECIAL.has(own.functionName)) return own.functionName;
  if (own?.functionName === 'writev' && own.url === '') return SOCKET_WRITES;
  for (let at: number | undefined = id; at !== undefined; at = tree.parents.get(at)) {
    const frame = tree.nodes.get(at)?.callFrame;
    if (frame === undefined) break;
    const pkg = packageOf(frame);
    if (pkg === 'gatehouse') return `gatehouse ${locationOf(frame).replace(/:\d+$/, '')}`;
    if (pkg !== 'node (core)' && pkg !== '(native)' && !SPECIAL.has(pkg) && !HELPERS.has(pkg)) return pkg;
  }
  return 'node (core), called by no package';
}

/** Packages (and Gatehouse files) grouped by what they do for a request. */
const CONCERNS: Array<[string, string[]]> = [
  [
    'logging (pino-http, pino, redaction, sonic-boom)',
    words(`pino-http pino @pinojs/redact sonic-boom pino-std-serializers quick-format-unescaped safe-stable-stringify
      gatehouse:dist/src/http/request-logger.js`),
  ],
  [
    'Express: router and response (express, router, etag, finalhandler…)',
    words(`express router etag finalhandler send fresh proxy-addr forwarded ipaddr.js accepts negotiator range-parser
      content-disposition`),
  ],
  ['body parsing (body-parser)', words('body-parser raw-body iconv-lite bytes unpipe')],
  [
    'express-openapi-validator (and ajv)',
    words('express-openapi-validator ajv ajv-formats ajv-draft-04 ajv-errors fast-uri json-schema-traverse'),
  ],
  [
    'cookies and session (cookie-parser, cookie-session, keygrip, tsscmp, on-headers)',
    words('cookie-parser cookie-session cookies keygrip tsscmp cookie cookie-signature on-headers'),
  ],
  [
    'security headers and CORS (helmet, cors)',
    words(
      'helmet cors object-assign gatehouse:dist/src/http/cors-policy.js gatehouse:dist/src/http/security-headers.js',
    ),
  ],
  [
    'store (kysely, better-sqlite3, pg)',
    words(`kysely better-sqlite3 pg pg-pool pg-protocol pg-types pg-int8 postgres-array postgres-bytea postgres-date
      postgres-interval pg-connection-string split2`),
  ],
  [
    'counters (rate-limiter-flexible, ioredis)',
    words('rate-limiter-flexible ioredis redis-errors denque cluster-key-slot standard-as-callback @ioredis/commands'),
  ],
];

export function concernOf(charge: string): string {
  const key = charge.replace(/^gatehouse /, 'gatehouse:');
  for (const [concern, members] of CONCERNS) if (members.includes(key)) return concern;
  if (charge.startsWith('gatehouse ')) return 'Gatehouse code (dist/src), besides the above';
  return charge;
}
