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
