import { type SelectQueryBuilder, sql } from 'kysely';

/** Where the previous page ended: its last row's sort value and id. */
export interface KeysetCursor {
  at: string;
  id: string;
}

/**
 * The one order every list pages in: newest first by `column`, then by id, so rows with the
 * same instant still have a fixed place. With `after`, only the rows past the previous page's
 * last one: a keyset, not an offset, so rows written meanwhile neither repeat nor go missing.
 */
export function newestFirst<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  column: 'created_at' | 'occurred_at',
  page: { limit: number; after?: KeysetCursor | undefined },
): SelectQueryBuilder<DB, TB, O> {
  const at = sql.ref(column);
  const id = sql.ref('id');
  const after = page.after;
  const paged =
    after === undefined
      ? query
      : query.where(sql<boolean>`(${at} < ${after.at} or (${at} = ${after.at} and ${id} < ${after.id}))`);
  return paged.orderBy(at, 'desc').orderBy(id, 'desc').limit(page.limit);
}
