import { type ApiError, validationFailed } from '../errors/api-error.js';

/** Stripe-style lists: `?limit=` (1..100, default 20) and `?starting_after=<id of the last item seen>`. */
export const DEFAULT_PAGE_LIMIT = 20;

export interface PageRequest {
  limit: number;
  startingAfter: string | undefined;
}

export interface Page<T> {
  data: T[];
  has_more: boolean;
}

/** The validator has checked both parameters against the contract (and may have coerced `limit`). */
export function pageRequest(query: { limit?: unknown; starting_after?: unknown }): PageRequest {
  const { limit, starting_after: startingAfter } = query;
  return {
    limit: typeof limit === 'number' || typeof limit === 'string' ? Number(limit) : DEFAULT_PAGE_LIMIT,
    startingAfter: typeof startingAfter === 'string' ? startingAfter : undefined,
  };
}

/** `rows` was fetched with one row more than the limit: that extra row only says whether more follow. */
export function pageOf<T>(rows: T[], limit: number): Page<T> {
  return { data: rows.slice(0, limit), has_more: rows.length > limit };
}

export function unknownCursor(what: string): ApiError {
  return validationFailed([{ path: '/query/starting_after', message: `names no ${what}` }]);
}

export interface KeysetList<T> {
  /** The item `starting_after` names, or undefined when it names none this list may start after. */
  find(id: string): Promise<T | undefined>;
  /** What the cursor must name, for the 422: "names no <what>". */
  what: string;
  /** At most `limit` items, newest first, after `after` when given. */
  list(limit: number, after: T | undefined): Promise<T[]>;
}

/** One page of a list: the cursor resolved to its item, one row fetched beyond the limit to answer has_more. */
export async function listPage<T>(
  query: { limit?: unknown; starting_after?: unknown },
  source: KeysetList<T>,
): Promise<Page<T>> {
  const { limit, startingAfter } = pageRequest(query);
  let after: T | undefined;
  if (startingAfter !== undefined) {
    after = await source.find(startingAfter);
    if (after === undefined) throw unknownCursor(source.what);
  }
  return pageOf(await source.list(limit + 1, after), limit);
}
