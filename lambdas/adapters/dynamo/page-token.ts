import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { InvalidInputError } from '#domain/errors.ts';
import type { TenantId } from '#domain/ids.ts';
import { DEFAULT_PAGE_SIZE, type Page, type PageRequest } from '#domain/paging.ts';
import { guarded } from './errors.ts';

/**
 * The `nextToken` of every list: the page's last key, bound to the tenant and the list it came
 * from. Opaque to callers; a token of another tenant, another list or no list at all is a 400,
 * never a read of something the caller did not page to.
 */
export interface PageKeyShape {
  /** The list the token belongs to (`actions`, `triggers`, `campaigns`, `audit:<yyyy-mm>`). */
  list: string;
  /** Does the decoded key have the shape this list's keys have? */
  isKey: (key: Record<string, unknown>) => boolean;
}

export function encodePageToken(tenant: TenantId, list: string, key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ t: tenant, l: list, k: key }), 'utf8').toString('base64url');
}

/** A key as tokens carry it: an object of strings (every key attribute of these tables is a string). */
const isStringKey = (key: unknown): key is Record<string, string> =>
  typeof key === 'object' &&
  key !== null &&
  !Array.isArray(key) &&
  Object.values(key).every((v) => typeof v === 'string');

export function decodePageToken(token: string, tenant: TenantId, shape: PageKeyShape): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      't' in parsed &&
      'l' in parsed &&
      'k' in parsed &&
      parsed.t === tenant &&
      parsed.l === shape.list &&
      isStringKey(parsed.k) &&
      shape.isKey(parsed.k)
    )
      return parsed.k;
  } catch {
    /* fall through */
  }
  throw new InvalidInputError('nextToken is not one this list gave out', [{ field: 'nextToken', message: 'invalid' }]);
}

/**
 * One page of a list read by one Query: `limit` items from the caller's token on, mapped, with the
 * token of the next page bound to the tenant and the list. Every list of the API pages this way.
 */
export async function queryPage<T>(
  db: DynamoDBDocumentClient,
  tenant: TenantId,
  shape: PageKeyShape,
  query: Omit<QueryCommandInput, 'Limit' | 'ExclusiveStartKey'>,
  request: PageRequest,
  itemsOf: (items: Record<string, unknown>[]) => T[],
): Promise<Page<T>> {
  const out = await guarded(() =>
    db.send(
      new QueryCommand({
        ...query,
        Limit: request.limit ?? DEFAULT_PAGE_SIZE,
        ...(request.nextToken ? { ExclusiveStartKey: decodePageToken(request.nextToken, tenant, shape) } : {}),
      }),
    ),
  );
  const last = out.LastEvaluatedKey;
  return { items: itemsOf(out.Items ?? []), ...(last ? { nextToken: encodePageToken(tenant, shape.list, last) } : {}) };
}
