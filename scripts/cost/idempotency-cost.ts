/**
 * What an Idempotency-Key adds to a request that carries it (issue 18): Powertools writes an
 * in-progress record (PutItem, conditional) and then the answer (UpdateItem), in the market's
 * idempotency table, kept 24 hours. Only requests sent with the header pay it; a replay reads the
 * record instead of deciding (a GetItem, cheaper than the decision it replaces).
 */
import { GB, type PriceTable, unitPrice, writeUnits } from './cost-math.ts';

/** The record's own attributes beside the answer: id (hash), status, expiry, in-progress expiry, payload hash. */
const RECORD_OVERHEAD_BYTES = 250;
/** The stored answer wraps the body in `{statusCode, headers, body}`, the body as an escaped JSON string. */
const ANSWER_WRAPPER_BYTES = 150;
/** DynamoDB bills 100 bytes of overhead per item. */
const ITEM_OVERHEAD_BYTES = 100;
const DAYS_PER_MONTH = 30.4;

export interface IdempotencyCost {
  /** USD per 1M requests that carry the header. */
  perMillion: number;
  writeUnitsPerRequest: number;
  storedBytesPerRequest: number;
  detail: string;
}

export function idempotencyKeyCost(prices: PriceTable, answerBytes: number): IdempotencyCost {
  const inProgress = writeUnits((RECORD_OVERHEAD_BYTES + ITEM_OVERHEAD_BYTES) / 1024);
  const stored = RECORD_OVERHEAD_BYTES + ANSWER_WRAPPER_BYTES + answerBytes * 1.1 + ITEM_OVERHEAD_BYTES;
  const completed = writeUnits(stored / 1024);
  const wru = inProgress + completed;
  // a day's records are stored at any time: 1M requests a month keep 1M / 30.4 records
  const storage = ((1e6 / DAYS_PER_MONTH) * stored * unitPrice(prices, 'dynamodb.storage')) / GB;
  const perMillion = wru * unitPrice(prices, 'dynamodb.onDemand.write') * 1e6 + storage;
  return {
    perMillion,
    writeUnitsPerRequest: wru,
    storedBytesPerRequest: Math.round(stored),
    detail: `${inProgress} WRU in-progress PutItem + ${completed} WRU UpdateItem with the ${(stored / 1024).toFixed(1)} KB answer, kept 24 h ($${storage.toFixed(4)} storage); no PITR on that table`,
  };
}
