import type { RequestHandler } from 'express';
import { badRequest } from '../errors/api-error.js';

/** Deeper than any real payload; far shallower than what overflows the validator's or the serializer's recursion. */
export const MAX_JSON_DEPTH = 32;

/** The nesting depth of a parsed JSON value, walked without recursion so that measuring cannot overflow the stack. */
export function jsonDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const pending: Array<[unknown, number]> = [[value, 1]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop() as [unknown, number];
    if (current === null || typeof current !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * 100 KB of `[[[[…` parses fine but is deep enough to overflow recursive validation and
 * serialization (a 500). Such bodies are refused as unreadable before anything walks them.
 */
export function refuseDeepJson(maxDepth = MAX_JSON_DEPTH): RequestHandler {
  return (req, _res, next) => {
    if (jsonDepth(req.body, maxDepth) > maxDepth)
      return next(badRequest(`Request body is nested more than ${maxDepth} levels deep`));
    next();
  };
}
