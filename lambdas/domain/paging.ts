import type { TenantId } from './ids.ts';

/** One page of a list: at most `limit` items, and the token of the next page while there is one. */
export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/** What a caller asks of a list: `limit` 1-100 (50 when absent) and the token of the page it is at. */
export interface PageRequest {
  limit?: number;
  nextToken?: string;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

/** A list read a page at a time, in id order. */
export interface PagedList<T> {
  page(tenant: TenantId, request: PageRequest): Promise<Page<T>>;
}
