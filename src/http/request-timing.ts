import type { ServerResponse } from 'node:http';

const STARTED = Symbol('request started');
type Timed = ServerResponse & { [STARTED]?: number };

/**
 * When the app began on a request, read once: the request log and the request metrics both
 * time it, and whichever is mounted first sets the start the other reads.
 */
export function markRequestStart(res: ServerResponse): void {
  (res as Timed)[STARTED] ??= performance.now();
}

/** Milliseconds since markRequestStart (fractional). */
export function elapsedMs(res: ServerResponse): number {
  const started = (res as Timed)[STARTED];
  return started === undefined ? 0 : performance.now() - started;
}
