// Walking every page of a list endpoint, one request per page, as an async iterator.
import type { Answer } from "./transport.js";

/**
 * The `pagination` object of a list answer. Servers name the page count `pages`; older
 * ones `total_pages`: either is read.
 */
export interface WirePagination {
  page: number;
  limit: number;
  total: number;
  pages?: number;
  total_pages?: number;
}

/** Page size of list iterators unless told otherwise: the API's largest, for the fewest calls. */
export const PAGE_LIMIT = 100;

export function pageCount(pagination: WirePagination): number {
  return pagination.pages ?? pagination.total_pages ?? 0;
}

/** Yields every item of every page, fetching page after page until the last. */
export async function* everyPage<T>(
  fetchPage: (page: number) => Promise<Answer<T[]>>,
): AsyncGenerator<T, void, undefined> {
  for (let page = 1; ; page++) {
    const answer = await fetchPage(page);
    yield* answer.data;
    const pages = answer.pagination ? pageCount(answer.pagination) : page;
    if (page >= pages || answer.data.length === 0) {
      return;
    }
  }
}
